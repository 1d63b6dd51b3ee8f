package lab

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"

	"github.com/pathlab/pathlab/simnet/spec"
)

// Table is an nftables table (family ip) of a node, as data: the plan
// says what to filter and translate, nft.go writes it to the kernel.
type Table struct {
	Name   string
	Chains []*Chain
}

// Chain is a chain; a base chain has a Hook.
type Chain struct {
	Name     string
	Hook     string // input, output, forward, prerouting, postrouting; "" for a regular chain
	Type     string // filter or nat
	Priority int
	Rules    []FRule
}

// FRule is one rule: a match and what to do.
type FRule struct {
	IIF, OIF string
	Src, Dst netip.Prefix // zero: any
	NotSrc   []netip.Prefix
	Proto    string // tcp, udp, icmp; "" for all
	// Dport, when Lo..Hi is not 0..65535 for tcp and udp, is the
	// destination port range.
	PortLo, PortHi uint16
	Established    bool // ct state established,related
	DNATed         bool // ct status dnat
	// Verdict: accept, drop, return, jump CHAIN, snat, dnat.
	Verdict string
	To      netip.Addr // snat and dnat
	ToLo    uint16     // snat: the port range; dnat: the port
	ToHi    uint16
	SetTOS  uint8 // set the TOS (DSCP and ECN byte) before the verdict
	// TOS matches the TOS byte; CtMark sets the connection's mark to it;
	// MarkFromCt sets the packet's mark from the connection's.
	TOS uint8
	// TCPMask, when set, matches the TCP flags under the mask against
	// TCPFlags.
	TCPMask, TCPFlags uint8
	// TTLFrom, when set, matches that TTL and sets it one higher, so that
	// forwarding does not lower it (the box is no traceroute hop).
	TTLFrom    uint8
	CtMark     uint32
	MarkFromCt bool
	Comment    string
	// SetMark sets the packet's mark; CtInvalid matches ct state invalid
	// (tgw.go).
	SetMark   uint32
	CtInvalid bool
}

func (r FRule) String() string {
	var b []string
	if r.IIF != "" {
		b = append(b, "iif "+r.IIF)
	}
	if r.OIF != "" {
		b = append(b, "oif "+r.OIF)
	}
	if r.Established {
		b = append(b, "ct established,related")
	}
	if r.DNATed {
		b = append(b, "ct dnat")
	}
	if r.Src.IsValid() {
		b = append(b, "saddr "+r.Src.String())
	}
	for _, n := range r.NotSrc {
		b = append(b, "saddr != "+n.String())
	}
	if r.Dst.IsValid() {
		b = append(b, "daddr "+r.Dst.String())
	}
	if r.Proto != "" {
		b = append(b, r.Proto)
	}
	if r.hasPorts() {
		b = append(b, fmt.Sprintf("dport %d-%d", r.PortLo, r.PortHi))
	}
	if r.SetTOS != 0 {
		b = append(b, fmt.Sprintf("tos set %d", r.SetTOS))
	}
	if r.TOS != 0 {
		b = append(b, fmt.Sprintf("tos %d", r.TOS))
	}
	if r.CtMark != 0 {
		b = append(b, fmt.Sprintf("ct mark set %d", r.CtMark))
	}
	if r.MarkFromCt {
		b = append(b, "mark set ct mark")
	}
	if r.CtInvalid {
		b = append(b, "ct invalid")
	}
	if r.SetMark != 0 {
		b = append(b, fmt.Sprintf("mark set %d", r.SetMark))
	}
	v := r.Verdict
	if r.To.IsValid() {
		v += " " + r.To.String()
		if r.ToLo != 0 {
			v += fmt.Sprintf(":%d-%d", r.ToLo, r.ToHi)
		}
	}
	return strings.Join(append(b, v), " ")
}

