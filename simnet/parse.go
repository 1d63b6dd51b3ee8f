package simnet

import (
	"github.com/pathlab/pathlab/simnet/spec"
)

// Load reads, validates and compiles a world file.
func Load(path string) (*World, error) {
	data, err := spec.ReadWorldFile(path)
	if err != nil {
		return nil, err
	}
	_, w, err := parseWorldOwned(path, data, true)
	return w, err
}

// LoadSpec reads and validates a world file without compiling it.
func LoadSpec(path string) (*spec.WorldSpec, error) {
	data, err := spec.ReadWorldFile(path)
	if err != nil {
		return nil, err
	}
	spec, _, err := parseWorldOwned(path, data, true)
	return spec, err
}

// Parse parses, validates and compiles a world from memory; name is used in
// messages.
func Parse(name string, data []byte) (*World, error) {
	_, w, err := parseWorld(name, data)
	return w, err
}

// ParseSpec parses a world file strictly (unknown fields are errors) and
// validates it as a whole: the error lists every problem, each with its
// line and column.
func ParseSpec(name string, data []byte) (*spec.WorldSpec, error) {
	spec, _, err := parseWorld(name, data)
	return spec, err
}

// parseWorld parses, decodes and compiles a world once: validating is
// compiling, so the World that validation builds is the one returned.
func parseWorld(name string, data []byte) (*spec.WorldSpec, *World, error) {
	return parseWorldOwned(name, data, false)
}

// parseWorldOwned is parseWorld; owned says the caller hands data over
// (it read the file and keeps no other reference), so the world's strings
// may point into it.
func parseWorldOwned(name string, data []byte, owned bool) (*spec.WorldSpec, *World, error) {
	defer relaxGC(len(data))() // load_gc.go
	if ws, w, problems := fastWorld(name, data, owned); w != nil {
		return ws, w, nil
	} else if problems != nil {
		return nil, nil, &spec.Error{File: name, Problems: problems}
	}
	file, problems := spec.WorldDoc.Parse(name, data)
	if problems != nil {
		return nil, nil, &spec.Error{File: name, Problems: problems}
	}
	var ws spec.WorldSpec
	if problems := spec.WorldDoc.Decode(name, file, &ws); problems != nil {
		return nil, nil, &spec.Error{File: name, Problems: problems}
	}
	w, problems := compile(&ws)
	if len(problems) > 0 {
		spec.Locate(name, file, problems)
		return nil, nil, &spec.Error{File: name, Problems: problems}
	}
	spec.Locate(name, file, w.warnings)
	return &ws, w, nil
}
