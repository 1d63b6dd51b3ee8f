package simnet

import (
	"regexp"
	"strings"
	"testing"
)

// TestWorldNameOK: the hand-written check is the regular expression it
// replaced.
func TestWorldNameOK(t *testing.T) {
	re := regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)
	names := []string{"", "shop", "Shop-2.v1_x", "-shop", ".shop", "_shop", "9", "a/b", "../x", "a b", "a\n", "shop\x00",
		"é", "a.", strings.Repeat("a", 64), strings.Repeat("a", 65), "a" + strings.Repeat("-", 63), "a" + strings.Repeat("-", 64)}
	for _, n := range names {
		if got, want := worldNameOK(n), re.MatchString(n); got != want {
			t.Errorf("worldNameOK(%q) = %v; the pattern says %v", n, got, want)
		}
	}
}

func FuzzWorldNameOK(f *testing.F) {
	re := regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)
	for _, n := range []string{"shop", "-x", "a.b_c-d", strings.Repeat("z", 64)} {
		f.Add(n)
	}
	f.Fuzz(func(t *testing.T, n string) {
		if got, want := worldNameOK(n), re.MatchString(n); got != want {
			t.Errorf("worldNameOK(%q) = %v; the pattern says %v", n, got, want)
		}
	})
}
