package simnet

import (
	"context"
	"fmt"
	"net/netip"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/miekg/dns"
	"github.com/pathlab/pathlab/tracer"
)

// TestTraceEverything traces, in every test world, from every host to every
// address and name the world knows, on common ports and schemes, and pings
// and traceroutes them: nothing may panic, and every report must be well
// formed (a verdict, broken_at exactly when broken, blockers in order).
func TestTraceEverything(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(repoRoot, "testdata", "worlds", "codes", "*.yaml"))
	worlds := map[string]*World{}
	for _, f := range files {
		w, err := Load(f)
		if err != nil {
			t.Fatal(err)
		}
		worlds[filepath.Base(f)] = w
	}
	for _, name := range BuiltinNames() {
		w, err := LoadBuiltin(name)
		if err != nil {
			t.Fatal(err)
		}
		worlds["builtin:"+name] = w
	}
	ctx := context.Background()
	total := 0
	for wname, w := range worlds {
		var hosts []string
		for h := range w.hosts {
			hosts = append(hosts, h)
		}
		sort.Strings(hosts)
		var targets []string
		for _, a := range w.allAddrs() {
			for _, port := range []int{22, 53, 80, 443, 5432, 8080} {
				hp := netip.AddrPortFrom(a, uint16(port)).String()
				targets = append(targets, "tcp://"+hp, "udp://"+hp)
			}
			targets = append(targets, "http://"+a.String()+"/", "https://"+a.String()+"/healthz")
		}
		for _, z := range w.zones {
			z.data.Owners(func(owner string, _ []dns.RR) {
				n := strings.TrimSuffix(owner, ".")
				targets = append(targets, "https://"+n+"/", "tcp://"+n+":5432")
			})
		}
		targets = append(targets, "https://no-such-name.invalid/", "http://localhost:9100/", "tcp://127.0.0.1:22",
			"tcp://[::1]:80", "tcp://[2001:db8::1]:443", "icmp://[2001:db8::1]", "udp://[::1]:53")
		for _, from := range hosts {
			n, err := w.From(from)
			if err != nil {
				t.Fatal(err)
			}
			for _, raw := range targets {
				tg, err := tracer.ParseTarget(raw)
				if err != nil {
					t.Fatalf("%s: %v", raw, err)
				}
				r, err := w.Trace(ctx, from, tg)
				total++
				if err != nil {
					t.Fatalf("%s: trace from %s to %s: %v", wname, from, raw, err)
				}
				if msg := malformed(r); msg != "" {
					t.Errorf("%s: trace from %s to %s: %s", wname, from, raw, msg)
				}
			}
			for _, a := range w.allAddrs() {
				if _, err := n.Dial(ctx, tracer.ICMP, netip.AddrPortFrom(a, 0)); err != nil {
					t.Errorf("%s: ping %s from %s: %v", wname, a, from, err)
				}
				if _, err := n.Traceroute(ctx, tracer.TCP, netip.AddrPortFrom(a, 443), 30); err != nil {
					t.Errorf("%s: traceroute %s from %s: %v", wname, a, from, err)
				}
			}
		}
	}
	t.Logf("%d traces over %d worlds", total, len(worlds))
}

func malformed(r *tracer.Report) string {
	switch {
	case r.Verdict == tracer.Delivered && (r.BrokenAt != nil || len(r.Blockers) != 0):
		return "delivered with blockers"
	case r.Verdict == tracer.Broken && (r.BrokenAt == nil || len(r.Blockers) == 0 || *r.BrokenAt != r.Blockers[0]):
		return fmt.Sprintf("broken but broken_at %v, blockers %v", r.BrokenAt, r.Blockers)
	case r.Verdict != tracer.Delivered && r.Verdict != tracer.Broken:
		return "verdict " + r.Verdict
	case len(r.Stages) == 0:
		return "no stages"
	}
	for _, s := range r.Stages {
		for _, h := range s.Hops {
			if h.Component == "" || h.Code == "" || h.Kind == "" {
				return fmt.Sprintf("hop without component, kind or code: %+v", h)
			}
			if h.Blocks && h.Detail == "" {
				return fmt.Sprintf("blocking hop without detail: %+v", h)
			}
		}
	}
	return ""
}

// allAddrs lists every address the world answers on, sorted.
func (w *World) allAddrs() []netip.Addr {
	var out []netip.Addr
	for a := range w.internet {
		out = append(out, a)
	}
	for a := range w.public {
		out = append(out, a)
	}
	for _, v := range w.vpcs {
		for a := range v.ifaces {
			out = append(out, a)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Less(out[j]) })
	return out
}
