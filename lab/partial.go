package lab

import (
	"context"
	"fmt"
	"net/netip"
	"os"
	"strings"
	"time"

	"github.com/pathlab/pathlab/simnet/spec"
	"github.com/pathlab/pathlab/tracer"
	"github.com/vishvananda/netns"
)

// Partly denied ephemeral ranges (NACL_EPHEMERAL_PARTIAL). A network ACL
// is stateless: a reply is judged for the one port its connection drew
// (AWS VPC User Guide, "Ephemeral ports"), so when an ACL denies part of
// the initiator's ephemeral range some connections hang and others work.
// The simulation delivers such a flow and flags it intermittent; one probe
// in the lab sees one draw. The lab judges it instead: the initiator's
// range (ip_local_port_range, per namespace) is narrowed to a few windows
// across it in turn, and the flow is probed from each. It agrees when some
// window gets through and some window hangs.

// partialWindows is how many windows of the range are probed.
const partialWindows = 6

// partialWidth is the number of ports in a window.
const partialWidth = 8

// partialHop returns the flow of a trace's first NACL_EPHEMERAL_PARTIAL
// hop: the reply, whose destination is the initiator and whose EphLo and
// EphHi are its range.
func partialHop(r *tracer.Report) (tracer.Flow, bool) {
	for _, s := range r.Stages {
		for _, h := range s.Hops {
			if h.Code == tracer.NACLEphemeralPartial && h.Flow.IsValid() {
				return h.Flow, true
			}
		}
	}
	return tracer.Flow{}, false
}

// windows spreads n windows of width ports over [lo, hi].
func windows(lo, hi uint16, n, width int) [][2]uint16 {
	span := int(hi) - int(lo) + 1
	if span <= width*n {
		return [][2]uint16{{lo, hi}}
	}
	var out [][2]uint16
	for k := 0; k < n; k++ {
		a := int(lo) + k*(span-width)/(n-1)
		out = append(out, [2]uint16{uint16(a), uint16(a + width - 1)})
	}
	return out
}

// nodeAt maps the world's private and public addresses to the lab's node
// names (a balancer's node is named after its subnet).
func nodeAt(s *spec.WorldSpec) map[netip.Addr]string {
	return addrOwners(s, false, LBNodeName)
}

// setPortRange writes a namespace's ip_local_port_range and returns the
// one it replaces.
func setPortRange(ns string, lo, hi uint16) (string, error) {
	h, err := netns.GetFromName(ns)
	if err != nil {
		return "", err
	}
	defer h.Close()
	var old string
	err = inNS(h, func() error {
		b, err := readSysctl("net.ipv4.ip_local_port_range")
		if err != nil {
			return err
		}
		old = b
		return writeSysctl("net.ipv4.ip_local_port_range", fmt.Sprintf("%d %d", lo, hi))
	})
	return old, err
}

func restorePortRange(ns, val string) {
	if h, err := netns.GetFromName(ns); err == nil {
		inNS(h, func() error { return writeSysctl("net.ipv4.ip_local_port_range", val) })
		h.Close()
	}
}

// judgePartial probes flow f from each window of the initiator's range
// and says what the lab observed: "intermittent" when some window gets
// through and some does not.
func judgePartial(ctx context.Context, st *State, exe string, s *spec.WorldSpec, f *FlowResult, reply tracer.Flow, timeout time.Duration) Side {
	ns, ok := nodeAt(s)[reply.Dst.Addr()]
	if !ok {
		return Side{Verdict: "error", Detail: fmt.Sprintf("no lab node holds %s, the initiator of the partly denied connection", reply.Dst.Addr())}
	}
	lo, hi := reply.EphLo, reply.EphHi
	if lo == 0 && hi == 0 {
		lo, hi = 32768, 60999
	}
	// A NAT gateway draws its source port by its translation's range, not
	// by ip_local_port_range: its table is rewritten for each window.
	var natIP netip.Addr
	for _, v := range s.VPCs {
		for _, n := range v.NATGateways {
			if n.Name == ns {
				natIP = addrOf(n.PrivateIP)
			}
		}
	}
	var through, hang []string
	var last Side
	for _, w := range windows(lo, hi, partialWindows, partialWidth) {
		var old string
		var err error
		if natIP.IsValid() {
			err = setNATRange(st.Prefix+ns, natIP, w[0], w[1])
		} else {
			old, err = setPortRange(st.Prefix+ns, w[0], w[1])
		}
		if err != nil {
			return Side{Verdict: "error", Detail: err.Error()}
		}
		r, err := probeIn(ctx, st, exe, f.From, f.Target, timeout)
		if natIP.IsValid() {
			setNATRange(st.Prefix+ns, natIP, 1024, 65535)
		} else {
			restorePortRange(st.Prefix+ns, old)
		}
		if err != nil {
			return Side{Verdict: "error", Detail: err.Error()}
		}
		span := fmt.Sprintf("%d-%d", w[0], w[1])
		if r.Verdict == tracer.Delivered {
			through = append(through, span)
		} else {
			last = labSide(r, nil)
			hang = append(hang, span)
		}
	}
	detail := fmt.Sprintf("from %s's ports %s: delivered", ns, orNone(through))
	if len(hang) > 0 {
		detail += fmt.Sprintf("; from %s: %s %s", strings.Join(hang, ", "), last.Stage, last.Observed)
	}
	switch {
	case len(through) > 0 && len(hang) > 0:
		return Side{Verdict: tracer.Delivered, Observed: "intermittent", Detail: detail}
	case len(through) > 0:
		return Side{Verdict: tracer.Delivered, Observed: "always", Detail: detail}
	}
	last.Detail = detail
	return last
}

func orNone(s []string) string {
	if len(s) == 0 {
		return "none"
	}
	return strings.Join(s, ", ")
}

func readSysctl(key string) (string, error) {
	b, err := os.ReadFile("/proc/sys/" + strings.ReplaceAll(key, ".", "/"))
	return strings.Join(strings.Fields(string(b)), " "), err
}

// setNATRange rewrites a NAT gateway's translation to draw source ports
// from lo-hi.
func setNATRange(ns string, private netip.Addr, lo, hi uint16) error {
	h, err := netns.GetFromName(ns)
	if err != nil {
		return err
	}
	defer h.Close()
	c, err := nftConn(h)
	if err != nil {
		return err
	}
	return writeTables(c, natTablesRange(private, lo, hi), true)
}