func (r FRule) hasPorts() bool {
	return (r.Proto == "tcp" || r.Proto == "udp") && !(r.PortLo == 0 && r.PortHi == 65535) && !(r.PortLo == 0 && r.PortHi == 0)
}

func anyPrefix(p netip.Prefix) bool { return !p.IsValid() || p.Bits() == 0 }

func portsOf(p spec.Ports) (uint16, uint16) {
	lo, hi, err := p.Range()
	if err != nil {
		return 0, 65535
	}
	return uint16(lo), uint16(hi)
}

func protoOf(s string) string {
	switch strings.ToLower(s) {
	case "tcp", "6":
		return "tcp"
	case "udp", "17":
		return "udp"
	case "icmp", "1":
		return "icmp"
	}
	return ""
}

// sgTable is a security group set on an interface: stateful, allow only.
// Input runs before the host firewall (priority -10), output after it
// (10): leaving a host, the firewall decides first; entering, the group.
// Traffic to and from the VPC resolver is not filtered (AWS).
func sgTable(v *spec.VPCSpec, groups []string, groupAddrs map[string][]netip.Addr, lists map[string][]netip.Prefix, vres netip.Addr) *Table {
	in := &Chain{Name: "ingress", Hook: "input", Type: "filter", Priority: -10}
	out := &Chain{Name: "egress", Hook: "output", Type: "filter", Priority: 10}
	in.Rules = append(in.Rules,
		FRule{IIF: "lo", Verdict: "accept"},
		FRule{Established: true, Verdict: "accept"},
		FRule{Src: host32(vres), Verdict: "accept", Comment: "the VPC resolver"})
	out.Rules = append(out.Rules,
		FRule{OIF: "lo", Verdict: "accept"},
		FRule{Established: true, Verdict: "accept"},
		FRule{Dst: host32(vres), Verdict: "accept", Comment: "the VPC resolver"})
	groupRules(v, groups, groupAddrs, lists, "accept", in, out)
	return &Table{Name: "pathlab_sg", Chains: []*Chain{in, out}}
}

// groupRules appends the groups' inbound rules to in and their outbound
// rules to out, each match ending in verdict, and a final drop to each:
// security groups allow only what a rule names.
func groupRules(v *spec.VPCSpec, groups []string, groupAddrs map[string][]netip.Addr, lists map[string][]netip.Prefix, verdict string, in, out *Chain) {
	for _, g := range groups {
		var sg *spec.SecurityGroupSpec
		for i := range v.SecurityGroups {
			if v.SecurityGroups[i].Name == g {
				sg = &v.SecurityGroups[i]
			}
		}
		if sg == nil {
			continue
		}
		for _, r := range sg.Ingress {
			lo, hi := portsOf(r.Ports)
			for _, src := range peers(r.Source, groupAddrs, lists) {
				in.Rules = append(in.Rules, FRule{Src: src, Proto: protoOf(r.Protocol), PortLo: lo, PortHi: hi, Verdict: verdict, Comment: g})
			}
		}
		for _, r := range sg.Egress {
			lo, hi := portsOf(r.Ports)
			for _, dst := range peers(r.Destination, groupAddrs, lists) {
				out.Rules = append(out.Rules, FRule{Dst: dst, Proto: protoOf(r.Protocol), PortLo: lo, PortHi: hi, Verdict: verdict, Comment: g})
			}
		}
	}
	in.Rules = append(in.Rules, FRule{Verdict: "drop"})
	out.Rules = append(out.Rules, FRule{Verdict: "drop"})
}

// peers is a rule's source or destination: a CIDR, a prefix list's
// CIDRs, or a group's private addresses.
func peers(s string, groupAddrs map[string][]netip.Addr, lists map[string][]netip.Prefix) []netip.Prefix {
	if l, ok := lists[s]; ok {
		return l // a prefix list: its CIDRs (endpoint.go)
	}
	if p, err := netip.ParsePrefix(s); err == nil {
		return []netip.Prefix{p.Masked()}
	}
	if a, err := netip.ParseAddr(s); err == nil {
		return []netip.Prefix{host32(a)}
	}
	var out []netip.Prefix
	for _, a := range groupAddrs[s] {
		out = append(out, host32(a))
	}
	return out
}

