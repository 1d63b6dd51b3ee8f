package main

import (
	"strings"
	"testing"
)

// TestLabBadInput: bad arguments exit 2 with a message saying what to do,
// before anything is built.
func TestLabBadInput(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"lab", "up"}, "lab up needs one WORLD or SCENARIO"},
		{[]string{"lab", "up", "no-such-world"}, "no built-in world, library scenario or file of that name"},
		{[]string{"lab", "up", "shop", "--name", "Bad.Name"}, "lab name"},
		{[]string{"lab", "exec", "browser"}, "lab exec needs a HOST and a command"},
		{[]string{"lab", "shell"}, "lab shell needs one HOST"},
		{[]string{"lab", "down", "--name", "a.b"}, "lab name"},
		{[]string{"lab", "verify", "no-such-world"}, "no built-in world, library scenario or file of that name"},
		{[]string{"lab", "status", "--name", "x_y"}, "lab name"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			_, stderr, code := runPathlab(t, false, nil, tt.args...)
			if code != 2 || !strings.Contains(stderr, tt.want) {
				t.Errorf("pathlab %s: exit %d, stderr %q; want 2 and %q", strings.Join(tt.args, " "), code, stderr, tt.want)
			}
		})
	}
}

func TestDefaultLabName(t *testing.T) {
	tests := map[string]string{"shop": "shop", "My World_2": "my-world-2", "": "lab", strings.Repeat("x", 40): strings.Repeat("x", 32)}
	for in, want := range tests {
		if got := defaultLabName(in); got != want {
			t.Errorf("defaultLabName(%q) = %q; want %q", in, got, want)
		}
	}
}
