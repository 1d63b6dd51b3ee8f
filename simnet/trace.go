package simnet

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"sort"
	"strings"

	"github.com/pathlab/pathlab/tracer"
)

// Trace follows a request to target from the named host (the default
// vantage point when from is empty) and explains every hop.
func (w *World) Trace(ctx context.Context, from string, target tracer.Target) (*tracer.Report, error) {
	if from == "" {
		from = w.DefaultFrom()
	}
	n, err := w.From(from)
	if err != nil {
		return nil, err
	}
	r, err := tracer.Diagnose(ctx, n, target, from)
	if err != nil {
		return nil, err
	}
	r.World = w.Name
	return r, nil
}

//go:embed worlds/*.yaml
var builtin embed.FS

// DefaultWorld is the name of the built-in world a trace uses without
// --world.
const DefaultWorld = "shop"

// Builtin returns the source of a built-in world.
func Builtin(name string) ([]byte, error) {
	b, err := builtin.ReadFile("worlds/" + name + ".yaml")
	if err != nil {
		return nil, fmt.Errorf("%w: no built-in world %q; built-in worlds: %s", ErrUnknownName, name, strings.Join(BuiltinNames(), ", "))
	}
	return b, nil
}

// BuiltinNames lists the built-in worlds.
func BuiltinNames() []string {
	entries, _ := fs.ReadDir(builtin, "worlds")
	var out []string
	for _, e := range entries {
		out = append(out, strings.TrimSuffix(e.Name(), ".yaml"))
	}
	sort.Strings(out)
	return out
}

// LoadBuiltin compiles a built-in world.
func LoadBuiltin(name string) (*World, error) {
	b, err := Builtin(name)
	if err != nil {
		return nil, err
	}
	return Parse("builtin:"+name, b)
}

// Headline is the request a world is about: the first https URL its public
// zones point at a load balancer, for the default vantage point. Worlds may
// name it in their description's first line "headline: URL" (extension).
func (w *World) Headline() string {
	for _, line := range strings.Split(w.spec.Description, "\n") {
		if rest, ok := strings.CutPrefix(strings.TrimSpace(line), "headline:"); ok {
			return strings.TrimSpace(rest)
		}
	}
	for _, z := range w.zones {
		if z.private {
			continue
		}
		for owner, recs := range z.records {
			_ = owner
			for _, r := range recs {
				if r.rtype == 5 /* CNAME */ {
					return "https://" + strings.TrimSuffix(r.name, ".") + "/"
				}
			}
		}
	}
	return ""
}