// aclTable is the network ACLs on a router's subnet ports: stateless, in
// rule order, first match wins, implicit deny. A packet leaving a subnet
// meets its ACL's egress rules, one entering another its ingress rules.
// Traffic within a subnet is bridged and crosses none.
func aclTable(v *spec.VPCSpec, subnetBr map[string]string, vres netip.Addr) *Table {
	fwd := &Chain{Name: "forward", Hook: "forward", Type: "filter", Priority: 0}
	t := &Table{Name: "pathlab_acl"}
	for _, sn := range v.Subnets {
		fwd.Rules = append(fwd.Rules, FRule{IIF: subnetBr[sn.Name], OIF: subnetBr[sn.Name], Verdict: "accept"})
	}
	fwd.Rules = append(fwd.Rules,
		FRule{Dst: host32(vres), Verdict: "accept"},
		FRule{Src: host32(vres), Verdict: "accept"})
	for _, sn := range v.Subnets {
		fwd.Rules = append(fwd.Rules, FRule{IIF: subnetBr[sn.Name], Verdict: "jump " + aclChain(sn.NetworkACL, "egress")})
	}
	for _, sn := range v.Subnets {
		fwd.Rules = append(fwd.Rules, FRule{OIF: subnetBr[sn.Name], Verdict: "jump " + aclChain(sn.NetworkACL, "ingress")})
	}
	t.Chains = append(t.Chains, fwd)
	// What the router itself sends into a subnet (an ICMP error: the
	// fragmentation-needed of a link with a small MTU) enters the subnet
	// through its ACL too.
	out := &Chain{Name: "output", Hook: "output", Type: "filter", Priority: 0}
	for _, sn := range v.Subnets {
		out.Rules = append(out.Rules, FRule{OIF: subnetBr[sn.Name], Verdict: "jump " + aclChain(sn.NetworkACL, "ingress")})
	}
	t.Chains = append(t.Chains, out)
	for _, a := range v.NetworkACLs {
		for _, dir := range []string{"ingress", "egress"} {
			rules := a.Ingress
			if dir == "egress" {
				rules = a.Egress
			}
			sorted := append([]spec.ACLRuleSpec(nil), rules...)
			sortACL(sorted)
			c := &Chain{Name: aclChain(a.Name, dir)}
			for _, r := range sorted {
				cidr, err := netip.ParsePrefix(r.CIDR)
				if err != nil {
					continue
				}
				lo, hi := portsOf(r.Ports)
				fr := FRule{Proto: protoOf(r.Protocol), PortLo: lo, PortHi: hi, Verdict: "drop", Comment: "rule " + strconv.Itoa(r.Rule)}
				if r.Action == "allow" {
					fr.Verdict = "return"
				}
				if dir == "ingress" {
					fr.Src = cidr.Masked()
				} else {
					fr.Dst = cidr.Masked()
				}
				c.Rules = append(c.Rules, fr)
			}
			c.Rules = append(c.Rules, FRule{Verdict: "drop", Comment: "rule *"})
			t.Chains = append(t.Chains, c)
		}
	}
	// An ACL named by a subnet but not declared denies everything.
	have := map[string]bool{}
	for _, c := range t.Chains {
		have[c.Name] = true
	}
	for _, sn := range v.Subnets {
		for _, dir := range []string{"ingress", "egress"} {
			if n := aclChain(sn.NetworkACL, dir); !have[n] {
				have[n] = true
				t.Chains = append(t.Chains, &Chain{Name: n, Rules: []FRule{{Verdict: "drop"}}})
			}
		}
	}
	return t
}

