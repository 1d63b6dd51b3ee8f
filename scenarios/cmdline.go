package scenarios

import (
	"github.com/pathlab/pathlab/simnet/spec"
)

// ErrSyntax is wrapped by every error about a command line that cannot be
// read (an open quote, a dangling escape, control bytes).
var ErrSyntax = spec.ErrSyntax

// MaxLine bounds a command line; longer input is refused, not truncated.
const MaxLine = spec.MaxLine

// SplitLine splits a shell command line into words as a POSIX shell would
// for simple commands; see simnet.SplitLine.
func SplitLine(line string) ([]string, error) { return spec.SplitLine(line) }

// JoinLine quotes words so that SplitLine reads them back.
func JoinLine(words []string) string { return spec.JoinLine(words) }
