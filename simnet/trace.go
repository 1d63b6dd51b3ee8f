package simnet

import (
	"context"
	"embed"
	"fmt"
	"github.com/miekg/dns"
	"io/fs"
	"slices"
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

// TraceFollow is Trace that also follows the redirects the request is
// answered with, as curl -L does (up to tracer.MaxRedirects, curl's
// default --max-redirs): what `pathlab trace` shows. Checks and reviews
// judge the request itself, with Trace.
func (w *World) TraceFollow(ctx context.Context, from string, target tracer.Target) (*tracer.Report, error) {
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
	if err := tracer.FollowRedirects(ctx, n, r, from, tracer.MaxRedirects); err != nil {
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

// Headline is the request a world is about. A world names it in its
// description, on a line "headline: URL" (extension); otherwise it is the
// first alias (in name order) of its public zones, over https.
func (w *World) Headline() string {
	for _, line := range strings.Split(w.spec.Description, "\n") {
		if rest, ok := strings.CutPrefix(strings.TrimSpace(line), "headline:"); ok {
			return strings.TrimSpace(rest)
		}
	}
	var aliases []string
	for _, z := range w.zones {
		if z.private {
			continue
		}
		z.data.Owners(func(owner string, recs []dns.RR) {
			if len(recs) > 0 && recs[0].Header().Rrtype == dns.TypeCNAME {
				aliases = append(aliases, strings.TrimSuffix(owner, "."))
			}
		})
	}
	if len(aliases) == 0 {
		return ""
	}
	return "https://" + slices.Min(aliases) + "/"
}
