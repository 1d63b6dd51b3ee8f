package scenarios

import (
	"context"
	"fmt"
	"net/netip"
	"slices"
	"sort"
	"strings"

	"github.com/pathlab/pathlab/simnet"
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
func Review(ctx context.Context, st *Setup, fixed *simnet.WorldSpec) []Warning {
	ws := leastPrivilege(st, fixed)
	ws = append(ws, reachability(ctx, st, fixed)...)
	return ws
}

// publicPorts lists the listener ports of internet-facing balancers and
// the service ports of hosts with public addresses: where 0.0.0.0/0 is
// expected.
func publicPorts(s *simnet.WorldSpec) []int {
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

func leastPrivilege(st *Setup, fixed *simnet.WorldSpec) []Warning {
	var out []Warning
	public := publicPorts(st.Broken)
	for _, v := range fixed.VPCs {
		for _, g := range v.SecurityGroups {
			before, _ := findSG(st.Broken, g.Name)
			for _, dir := range []string{"ingress", "egress"} {
				for _, r := range *sgRulesOf(&g, dir) {
					if before != nil && slices.ContainsFunc(*sgRulesOf(before, dir), func(o simnet.SGRuleSpec) bool { return sameSGRule(o, r) }) {
						continue
					}
					text := fmt.Sprintf("%s %s", g.Name, sgRuleText(dir, r))
					proto, _ := normProto(r.Protocol)
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
						Message: fmt.Sprintf("%s %s", text, why), Suffice: suffice(st, "sg", g.Name)})
				}
			}
		}
		for _, a := range v.NetworkACLs {
			before, _ := findACL(st.Broken, a.Name)
			for _, dir := range []string{"ingress", "egress"} {
				for _, r := range *aclRules(&a, dir) {
					if !strings.EqualFold(r.Action, "allow") {
						continue
					}
					if before != nil && slices.ContainsFunc(*aclRules(before, dir), func(o simnet.ACLRuleSpec) bool {
						return o.Rule == r.Rule && aclRuleText(o) == aclRuleText(r)
					}) {
						continue
					}
					proto, _ := normProto(r.Protocol)
					lo, hi, _ := r.Ports.Range()
					if proto != "all" && !(lo == 0 && hi == 65535) {
						continue
					}
					text := fmt.Sprintf("%s %s %s", a.Name, dir, aclRuleText(r))
					out = append(out, Warning{Kind: "least-privilege", Rule: "nacl " + text,
						Message: fmt.Sprintf("%s allows every port and protocol", text), Suffice: suffice(st, "nacl", a.Name)})
				}
			}
		}
	}
	return out
}

// suffice finds what would have been enough for a resource: the reference
// fix's commands on it, else the blockers' own fix suggestions.
func suffice(st *Setup, verb, name string) []string {
	var out []string
	for _, line := range st.Fix {
		w, err := SplitLine(line)
		if err == nil && len(w) > 1 && w[0] == verb && w[1] == name && (len(w) < 3 || w[2] != "remove") {
			out = append(out, line)
		}
	}
	return out
}

// Flow is one connection a host can open: src → dst:port.
type Flow struct {
	From string
	To   string // the destination's name
	Addr netip.AddrPort
}

func (f Flow) String() string { return fmt.Sprintf("%s → %s (%s)", f.From, f.To, f.Addr) }

