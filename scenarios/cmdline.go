package scenarios

import "github.com/pathlab/pathlab/simnet"

// ErrSyntax is wrapped by every error about a command line that cannot be
// read (an open quote, a dangling escape, control bytes).
var ErrSyntax = simnet.ErrSyntax

// MaxLine bounds a command line; longer input is refused, not truncated.
const MaxLine = simnet.MaxLine

// SplitLine splits a shell command line into words as a POSIX shell would
// for simple commands; see simnet.SplitLine.
func SplitLine(line string) ([]string, error) { return simnet.SplitLine(line) }

// JoinLine quotes words so that SplitLine reads them back.
func JoinLine(words []string) string { return simnet.JoinLine(words) }
