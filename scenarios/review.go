package scenarios

import (
	"context"
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"github.com/pathlab/pathlab/diff"
	"github.com/pathlab/pathlab/simnet"
	"github.com/pathlab/pathlab/simnet/spec"
	"github.com/pathlab/pathlab/tracer"
)

// Warning is a remark of the fix review: the fix works, but it opens more
// than the request needs.
type Warning struct {
	Kind    string `json:"kind"` // least-privilege or reachability
	Rule    string `json:"rule,omitempty"`
	Message string `json:"message"`
	// Suffice is what would have been enough, as fix commands.
	Suffice []string `json:"suffice,omitempty"`
}

func (w Warning) String() string {
	s := w.Message
	if len(w.Suffice) > 0 {
		s += "; enough would be: " + strings.Join(w.Suffice, "; ")
	}
	return s
}

// Review looks at what a fix changed between the broken world and the
// fixed one: rules broader than the path needs (all ports, or 0.0.0.0/0
// on a port no public listener uses), and flows the fix opened beyond the
// request's path. base is the world before the faults (nil for an ad-hoc
// scenario): flows it had open are no news.
func Review(ctx context.Context, st *Setup, fixed *spec.WorldSpec) []Warning {
	fw, err := simnet.Compile(fixed)
	if err != nil {
		return leastPrivilege(st, fixed)
	}
	return ReviewWorld(ctx, st, fixed, fw)
}

// ReviewWorld is Review of a fixed world already compiled as fw.
func ReviewWorld(ctx context.Context, st *Setup, fixed *spec.WorldSpec, fw *simnet.World) []Warning {
	ws := leastPrivilege(st, fixed)
	ws = append(ws, reachability(ctx, st, fw)...)
	ws = append(ws, zoneWarnings(st, fw)...) // review_cloud.go
	return ws
}

// publicPorts lists the listener ports of internet-facing balancers and
// the service ports of hosts with public addresses: where 0.0.0.0/0 is
// expected.
func publicPorts(s *spec.WorldSpec) []int {
	var out []int
	for _, v := range s.VPCs {
		for _, l := range v.LoadBalancers {
			if l.Scheme == "internet-facing" {
				for _, li := range l.Listeners {
					out = append(out, li.Port)
				}
			}
		}
		for _, in := range v.Instances {
			if in.PublicIP != "" {
				for _, sv := range in.Services {
					out = append(out, sv.Port)
				}
			}
		}
	}
	return out
}

func isAnywhere(c string) bool {
	p, err := netip.ParsePrefix(c)
	return err == nil && p.Bits() == 0
}

// wideRange: more ports than any one service needs. Security groups are
// stateful, so they never need the ephemeral range either.
const wideRange = 1000

func leastPrivilege(st *Setup, fixed *spec.WorldSpec) []Warning {
	var out []Warning
	public := publicPorts(st.Broken)
	for _, v := range fixed.VPCs {
		for _, g := range v.SecurityGroups {
			before, _ := findSG(st.Broken, g.Name)
			for _, dir := range []string{"ingress", "egress"} {
				for _, r := range *sgRulesOf(&g, dir) {
					if before != nil && slices.ContainsFunc(*sgRulesOf(before, dir), func(o spec.SGRuleSpec) bool { return spec.SameSGRule(o, r) }) {
						continue
					}
					text := fmt.Sprintf("%s %s", g.Name, spec.SGRuleText(dir, r))
					proto, _ := spec.NormProto(r.Protocol)
					lo, hi, _ := r.Ports.Range()
					peer := r.Source
					if dir == "egress" {
						peer = r.Destination
					}
					var why string
					switch {
					case proto == "all":
						why = "allows every protocol and port"
					case (proto == "tcp" || proto == "udp") && hi-lo >= wideRange:
						why = fmt.Sprintf("allows %d ports (security groups are stateful: replies need no rule)", hi-lo+1)
					case dir == "ingress" && isAnywhere(peer) && !(lo == hi && slices.Contains(public, lo)):
						why = fmt.Sprintf("admits the whole internet on a port no public listener uses (%s)", r.Ports.Text)
					}
					if dir == "ingress" && isAnywhere(peer) && why != "" && proto == "all" {
						why = "allows every protocol and port from anywhere"
					}
					if why == "" {
						continue
					}
					out = append(out, Warning{Kind: "least-privilege", Rule: "sg " + text,
						Message: fmt.Sprintf("%s %s", text, why), Suffice: suffice(st, func(e spec.Edit) bool {
							f, ok := e.(spec.SGRuleEdit)
							return ok && f.Group == g.Name && f.Op == "add"
						})})
				}
			}
		}
		for _, a := range v.NetworkACLs {
			before := findACL(st.Broken, a.Name)
			for _, dir := range []string{"ingress", "egress"} {
				for _, r := range *aclRules(&a, dir) {
					if !strings.EqualFold(r.Action, "allow") {
						continue
					}
					if before != nil && slices.ContainsFunc(*aclRules(before, dir), func(o spec.ACLRuleSpec) bool {
						return o.Rule == r.Rule && spec.ACLRuleText(o) == spec.ACLRuleText(r)
					}) {
						continue
					}
					proto, _ := spec.NormProto(r.Protocol)
					lo, hi, _ := r.Ports.Range()
					if proto != "all" && !(lo == 0 && hi == 65535) {
						continue
					}
					text := fmt.Sprintf("%s %s %s", a.Name, dir, spec.ACLRuleText(r))
					out = append(out, Warning{Kind: "least-privilege", Rule: "nacl " + text,
						Message: fmt.Sprintf("%s allows every port and protocol", text), Suffice: suffice(st, func(e spec.Edit) bool {
							f, ok := e.(spec.NACLRuleEdit)
							return ok && f.ACL == a.Name && f.Op == "add"
						})})
				}
			}
		}
	}
	return out
}