// Reachable lists every TCP connection a host of w can open to any
// address of the world on any port something uses (and 22), as a set.
func Reachable(ctx context.Context, w *simnet.World, s *simnet.WorldSpec) map[Flow]bool {
	type dest struct {
		name string
		addr netip.Addr
	}
	var dests []dest
	add := func(name, ip string) {
		if a, err := netip.ParseAddr(ip); err == nil {
			dests = append(dests, dest{name, a})
		}
	}
	for _, sv := range s.Internet.Servers {
		add(sv.Name, sv.IP)
	}
	for _, v := range s.VPCs {
		for _, l := range v.LoadBalancers {
			for _, n := range l.Nodes {
				add(l.Name, n.PrivateIP)
				add(l.Name, n.PublicIP)
			}
		}
		for _, in := range v.Instances {
			add(in.Name, in.PrivateIP)
			add(in.Name, in.PublicIP)
		}
	}
	ports := append(servicePorts(s), 22)
	sort.Ints(ports)
	ports = slices.Compact(ports)
	var sources []string
	for _, c := range s.Internet.Clients {
		sources = append(sources, c.Name)
	}
	for _, sv := range s.Internet.Servers {
		sources = append(sources, sv.Name)
	}
	for _, v := range s.VPCs {
		for _, in := range v.Instances {
			sources = append(sources, in.Name)
		}
	}
	out := map[Flow]bool{}
	for _, src := range sources {
		n, err := w.From(src)
		if err != nil {
			continue
		}
		for _, d := range dests {
			if d.name == src {
				continue
			}
			for _, p := range ports {
				ap := netip.AddrPortFrom(d.addr, uint16(p))
				c, err := n.Dial(ctx, tracer.TCP, ap)
				if err == nil && c.State == tracer.ConnOpen {
					out[Flow{From: src, To: d.name, Addr: ap}] = true
				}
			}
		}
	}
	return out
}

func reachability(ctx context.Context, st *Setup, fixed *simnet.WorldSpec) []Warning {
	fw, err := simnet.Compile(fixed)
	if err != nil {
		return nil
	}
	bw, err := simnet.Compile(st.Broken)
	if err != nil {
		return nil
	}
	after := Reachable(ctx, fw, fixed)
	before := Reachable(ctx, bw, st.Broken)
	var known map[Flow]bool
	if st.Base != nil {
		if basew, err := simnet.Compile(st.Base); err == nil {
			known = Reachable(ctx, basew, st.Base)
		}
	}
	// The request's own connections, and those of the other checks, are
	// what a fix is meant to open.
	path := map[string]bool{}
	for _, c := range st.Checks {
		if c.Healthy == "" && c.Want != "blocked" {
			path[c.From+" "+c.Target.Host+" "+fmt.Sprint(c.Target.Port)] = true
		}
	}
	var opened []string
	for f := range after {
		if before[f] || known[f] {
			continue
		}
		if path[f.From+" "+f.Addr.Addr().String()+" "+fmt.Sprint(f.Addr.Port())] || path[f.From+" "+f.To+" "+fmt.Sprint(f.Addr.Port())] {
			continue
		}
		if onPath(ctx, fw, st.Checks, f) {
			continue
		}
		opened = append(opened, f.String())
	}
	if len(opened) == 0 {
		return nil
	}
	sort.Strings(opened)
	more := ""
	if len(opened) > 6 {
		more = fmt.Sprintf(" and %d more", len(opened)-6)
		opened = opened[:6]
	}
	return []Warning{{Kind: "reachability", Message: fmt.Sprintf("the fix also opened connections the request does not need: %s%s", strings.Join(opened, ", "), more)}}
}

// onPath reports whether a flow is the very connection a check's request
// makes (its host resolves to the flow's address).
func onPath(ctx context.Context, w *simnet.World, checks []Check, f Flow) bool {
	for _, c := range checks {
		if c.Healthy != "" || c.From != f.From || int(c.Target.Port) != int(f.Addr.Port()) {
			continue
		}
		if a, ok := c.Target.HostAddr(); ok {
			if a == f.Addr.Addr() {
				return true
			}
			continue
		}
		n, err := w.From(c.From)
		if err != nil {
			continue
		}
		ans, err := n.Resolve(ctx, c.Target.Host, 1)
		if err != nil {
			continue
		}
		if slices.Contains(ans.Addrs, f.Addr.Addr()) {
			return true
		}
	}
	return false
}
