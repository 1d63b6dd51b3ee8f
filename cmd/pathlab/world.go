package main

import (
	"errors"
	"io/fs"
	"os"
	"strings"

	"github.com/pathlab/pathlab/simnet"
	"github.com/pathlab/pathlab/simnet/spec"
	"github.com/pathlab/pathlab/tracer"
)

// loadWorld loads --world FILE, or a built-in world by name ("builtin:mesh"
// or a bare built-in name), or the default world when empty.
func loadWorld(path string) (*simnet.World, error) {
	var w *simnet.World
	var err error
	switch {
	case path == "":
		w, err = simnet.LoadBuiltin(simnet.DefaultWorld)
	case len(path) > 8 && path[:8] == "builtin:":
		w, err = simnet.LoadBuiltin(path[8:])
	default:
		// A name that is no file but a built-in world's name is that world.
		if _, statErr := os.Stat(path); errors.Is(statErr, fs.ErrNotExist) && !strings.ContainsAny(path, "/.") {
			if w2, err2 := simnet.LoadBuiltin(path); err2 == nil {
				return w2, nil
			}
			return nil, usageErr("--world %s: no such file, and no built-in world of that name (built-in: %s)", path, strings.Join(simnet.BuiltinNames(), ", "))
		}
		if worldImporter != nil {
			if w2, ok, err2 := worldImporter(path); ok {
				return w2, err2 // a plan, a state or AWS CLI output, imported in memory
			}
		}
		w, err = simnet.Load(path)
	}
	if err != nil {
		if errors.Is(err, spec.ErrInvalid) {
			return nil, usageErr("%v\n(fix the world file and run again; 'pathlab check FILE' lists every problem)", err)
		}
		return nil, usageErr("%v", err)
	}
	return w, nil
}

// worldImporter, when set, loads --world from a Terraform plan or state or
// from AWS CLI output; ok is false when path is none of them.
var worldImporter func(path string) (w *simnet.World, ok bool, err error)

// loadRequest loads --world and reads the request to follow: TARGET when
// given, else the world's headline request.
func loadRequest(worldFile string, args []string) (*simnet.World, tracer.Target, error) {
	w, err := loadWorld(worldFile)
	if err != nil {
		return nil, tracer.Target{}, err
	}
	raw := w.Headline()
	if len(args) == 1 {
		if args[0] == "" {
			// An empty TARGET is a mistake, not a request for the headline.
			_, err := tracer.ParseTarget("")
			return nil, tracer.Target{}, usageErr("%v", err)
		}
		raw = args[0]
	}
	if raw == "" {
		return nil, tracer.Target{}, usageErr("world %s has no headline request; give a TARGET such as https://NAME/ or tcp://HOST:PORT", w.Name)
	}
	target, err := tracer.ParseTarget(raw)
	if err != nil {
		return nil, tracer.Target{}, usageErr("%v", err)
	}
	return w, target, nil
}

// fromErr turns an error of a trace into bad input: an unknown --from is
// the usual one.
func fromErr(err error) error {
	if errors.Is(err, simnet.ErrUnknownName) {
		return usageErr("--from: %v", err)
	}
	return usageErr("%v", err)
}
