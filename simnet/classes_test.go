package simnet

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pathlab/pathlab/simnet/worldgen"
	"github.com/pathlab/pathlab/tracer"
)

// TestClassesAgreeWithTraces runs the class-based reachability against the
// one-trace-per-flow answer: every pair of endpoints, every protocol, and
// in each port class its first, last and a middle port (the class is
// judged by one walk of its first; the others are traced alone). The
// built-in worlds, generated ones of several seeds, the Linux test worlds
// (secondary addresses, services bound to one address, host firewalls),
// and dns-source with a server bound to its secondary address only.
func TestClassesAgreeWithTraces(t *testing.T) {
	worlds := map[string]*World{}
	for _, n := range BuiltinNames() {
		w, err := LoadBuiltin(n)
		if err != nil {
			t.Fatal(err)
		}
		worlds[n] = w
	}
	for seed := uint64(1); seed <= 3; seed++ {
		o := worldgen.Options{Subnets: 10, VPCs: 2, Instances: 16, Rules: 120, Seed: seed}
		w, err := Parse("gen", generated(t, o))
		if err != nil {
			t.Fatal(err)
		}
		worlds["gen-"+string(rune('0'+seed))] = w
	}
	linux, err := filepath.Glob("../testdata/worlds/linux/*.yaml")
	if err != nil || len(linux) == 0 {
		t.Fatalf("no Linux test worlds: %v", err)
	}
	for _, f := range linux {
		w, err := Load(f)
		if err != nil {
			t.Fatal(err)
		}
		worlds["linux-"+strings.TrimSuffix(filepath.Base(f), ".yaml")] = w
	}
	src, err := os.ReadFile("../testdata/worlds/linux/dns-source.yaml")
	if err != nil {
		t.Fatal(err)
	}
	// ns-3 is ns-2 but for its server, which listens on its secondary
	// address only: at its primary address the port is closed.
	const client = "      - name: client\n"
	bound := strings.Replace(string(src), client, `      - name: ns-3
        subnet: app-a
        private_ip: 10.0.10.23
        secondary_private_ips: [10.0.10.33]
        security_groups: [sg-dns]
        services:
          - {name: unbound, protocol: udp, port: 53, bind: 10.0.10.33, dns: {zones: [corp.internal]}, reply_from: asked}
`+client, 1)
	if bound == string(src) {
		t.Fatal("dns-source.yaml has no client instance to put ns-3 before")
	}
	if worlds["linux-bind-secondary"], err = Parse("bind-secondary", []byte(bound)); err != nil {
		t.Fatal(err)
	}
	for name, w := range worlds {
		t.Run(name, func(t *testing.T) {
			r := w.NewReach()
			flows, open := 0, 0
			srcs := r.Endpoints()
			if in, ok := r.Internet(); ok {
				srcs = append(srcs, in)
			} else {
				t.Error("no internet endpoint")
			}
			for _, src := range srcs {
				for _, dst := range r.Endpoints() {
					if src.Name == dst.Name {
						continue
					}
					addr := r.Address(src, dst)
					for _, p := range []tracer.Proto{tracer.TCP, tracer.UDP, tracer.ICMP} {
						for _, c := range r.Classes(p) {
							ports := []uint16{c.Lo, c.Hi, c.Lo + (c.Hi-c.Lo)/2}
							for _, port := range ports {
								got := r.Flow(src, dst, p, port)
								want := r.FlowOneByOne(src, dst, addr, p, port)
								flows++
								if got.Open {
									open++
								}
								if got != want {
									t.Errorf("%s → %s %s %d: classes say %+v, the trace %+v", src.Name, dst.Name, p, port, got, want)
								}
							}
						}
					}
				}
			}
			if open == 0 || open == flows {
				t.Errorf("%d of %d flows open: the world tells nothing apart", open, flows)
			}
			t.Logf("%d flows agree (%d open), %d endpoint profiles", flows, open, r.Profiles())
		})
	}
}
