package lab_test

import (
	"context"
	"testing"
	"time"

	"github.com/pathlab/pathlab/lab"
	"github.com/pathlab/pathlab/simnet"
	"github.com/pathlab/pathlab/tracer"
)

// TestNLBTLSListener: a network balancer's TLS listener ends TLS at the
// node and still shows the targets the client's address (instance
// targets: client IP preservation). With sg-app admitting 8080 only from
// the browser's address, the browser's HTTPS request through the TLS
// listener (and its TCP one through the TCP listener) is delivered and the
// office's is not, in the simulation and in the lab alike.
func TestNLBTLSListener(t *testing.T) {
	skip(t)
	for _, tc := range []struct {
		name   string
		source string // sg-app's source for 8080
	}{
		{"from_anywhere", "0.0.0.0/0"},
		{"browser_only", "198.51.100.10/32"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			spec := sourceSpec(t, "../testdata/worlds/nlb.yaml")
			for vi := range spec.VPCs {
				for gi := range spec.VPCs[vi].SecurityGroups {
					g := &spec.VPCs[vi].SecurityGroups[gi]
					if g.Name != "sg-app" {
						continue
					}
					for ri := range g.Ingress {
						if g.Ingress[ri].Source == "0.0.0.0/0" {
							g.Ingress[ri].Source = tc.source
						}
					}
				}
			}
			w, err := simnet.Compile(spec)
			if err != nil {
				t.Fatal(err)
			}
			name := testLab("nlbtls")
			lab.Down(name)
			st, err := lab.Up(context.Background(), spec, name, lab.Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer lab.Down(name)
			flows := [][2]string{
				{"browser", "https://api.shop.example.com/"}, {"office", "https://api.shop.example.com/"},
				{"browser", "http://api.shop.example.com:5000/"}, {"office", "http://api.shop.example.com:5000/"},
			}
			want := map[string]bool{"browser": true, "office": tc.source == "0.0.0.0/0"}
			for _, f := range flows {
				tr, side, err := lab.ProbeFrom(context.Background(), st, spec, f[0], f[1], 3*time.Second)
				if err != nil {
					t.Fatal(err)
				}
				target, err := tracer.ParseTarget(f[1])
				if err != nil {
					t.Fatal(err)
				}
				sim, err := w.Trace(context.Background(), f[0], target)
				if err != nil {
					t.Fatal(err)
				}
				if tr.Delivered() != want[f[0]] || sim.Delivered() != want[f[0]] {
					t.Errorf("%s → %s: lab %s (%s), simulation delivered=%v; want delivered=%v in both", f[0], f[1], side.Short(), side.Detail, sim.Delivered(), want[f[0]])
				}
			}
		})
	}
}
