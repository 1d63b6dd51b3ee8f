package spec

import (
	"math/rand/v2"
	"strings"
	"testing"
)

// plainBytesByByte is plainBytes one byte at a time, as FastDecode
// checked before: the reference for the word-at-a-time scan.
func plainBytesByByte(data []byte) (ok, high bool) {
	for _, c := range data {
		if c < 0x20 && c != '\n' || c == 0x7f {
			return false, high
		}
		high = high || c >= 0x80
	}
	return true, high
}

// TestPlainBytes: the word-at-a-time scan judges every byte as the
// byte-at-a-time one does, wherever in a word the byte falls.
func TestPlainBytes(t *testing.T) {
	base := []byte("name: shop\nvpcs:\n  - {name: a, cidr: 10.0.0.0/16}\n")
	for _, tc := range []struct {
		name     string
		b        byte
		ok, high bool
	}{
		{"space", ' ', true, false},
		{"newline", '\n', true, false},
		{"tab", '\t', false, false},
		{"NUL", 0, false, false},
		{"carriage return", '\r', false, false},
		{"unit separator", 0x1f, false, false},
		{"DEL", 0x7f, false, false},
		{"tilde", '~', true, false},
		{"0x80", 0x80, true, true},
		{"0xff", 0xff, true, true},
		{"0x9f", 0x9f, true, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for at := range len(base) {
				d := append([]byte(nil), base...)
				d[at] = tc.b
				ok, high := plainBytes(d)
				if ok != tc.ok || (ok && high != tc.high) {
					t.Fatalf("byte %#x at %d: plainBytes = %v, %v; want %v, %v", tc.b, at, ok, high, tc.ok, tc.high)
				}
			}
		})
	}
	r := rand.New(rand.NewPCG(1, 2))
	for range 20000 {
		d := make([]byte, r.IntN(40))
		for i := range d {
			d[i] = byte(0x20 + r.IntN(0x5f))
			if r.IntN(30) == 0 {
				d[i] = byte(r.IntN(256))
			}
		}
		gok, ghigh := plainBytes(d)
		wok, whigh := plainBytesByByte(d)
		if gok != wok || (gok && ghigh != whigh) {
			t.Fatalf("%q: plainBytes = %v, %v; want %v, %v", d, gok, ghigh, wok, whigh)
		}
	}
}

// numberLikeBefore is numberLike as it was before its quick exit for
// names: the reference.
func numberLikeBefore(s string) bool {
	if s == "" {
		return false
	}
	t := strings.ToLower(s)
	if strings.HasSuffix(t, ".inf") || t == ".nan" {
		return true
	}
	t = strings.TrimLeft(t, "+-")
	if t == "" {
		return false
	}
	if t[0] == '.' {
		t = t[1:]
	}
	if t == "" || t[0] < '0' || t[0] > '9' {
		return false
	}
	dots := 0
	for i := range len(t) {
		c := t[i]
		switch {
		case c >= '0' && c <= '9', c == '_':
		case c == '.':
			dots++
		case c == 'e' || c == 'x' || c == 'o' || c == 'b' || (c >= 'a' && c <= 'f') || c == '+' || c == '-' || c == ':':
		default:
			return false
		}
	}
	return dots <= 1
}

// TestNumberLikeUnchanged: numberLike and boolWord judge every short
// string over the characters that matter exactly as before.
func TestNumberLikeUnchanged(t *testing.T) {
	alphabet := "09+-._:eExXoObBfFiInNaAtTyYsSlLuUr /~"
	var walk func(s string, depth int)
	n := 0
	walk = func(s string, depth int) {
		n++
		if got, want := numberLike(s), numberLikeBefore(s); got != want {
			t.Fatalf("numberLike(%q) = %v; before it was %v", s, got, want)
		}
		if got, want := boolWord(s), boolWordBefore(s); got != want {
			t.Fatalf("boolWord(%q) = %v; before it was %v", s, got, want)
		}
		if depth == 0 {
			return
		}
		for i := range len(alphabet) {
			walk(s+alphabet[i:i+1], depth-1)
		}
	}
	walk("", 4)
	for _, s := range []string{".inf", "-.INF", "+.Inf", ".NaN", "x.inf", "sg-web", "10.0.0.0/16", "1e5", "0x1F", "1_000", "12:30", "tcp", "1024-65535", "TRUE", "Off", "nope", "yes!"} {
		if numberLike(s) != numberLikeBefore(s) || boolWord(s) != boolWordBefore(s) {
			t.Errorf("%q judged differently", s)
		}
	}
	t.Logf("%d strings compared", n)
}

func boolWordBefore(s string) bool {
	switch strings.ToLower(s) {
	case "true", "false", "yes", "no", "on", "off", "y", "n":
		return true
	}
	return false
}
