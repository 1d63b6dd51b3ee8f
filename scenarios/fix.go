package scenarios

import (
	"errors"
	"fmt"
	"strings"

	"github.com/pathlab/pathlab/simnet"
	"github.com/pathlab/pathlab/simnet/spec"
)

// The fix commands a learner types in the play shell ("sg sg-app add
// ingress tcp 8080 from sg-lb") are simnet edits: typed changes to a world
// spec, whose String is the command line. Faults break worlds with the
// same edits, so the library proves itself through the commands a learner
// has.

// ErrUsage is wrapped by every error about a fix command written wrongly
// (as opposed to one that names something the world lacks).
var ErrUsage = spec.ErrEditUsage

// FixUsage is the usage of each fix verb, one line per form: the edits
// without the forms only faults make.
var FixUsage = operatorUsage()

func operatorUsage() map[string][]string {
	out := map[string][]string{}
	for verb, lines := range spec.EditUsage {
		for _, l := range lines {
			if !strings.HasPrefix(l, "peering NAME status") && !strings.HasPrefix(l, "cert NAME reissue") {
				out[verb] = append(out[verb], l)
			}
		}
	}
	return out
}

// Operable refuses the edits no operator can make, which only faults
// make: a peering's status is the provider's, a certificate's dates the
// authority's.
func Operable(e spec.Edit) error {
	switch f := e.(type) {
	case spec.PeeringStatusEdit:
		return fmt.Errorf("a peering's status is the provider's to set, not yours: accept a request (peering %s accept), or create a new peering (peering create NAME VPC VPC)", f.Name)
	case spec.CertReissueEdit:
		return fmt.Errorf("a certificate's dates are the authority's to set, not yours: renew it (cert %s renew [DOMAIN...])", f.Cert)
	}
	return nil
}

// FixVerbs lists the fix verbs in the order help shows them.
var FixVerbs = spec.EditVerbs

// ParseFix reads a fix command's words: an edit an operator can make. It
// checks the form only; names are checked against a world when the fix is
// applied.
func ParseFix(words []string) (spec.Edit, error) {
	e, err := spec.ParseEditWords(words)
	if err != nil {
		return nil, err
	}
	if err := Operable(e); err != nil {
		return nil, err
	}
	return e, nil
}

// ParseFixLine splits and parses one fix command line.
func ParseFixLine(line string) (spec.Edit, error) {
	words, err := SplitLine(line)
	if err != nil {
		return nil, err
	}
	return ParseFix(words)
}

// ApplyFix applies a fix to a copy of spec and validates the result as a
// whole. On any error spec is untouched and the returned spec is nil.
func ApplyFix(spec *spec.WorldSpec, f spec.Edit) (*spec.WorldSpec, string, error) {
	next, _, msg, err := Change(spec, f)
	return next, msg, err
}

// Change applies a fix to a copy of spec and compiles the result, once:
// the compiled world is the validation. On any error spec is untouched and
// the returned spec and world are nil.
func Change(ws *spec.WorldSpec, f spec.Edit) (*spec.WorldSpec, *simnet.World, string, error) {
	next := ws.Clone()
	_, msg, err := spec.ApplyEdit(next, f)
	if err != nil {
		return nil, nil, "", err
	}
	w, err := simnet.Compile(next)
	if err != nil {
		return nil, nil, "", invalidResult(err)
	}
	return next, w, msg, nil
}

// ApplyFixes applies fixes in order to a copy of spec, validating only the
// end result, and compiles it once.
func ApplyFixes(spec *spec.WorldSpec, fixes []spec.Edit) (*spec.WorldSpec, *simnet.World, error) {
	next := spec.Clone()
	for _, f := range fixes {
		if _, err := f.Apply(next); err != nil {
			return nil, nil, err
		}
	}
	w, err := simnet.Compile(next)
	if err != nil {
		return nil, nil, invalidResult(err)
	}
	return next, w, nil
}

// FixLines writes edits as command lines.
func FixLines(fixes []spec.Edit) []string {
	out := make([]string, len(fixes))
	for i, f := range fixes {
		out[i] = f.String()
	}
	return out
}

// invalidResult words a validation failure of an edited world.
func invalidResult(err error) error {
	var se *spec.Error
	if !errors.As(err, &se) {
		return err
	}
	var b strings.Builder
	b.WriteString("the world would not be valid, so nothing changed:")
	for _, p := range se.Problems {
		b.WriteString("\n  ")
		if p.Path != "" {
			b.WriteString(p.Path + ": ")
		}
		b.WriteString(p.Msg)
	}
	return &ValidationError{Msg: b.String(), Err: err}
}

// ValidationError is a fix refused because the edited world would not
// validate.
type ValidationError struct {
	Msg string
	Err error
}

func (e *ValidationError) Error() string { return e.Msg }
func (e *ValidationError) Unwrap() error { return e.Err }
