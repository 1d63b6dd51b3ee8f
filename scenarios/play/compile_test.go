package play

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/pathlab/pathlab/simnet"
)

// TestCompileOnce counts compilations: starting a shell over a built
// setup compiles nothing (the setup carries its world), each fix typed in
// the shell compiles the edited world once, a fix refused before it edits
// anything compiles nothing, check and its review compile nothing, and
// undo brings the old world back without compiling. The counter is process-wide, so this test is not parallel.
func TestCompileOnce(t *testing.T) {
	ctx := context.Background()
	st, err := libraryScenario(t, "shop-sg-app-ingress").Build()
	if err != nil {
		t.Fatal(err)
	}
	if st.World == nil {
		t.Fatal("the setup carries no compiled world")
	}
	var out bytes.Buffer
	before := simnet.Compilations()
	sh, err := New(ctx, st, &out, Options{Now: newClock().Now})
	if err != nil {
		t.Fatal(err)
	}
	if n := simnet.Compilations() - before; n != 0 {
		t.Errorf("starting the shell compiled %d times; want 0", n)
	}
	steps := []struct {
		line string
		want uint64
		out  string
	}{
		{"sg sg-app add ingress tcp 8080 from sg-lb", 1, "ok: sg-app: added ingress tcp 8080 from sg-lb"},
		{"check", 0, "solved"},
		{"lb web-lb target-group tg-app port 8081", 1, "ok: web-lb: target group tg-app now sends to port 8081"},
		{"route rt-public add 10.0.0.0/16 via igw-prod", 1, "the world would not be valid"},
		{"route rt-public replace 0.0.0.0/0 via igw-nope", 0, "route target \"igw-nope\" does not exist"},
		{"sg sg-app add ingress tcp 8080 from sg-lb", 0, "already has the rule"},
		{"sg sg-app add", 0, "usage: sg NAME"},
		{"undo", 0, "undone: lb web-lb target-group tg-app port 8081"},
		{"undo", 0, "undone: sg sg-app add ingress tcp 8080 from sg-lb"},
		{"nacl acl-open add ingress rule 90 deny tcp 443 0.0.0.0/0", 1, "ok: acl-open: added ingress rule 90 deny tcp 443 0.0.0.0/0"},
		{"check", 0, "not solved yet"},
	}
	for _, s := range steps {
		out.Reset()
		before := simnet.Compilations()
		sh.Exec(ctx, s.line)
		if n := simnet.Compilations() - before; n != s.want {
			t.Errorf("%q compiled %d times; want %d", s.line, n, s.want)
		}
		if !strings.Contains(out.String(), s.out) {
			t.Errorf("%q printed %q; want it to hold %q", s.line, out.String(), s.out)
		}
	}
	if got := sh.World(); got == st.World {
		t.Errorf("after a fix the shell still plays the starting world")
	}
}