func sortACL(rs []spec.ACLRuleSpec) {
	for i := 1; i < len(rs); i++ {
		for j := i; j > 0 && rs[j].Rule < rs[j-1].Rule; j-- {
			rs[j], rs[j-1] = rs[j-1], rs[j]
		}
	}
}

func aclChain(acl, dir string) string { return "acl-" + acl + "-" + dir }

// igwTables are an internet gateway's one-to-one NAT: public to private on
// the way in, private to public on the way out; a packet from a private
// address with no public one is dropped (NO_PUBLIC_ADDRESS), and nothing
// unsolicited comes in but to a mapped address.
func igwTables(maps [][2]netip.Addr) []*Table {
	pre := &Chain{Name: "prerouting", Hook: "prerouting", Type: "nat", Priority: -100}
	post := &Chain{Name: "postrouting", Hook: "postrouting", Type: "nat", Priority: 100}
	fwd := &Chain{Name: "forward", Hook: "forward", Type: "filter", Priority: 0}
	fwd.Rules = append(fwd.Rules, FRule{Established: true, Verdict: "accept"}, FRule{DNATed: true, Verdict: "accept"})
	for _, m := range maps {
		pre.Rules = append(pre.Rules, FRule{IIF: "inet", Dst: host32(m[0]), Verdict: "dnat", To: m[1]})
		post.Rules = append(post.Rules, FRule{OIF: "inet", Src: host32(m[1]), Verdict: "snat", To: m[0]})
		fwd.Rules = append(fwd.Rules, FRule{IIF: "vpc", Src: host32(m[1]), Verdict: "accept"})
	}
	fwd.Rules = append(fwd.Rules, FRule{Verdict: "drop"})
	return []*Table{{Name: "pathlab_igw", Chains: []*Chain{pre, post, fwd}}}
}

// natTables are a NAT gateway: what it forwards leaves from its private
// address with a source port in 1024-65535; nothing opens a connection
// to it.
func natTables(private netip.Addr) []*Table { return natTablesRange(private, 1024, 65535) }

// natTablesRange are a NAT gateway's tables with its source ports in
// lo-hi (a partly denied range is judged over windows: partial.go).
func natTablesRange(private netip.Addr, lo, hi uint16) []*Table {
	post := &Chain{Name: "postrouting", Hook: "postrouting", Type: "nat", Priority: 100}
	post.Rules = append(post.Rules,
		FRule{OIF: "eth0", Proto: "tcp", NotSrc: []netip.Prefix{host32(private)}, Verdict: "snat", To: private, ToLo: lo, ToHi: hi},
		FRule{OIF: "eth0", Proto: "udp", NotSrc: []netip.Prefix{host32(private)}, Verdict: "snat", To: private, ToLo: lo, ToHi: hi},
		FRule{OIF: "eth0", NotSrc: []netip.Prefix{host32(private)}, Verdict: "snat", To: private})
	in := &Chain{Name: "input", Hook: "input", Type: "filter", Priority: 0}
	in.Rules = append(in.Rules, FRule{IIF: "lo", Verdict: "accept"}, FRule{Established: true, Verdict: "accept"}, FRule{Verdict: "drop"})
	// A NAT gateway translates connections it saw open; a TCP packet of a
	// connection it has no record of (a reply whose request came in
	// another way: NO_RETURN_ROUTE) is dropped, not translated.
	const syn, ack, fin, rst = 0x02, 0x10, 0x01, 0x04
	fwd := &Chain{Name: "forward", Hook: "forward", Type: "filter", Priority: 0}
	fwd.Rules = append(fwd.Rules,
		FRule{Established: true, Verdict: "accept"},
		FRule{Proto: "tcp", TCPMask: syn | ack | fin | rst, TCPFlags: syn, Verdict: "accept"},
		FRule{Proto: "tcp", Verdict: "drop"})
	return []*Table{{Name: "pathlab_nat", Chains: []*Chain{post, in, fwd}}}
}

