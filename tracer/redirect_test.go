package tracer

import "testing"

// TestResolveLocation: a Location is read against the request it answers
// (RFC 9110, 10.2.2), and only http and https are followed.
func TestResolveLocation(t *testing.T) {
	base, _ := ParseTarget("https://shop.example.com/a/b")
	tests := []struct{ loc, want string }{
		{"https://shop.example.com:443/", "https://shop.example.com:443:/"},
		{"/x", "https://shop.example.com:443:/x"},
		{"c", "https://shop.example.com:443:/a/c"},
		{"http://www.example.com:8080/p?q=1", "http://www.example.com:8080:/p?q=1"},
		{"ftp://x/", ""},
	}
	for _, tt := range tests {
		got, err := resolveLocation(base, tt.loc)
		if tt.want == "" {
			if err == nil {
				t.Errorf("%q: resolved to %v; want refused", tt.loc, got)
			}
			continue
		}
		if err != nil {
			t.Errorf("%q: %v", tt.loc, err)
			continue
		}
		if s := got.Scheme + "://" + got.Host + ":" + itoa(int(got.Port)) + ":" + got.Path; s != tt.want {
			t.Errorf("%q: %s; want %s", tt.loc, s, tt.want)
		}
	}
	a, _ := ParseTarget("https://shop.example.com/")
	b, _ := ParseTarget("https://SHOP.example.com:443/")
	if targetKey(a) != targetKey(b) {
		t.Errorf("%s and %s are one URL: keys %s, %s", a, b, targetKey(a), targetKey(b))
	}
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	s := ""
	for ; n > 0; n /= 10 {
		s = string(rune('0'+n%10)) + s
	}
	return s
}

// FuzzResolveLocation: any Location header either resolves to an http or
// https target with a host and a port, the same each time, or is refused;
// never a panic.
func FuzzResolveLocation(f *testing.F) {
	for _, s := range []string{"https://shop.example.com:443/", "/x", "c", "//other/", "http://[::1]:80/", "?q", "#f", "https://a:0/"} {
		f.Add(s)
	}
	base, _ := ParseTarget("https://shop.example.com/a/b")
	f.Fuzz(func(t *testing.T, loc string) {
		got, err := resolveLocation(base, loc)
		if err != nil {
			return
		}
		if got.Scheme != "http" && got.Scheme != "https" || got.Host == "" || got.Port == 0 {
			t.Fatalf("%q → %+v", loc, got)
		}
		again, _ := resolveLocation(base, loc)
		if targetKey(again) != targetKey(got) {
			t.Fatalf("%q resolves to %s, then %s", loc, targetKey(got), targetKey(again))
		}
	})
}
