package simnet

import (
	"context"
	"errors"
	"net/netip"
	"reflect"
	"strings"
	"testing"

	"github.com/miekg/dns"
	"github.com/pathlab/pathlab/simnet/spec"
	"github.com/pathlab/pathlab/tracer"
)

// rootNameWorlds are the root-name crashes of issue 16 as world files: each
// must be refused by validation, naming the line of the bad value. They are
// also FuzzParse seeds.
var rootNameWorlds = []struct {
	name string
	yaml string
	line int
	frag string
}{
	{"cname-to-root", `name: w
dns:
  zones:
    - name: example.com
      nameservers: [{name: ns1.example.com, ip: 192.0.2.53}]
      records:
        - {name: shop, type: CNAME, value: "."}
`, 7, `CNAME value "." is the root name`},
	{"ns-to-root", `name: w
dns:
  zones:
    - name: example.com
      nameservers: [{name: ns1.example.com, ip: 192.0.2.53}]
      records:
        - {name: sub, type: NS, values: ["."]}
`, 7, `NS value "." is the root name`},
	{"root-zone", `name: w
dns:
  zones:
    - name: "."
      nameservers: [{name: ns1.example.com, ip: 192.0.2.53}]
`, 4, `zone name "." is the root of the DNS`},
	{"delegation-to-root", `name: w
dns:
  zones:
    - name: example.com
      nameservers: [{name: ns1.example.com, ip: 192.0.2.53}]
      delegation: [{name: ".", ip: 192.0.2.54}]
`, 6, `nameserver name "." is the root name`},
}

func TestRootNameRefused(t *testing.T) {
	for _, tt := range rootNameWorlds {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse(tt.name+".yaml", []byte(tt.yaml))
			var e *spec.Error
			if !errors.As(err, &e) {
				t.Fatalf("Parse = %v; want a *simnet.Error", err)
			}
			found := false
			for _, p := range e.Problems {
				if p.Line == tt.line && strings.Contains(p.Msg, tt.frag) {
					found = true
				}
			}
			if !found {
				t.Errorf("no problem at line %d containing %q:\n%v", tt.line, tt.frag, err)
			}
		})
	}
}

// TestResolveRootName is the crash at resolve.go (index -1) and the packet
// views of packets.go: resolving the root name itself answers NODATA from
// the root, and its packets build.
func TestResolveRootName(t *testing.T) {
	w, err := LoadBuiltin(DefaultWorld)
	if err != nil {
		t.Fatal(err)
	}
	for _, from := range []string{"browser", "app-1"} {
		n, err := w.From(from)
		if err != nil {
			t.Fatal(err)
		}
		a, err := n.Resolve(context.Background(), ".", dns.TypeA)
		if err != nil {
			t.Fatalf("Resolve(.) from %s: %v", from, err)
		}
		var codes []tracer.Code
		for _, h := range a.Hops {
			codes = append(codes, h.Code)
		}
		if len(a.Hops) == 0 || !contains(codes, tracer.DNSNoData) {
			t.Errorf("Resolve(.) from %s: hops %v; want a DNS_NODATA", from, codes)
		}
		n.dnsPackets(a, netip.MustParseAddr("198.51.100.53")) // must not panic
	}
}

func contains[T comparable](s []T, v T) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

// TestBOMAccepted: a UTF-8 byte order mark, as Windows editors write, is
// no error (issue 16 saw it refused at 14:1).
func TestBOMAccepted(t *testing.T) {
	b, err := Builtin(DefaultWorld)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Parse("bom.yaml", append([]byte("\xef\xbb\xbf"), b...)); err != nil {
		t.Errorf("a world with a BOM: %v", err)
	}
}

// TestUnknownKeysAllInOrder: every unknown key is reported, in file
// order, with a suggestion where one is close, and the same every run
// (issue 16 saw one key, a different one between runs).
func TestUnknownKeysAllInOrder(t *testing.T) {
	data := []byte(`name: w
descripton: a typo
internet:
  clientz: []
  servers:
    - {name: s, ip: 192.0.2.80, service: [], firewal: []}
vpcs:
  - name: v
    cidr: 10.0.0.0/16
    subnet: []
    colour: blue
zzz: 1
`)
	want := []string{
		`u.yaml:2:1: unknown key "descripton"; did you mean "description"?`,
		`u.yaml:4:3: unknown key "clientz" in internet; did you mean "clients"?`,
		`u.yaml:6:33: unknown key "service" in servers; did you mean "services"?`,
		`u.yaml:6:46: unknown key "firewal" in servers; did you mean "firewall"?`,
		`u.yaml:10:5: unknown key "subnet" in vpcs; did you mean "subnets"?`,
		`u.yaml:11:5: unknown key "colour" in vpcs; check the spelling against WORLD-FORMAT.md`,
		`u.yaml:12:1: unknown key "zzz"; check the spelling against WORLD-FORMAT.md`,
	}
	var first string
	for run := range 20 {
		_, err := ParseSpec("u.yaml", data)
		if err == nil {
			t.Fatal("unknown keys accepted")
		}
		if run == 0 {
			first = err.Error()
			if got := strings.Split(first, "\n"); strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Fatalf("got:\n%s\nwant:\n%s", first, strings.Join(want, "\n"))
			}
		} else if err.Error() != first {
			t.Fatalf("run %d differs:\n%s\nfirst:\n%s", run, err, first)
		}
	}
}

// TestCloneIsDeep: a clone equals its original and shares nothing with it.
func TestCloneIsDeep(t *testing.T) {
	for _, name := range BuiltinNames() {
		b, _ := Builtin(name)
		s, err := ParseSpec(name, b)
		if err != nil {
			t.Fatal(err)
		}
		c := s.Clone()
		if !reflect.DeepEqual(s, c) {
			t.Fatalf("%s: the clone differs", name)
		}
		c.VPCs[0].Subnets[0].Name = "changed"
		c.DNS.Zones[0].Records[0].Values = append(c.DNS.Zones[0].Records[0].Values, "x")
		for i := range c.VPCs[0].Instances {
			for j := range c.VPCs[0].Instances[i].Services {
				if c.VPCs[0].Instances[i].Services[j].HTTP != nil {
					c.VPCs[0].Instances[i].Services[j].HTTP["/changed"] = 1
					if s.VPCs[0].Instances[i].Services[j].HTTP["/changed"] == 1 {
						t.Fatalf("%s: the clone shares a service's paths", name)
					}
				}
				f := false
				c.VPCs[0].Instances[i].Services[j].Running = &f
			}
		}
		if reflect.DeepEqual(s, c) {
			t.Fatalf("%s: changing the clone changed the original", name)
		}
		if s.VPCs[0].Subnets[0].Name == "changed" {
			t.Fatalf("%s: the clone shares its subnets", name)
		}
	}
}

// BenchmarkFuzzParseInput is what one FuzzParse input costs when it is a
// whole valid world (the built-in shop): parse, check, compile, trace.
func BenchmarkFuzzParseInput(b *testing.B) {
	data, err := Builtin(DefaultWorld)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		spec, err := ParseSpec("fuzz.yaml", data)
		if err != nil {
			b.Fatal(err)
		}
		w, err := Compile(spec)
		if err != nil {
			b.Fatal(err)
		}
		if tg, err := tracer.ParseTarget(w.Headline()); err == nil {
			w.Trace(context.Background(), "", tg)
		}
	}
}