// nlbTable passes a network balancer node's listener to a target,
// keeping the client's address, and marks what it passes on with the
// node's TOS so the target's replies find their way back.
func nlbTable(private netip.Addr, port uint16, target netip.AddrPort, tos uint8) *Table {
	pre := &Chain{Name: "prerouting", Hook: "prerouting", Type: "nat", Priority: -100}
	pre.Rules = append(pre.Rules, FRule{Dst: host32(private), Proto: "tcp", PortLo: port, PortHi: port, Verdict: "dnat", To: target.Addr(), ToLo: target.Port(), ToHi: target.Port()})
	mark := &Chain{Name: "mark", Hook: "forward", Type: "filter", Priority: -5}
	mark.Rules = append(mark.Rules, FRule{DNATed: true, SetTOS: tos, Verdict: "accept"})
	return &Table{Name: fmt.Sprintf("pathlab_nlb_%d", port), Chains: []*Chain{pre, mark}}
}

// nlbSilentTable makes a network balancer node's listener without a
// target drop what comes to it: the client's SYN goes unanswered.
func nlbSilentTable(port uint16) *Table {
	in := &Chain{Name: "input", Hook: "input", Type: "filter", Priority: -30}
	in.Rules = append(in.Rules, FRule{Proto: "tcp", PortLo: port, PortHi: port, Verdict: "drop"})
	return &Table{Name: fmt.Sprintf("pathlab_nlb_%d", port), Chains: []*Chain{in}}
}

// nlbTargetTable makes a network balancer's target send its replies back
// through the router (and so the node that passed the connection on) even
// to a client in its own subnet: connections that came marked with a
// node's TOS get that mark, and their packets a firewall mark that policy
// routing sends to the router.
func nlbTargetTable(toses []uint8) *Table {
	pre := &Chain{Name: "prerouting", Hook: "prerouting", Type: "filter", Priority: -150}
	for _, t := range toses {
		pre.Rules = append(pre.Rules, FRule{TOS: t, CtMark: uint32(t), Verdict: "accept"})
	}
	out := &Chain{Name: "output", Hook: "output", Type: "route", Priority: -150}
	out.Rules = append(out.Rules, FRule{MarkFromCt: true, Verdict: "accept"})
	return &Table{Name: "pathlab_nlb_target", Chains: []*Chain{pre, out}}
}

// invisibleTable keeps a forwarding node out of traceroutes, as AWS's
// implied router, gateways and balancers are: the VPC's destination is the
// first hop; only a NAT gateway shows.
func invisibleTable() *Table {
	pre := &Chain{Name: "prerouting", Hook: "prerouting", Type: "filter", Priority: -150}
	// One rule per TTL a traceroute uses (nft has no arithmetic).
	for ttl := 1; ttl <= 64; ttl++ {
		pre.Rules = append(pre.Rules, FRule{TTLFrom: uint8(ttl), Verdict: "accept"})
	}
	return &Table{Name: "pathlab_hop", Chains: []*Chain{pre}}
}

// lbNodeTable makes a balancer node answer only on its listeners, as a
// balancer does: a SYN to a port without a listener goes unanswered (no
// reset), and an application balancer never answers ping.
func lbNodeTable(ports []int) *Table {
	in := &Chain{Name: "input", Hook: "input", Type: "filter", Priority: -20}
	in.Rules = append(in.Rules, FRule{IIF: "lo", Verdict: "accept"}, FRule{Established: true, Verdict: "accept"})
	for _, p := range ports {
		in.Rules = append(in.Rules, FRule{Proto: "tcp", PortLo: uint16(p), PortHi: uint16(p), Verdict: "accept"})
	}
	in.Rules = append(in.Rules, FRule{Verdict: "drop"})
	return &Table{Name: "pathlab_lb", Chains: []*Chain{in}}
}