// suffice finds what would have been enough for a resource: the reference
// fix's edits that add to it.
func suffice(st *Setup, adds func(spec.Edit) bool) []string {
	var out []string
	for _, f := range st.Fix {
		if adds(f) {
			out = append(out, f.String())
		}
	}
	return out
}

func reachability(ctx context.Context, st *Setup, fw *simnet.World) []Warning {
	bw := st.World
	if bw == nil {
		var err error
		if bw, err = simnet.Compile(st.Broken); err != nil {
			return nil
		}
	}
	d, err := diff.Diff(ctx, bw, fw)
	if err != nil || len(d.Fixed) == 0 {
		return nil
	}
	// Flows the world had before the faults are no news: the fix restored
	// them. So are the checks' own requests.
	known := map[[2]string]bool{}
	if st.Base != nil {
		basew := st.BaseWorld
		if basew == nil {
			basew, err = simnet.Compile(st.Base)
		}
		if err == nil {
			if bd, err := diff.Diff(ctx, bw, basew); err == nil {
				for _, f := range bd.Fixed {
					known[[2]string{f.From, f.Target}] = true
				}
			}
		}
	}
	// The checks' requests are the path a fix is meant to open: from any
	// client, since a service opened for one is open for all that may use
	// it.
	path := pathEndpoints(ctx, fw, st.Checks)
	var opened []string
	for _, f := range d.Fixed {
		if known[[2]string{f.From, f.Target}] || onPath(ctx, fw, path, f.From, f.Target) {
			continue
		}
		opened = append(opened, fmt.Sprintf("%s → %s", f.From, f.Target))
	}
	if len(opened) == 0 {
		return nil
	}
	more := ""
	if len(opened) > 6 {
		more = fmt.Sprintf(" and %d more", len(opened)-6)
		opened = opened[:6]
	}
	return []Warning{{Kind: "reachability", Message: fmt.Sprintf("the fix also opened requests the ticket does not need: %s%s", strings.Join(opened, ", "), more)}}
}

// endpoints are the targets of the checks' requests: their URLs, and the
// addresses and ports they resolve to.
type endpoints struct {
	urls  map[string]bool
	addrs map[netip.AddrPort]bool
}

func pathEndpoints(ctx context.Context, w *simnet.World, checks []Check) endpoints {
	e := endpoints{urls: map[string]bool{}, addrs: map[netip.AddrPort]bool{}}
	for _, c := range checks {
		if c.Healthy != "" || c.Want == "blocked" {
			continue
		}
		e.urls[c.Target.String()] = true
		for _, a := range resolveFrom(ctx, w, c.From, c.Target.Host) {
			e.addrs[netip.AddrPortFrom(a, c.Target.Port)] = true
		}
	}
	return e
}

func resolveFrom(ctx context.Context, w *simnet.World, from, host string) []netip.Addr {
	if a, err := netip.ParseAddr(host); err == nil {
		return []netip.Addr{a}
	}
	n, err := w.From(from)
	if err != nil {
		return nil
	}
	ans, err := n.Resolve(ctx, host, 1)
	if err != nil {
		return nil
	}
	return ans.Addrs
}

// onPath reports whether a flow goes where a check's request goes: the
// same URL, or the same address and port.
func onPath(ctx context.Context, w *simnet.World, path endpoints, from, target string) bool {
	if path.urls[target] {
		return true
	}
	t, err := tracer.ParseTarget(target)
	if err != nil {
		return false
	}
	for _, a := range resolveFrom(ctx, w, from, t.Host) {
		if path.addrs[netip.AddrPortFrom(a, t.Port)] {
			return true
		}
	}
	return false
}
