package spec

import (
	"fmt"
	"math"
	"reflect"
	"runtime"
	"strings"
	"testing"
)

// decodeWith decodes data with the VPC list read in parts when parts is
// true, in one part otherwise.
func decodeWith(data []byte, parts bool) (WorldSpec, bool) {
	defer func(n int) { parallelOver = n }(parallelOver)
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(2))
	parallelOver = math.MaxInt
	if parts {
		parallelOver = -1
	}
	var ws WorldSpec
	ok := FastDecode(data, &ws)
	return ws, ok
}

// vpcText is one VPC item of a world's list, indented by ind.
func vpcText(ind string, i int) string {
	return fmt.Sprintf(`%[1]s- name: vpc-%[2]d
%[1]s  cidr: 10.%[2]d.0.0/16
%[1]s  subnets:
%[1]s    - {name: s-%[2]d, cidr: 10.%[2]d.1.0/24, route_table: rt-%[2]d, network_acl: acl-%[2]d}
%[1]s  security_groups:
%[1]s    - name: sg-%[2]d
%[1]s      ingress:
%[1]s        - {protocol: tcp, ports: 443, source: 0.0.0.0/0}
%[1]s        - {protocol: tcp, ports: 1024-65535, source: sg-%[2]d}
%[1]s      egress: []
%[1]s  instances:
%[1]s    - name: i-%[2]d
%[1]s      subnet: s-%[2]d
%[1]s      private_ip: 10.%[2]d.1.10
%[1]s      services:
%[1]s        - {name: web, protocol: tcp, port: 8080, http: {"/": 200}}
`, ind, i)
}

func vpcList(ind string, n int, between string) string {
	var b strings.Builder
	for i := range n {
		if i > 0 {
			b.WriteString(between)
		}
		b.WriteString(vpcText(ind, i))
	}
	return b.String()
}

// TestDecodeInParts: a world whose VPC list is read in two parts at once
// decodes to exactly what the one-part decode gives, and is refused
// exactly when that one refuses it.
func TestDecodeInParts(t *testing.T) {
	head := "name: w\n"
	for _, tc := range []struct {
		name   string
		text   string
		ok     bool
		inPart bool // the parts are read (not handed back to the one-part decode)
	}{
		{"list then more keys", head + "vpcs:\n" + vpcList("  ", 5, "") + "peerings:\n  - {name: p, vpcs: [vpc-0, vpc-1], status: active}\n", true, true},
		{"list ends the file", head + "vpcs:\n" + vpcList("  ", 4, ""), true, true},
		{"no final newline", head + "vpcs:\n" + strings.TrimSuffix(vpcList("  ", 3, ""), "\n"), true, true},
		{"comments and blank lines between", head + "vpcs:\n" + vpcList("  ", 6, "\n# a comment at column 0\n    # and one deeper\n\n") + "\n# done\npeerings: []\n", true, true},
		{"two items", head + "vpcs:\n" + vpcList("  ", 2, ""), true, true},
		{"one item", head + "vpcs:\n" + vpcList("  ", 1, ""), true, false},
		{"list at column 0 ending the file", head + "vpcs:\n" + vpcList("", 4, ""), true, true},
		{"list at column 0 then a key", head + "vpcs:\n" + vpcList("", 4, "") + "peerings: []\n", false, false},
		{"unknown key in the second half", head + "vpcs:\n" + vpcList("  ", 4, "") + "    colour: red\n", false, true},
		{"unknown key in the first half", head + "vpcs:\n" + strings.Replace(vpcList("  ", 4, ""), "    cidr: 10.0.0.0/16\n", "    cidr: 10.0.0.0/16\n    colour: red\n", 1), false, true},
		{"document marker inside", head + "vpcs:\n" + vpcList("  ", 2, "---\n"), false, false},
		{"document marker after", head + "vpcs:\n" + vpcList("  ", 3, "") + "---\nname: x\n", false, true},
		{"dash without space at the column", head + "vpcs:\n" + vpcList("  ", 2, "  -x\n"), false, false},
		{"deeper line after the list", head + "vpcs:\n" + vpcList("  ", 3, "") + "      stray: 1\n", false, true},
		{"duplicate vpcs key", head + "vpcs:\n" + vpcList("  ", 2, "") + "vpcs:\n" + vpcList("  ", 2, ""), false, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			data := []byte(tc.text)
			one, ok1 := decodeWith(data, false)
			before := partsRead.Load()
			two, ok2 := decodeWith(data, true)
			read := partsRead.Load() > before
			if ok1 != tc.ok || ok2 != tc.ok {
				t.Fatalf("one part: %v, in parts: %v; want %v", ok1, ok2, tc.ok)
			}
			if read != tc.inPart {
				t.Errorf("read in parts: %v; want %v", read, tc.inPart)
			}
			if ok1 && !reflect.DeepEqual(one, two) {
				t.Errorf("decoded differently:\none part %+v\nin parts %+v", one, two)
			}
			if ok1 && len(one.VPCs) == 0 {
				t.Errorf("no VPCs decoded")
			}
		})
	}
}

// FuzzDecodeInParts: whatever the text, the decode in parts agrees with
// the one-part decode (same verdict, same value).
func FuzzDecodeInParts(f *testing.F) {
	f.Add([]byte("name: w\nvpcs:\n" + vpcList("  ", 3, "") + "peerings: []\n"))
	f.Add([]byte("name: w\nvpcs:\n" + vpcList("", 2, "\n# c\n")))
	f.Add([]byte("vpcs:\n  - name: a\n  - name: b\n    cidr: 10.0.0.0/16\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		one, ok1 := decodeWith(data, false)
		two, ok2 := decodeWith(data, true)
		if ok1 != ok2 {
			t.Fatalf("one part: %v, in parts: %v:\n%s", ok1, ok2, data)
		}
		if ok1 && !reflect.DeepEqual(one, two) {
			t.Fatalf("decoded differently:\none part %+v\nin parts %+v\n%s", one, two, data)
		}
	})
}
