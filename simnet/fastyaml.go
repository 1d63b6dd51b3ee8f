package simnet

import (
	"bytes"
	"github.com/pathlab/pathlab/simnet/spec"
)

// fastWorld loads a world through fastDecode when the file is in the plain
// subset and valid; nil otherwise, and the general path takes over (and
// words the problems). The spec returned is the World's own: callers that
// edit a spec take World.Spec, a copy.
//
// A file larger than the general path takes (fastLocateOver) has its
// problems located here, by fastLocate.
//
// owned says data is the caller's to give (Load read it): the spec's
// strings may then be substrings of data itself instead of a copy.
func fastWorld(name string, data []byte, owned bool) (*spec.WorldSpec, *World, []spec.Problem) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	if len(data) > spec.WorldDoc.MaxSize {
		return nil, nil, nil
	}
	var ws spec.WorldSpec
	decode := spec.FastDecode
	if owned {
		decode = spec.FastDecodeOwned
	}
	if !decode(data, &ws) {
		return nil, nil, nil
	}
	w, problems := compileSpec(&ws, &ws)
	if len(problems) > 0 {
		if spec.LocateHere(data) {
			spec.FastLocate(name, data, problems)
			return nil, nil, problems
		}
		return nil, nil, nil
	}
	if len(w.warnings) > 0 {
		// Warnings name a line and column too, which fastLocate finds when
		// they are first asked for (only check and play ask); it places
		// them where the general reader does (TestFastLocateWarningsAgree).
		// A trace of a built-in world with a warning used to read the
		// world a second time with the general reader, for nothing.
		w.locateWarnings = func() { spec.FastLocate(name, data, w.warnings) }
	}
	return &ws, w, nil
}
