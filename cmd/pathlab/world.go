package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"

	"github.com/pathlab/pathlab/simnet"
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
		w, err = simnet.Load(path)
	}
	if err != nil {
		if errors.Is(err, simnet.ErrInvalid) {
			return nil, usageErr("%v\n(fix the world file and run again; 'pathlab check FILE' lists every problem)", err)
		}
		return nil, usageErr("%v", err)
	}
	return w, nil
}

var _ = fmt.Sprintf
