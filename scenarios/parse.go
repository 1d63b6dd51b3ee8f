package scenarios

import (
	"errors"
	"strings"

	"github.com/pathlab/pathlab/simnet/spec"
)

// ErrInvalid is wrapped by every error about a bad scenario file; test it
// with errors.Is.
var ErrInvalid = errors.New("invalid scenario")

// MaxFileSize bounds a scenario file.
const MaxFileSize = 1 << 20

// maxExpandedNodes bounds what YAML aliases may expand to.
const maxExpandedNodes = 50_000

// Error is a bad scenario file: every problem found, in file order. Each
// problem reads file:line:col: message, as simnet's errors do.
type Error struct {
	File     string
	Problems []spec.Problem
}

func (e *Error) Error() string {
	var b strings.Builder
	for i, p := range e.Problems {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(p.String())
	}
	return b.String()
}

// Is makes errors.Is(err, ErrInvalid) true.
func (e *Error) Is(target error) bool { return target == ErrInvalid }

// scenarioDoc reads scenario files, with the same checks and messages as
// world files.
var scenarioDoc = spec.YAMLDoc{
	What:       "scenario",
	Start:      "'id:'",
	EmptyHint:  "a scenario needs at least an id, a title, a world and a ticket (see the README)",
	NotMapping: "the scenario must be a YAML mapping (keys such as id:, title:, world:)",
	Format:     "the scenario format in the README",
	MaxSize:    MaxFileSize,
	MaxNodes:   maxExpandedNodes,
}
