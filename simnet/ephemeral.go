package simnet

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/pathlab/pathlab/tracer"
)

// aclReplyRange evaluates subnet sn's network ACL for a reply whose
// destination is an initiator's ephemeral range [p.dlo, p.dhi]. ACLs are
// stateless, so the reply needs a rule of its own; a connection's reply goes
// to the one port that connection drew (AWS VPC User Guide, network ACLs,
// "Ephemeral ports": the client picks the port from its range, and the ACL
// is judged for that port). The reply is judged for its own port p.dport:
//
//   - every port of the range denied: the reply is dropped (a block, as
//     before: NACL_INGRESS_DENIED or NACL_EGRESS_DENIED);
//   - the range partly denied: this connection is delivered, and a hop
//     flags NACL_EPHEMERAL_PARTIAL with the share of connections that
//     would hang and the rules that deny them;
//   - the whole range allowed: NACL_ALLOW.
//
// A connection whose own port falls in the denied part is shown as the
// retry that drew an allowed port: the trace's verdict is about the path,
// and the flag says that it is intermittent.
func (t *walk) aclReplyRange(sn *subnet, ingress bool, p *pkt) bool {
	a := sn.acl
	rules, peer, dirName, code, deny := a.egress, p.dst, "egress", tracer.NACLEgressDenied, &a.denyOut
	if ingress {
		rules, peer, dirName, code, deny = a.ingress, p.src, "ingress", tracer.NACLIngressDenied, &a.denyIn
	}
	lo, hi := p.dlo, p.dhi
	var rem, denied portSet
	rem.add(lo, hi)
	var firstDeny *aclRule
	var allowedBy, deniedBy []int // rule indexes, in order
	for i := range rules {
		r := &rules[i]
		if r.proto != protoAll && r.proto != p.proto {
			continue
		}
		if !r.cidr.Contains(peer) {
			continue
		}
		rlo, rhi := uint16(0), uint16(65535)
		if r.proto != protoAll {
			rlo, rhi = r.lo, r.hi
		}
		if hit, _, _ := rem.intersects(rlo, rhi); !hit {
			continue
		}
		if r.allow {
			allowedBy = append(allowedBy, i)
		} else {
			if firstDeny == nil {
				firstDeny = r
			}
			deniedBy = append(deniedBy, i)
			rem.each(func(a, b uint16) {
				if x, y := max(a, rlo), min(b, rhi); x <= y {
					denied.add(x, y)
				}
			})
		}
		rem.sub(rlo, rhi)
		if rem.empty() {
			break
		}
	}
	implicit := !rem.empty()
	rem.each(func(a, b uint16) { denied.add(a, b) })
	where := "leaving"
	if ingress {
		where = "entering"
	}
	total := int(hi) - int(lo) + 1
	nDenied := denied.size()
	switch {
	case nDenied == 0:
		if !t.quiet && len(allowedBy) == 1 {
			// one rule: its words are rendered when a view asks (say.go)
			r := &rules[allowedBy[0]]
			t.add(tracer.Hop{Component: a.name, Kind: tracer.KindNetworkACL, Direction: p.dir(), Action: tracer.ActAllow, Code: tracer.NACLAllow, Rule: r.rule.Text, Matched: &r.rule, Peer: sn.name, Say: sayACLAllow{}})
		} else if !t.quiet {
			nums := make([]string, len(allowedBy))
			for k, i := range allowedBy {
				nums[k] = strconv.Itoa(rules[i].num)
			}
			last := &rules[allowedBy[len(allowedBy)-1]]
			t.add(tracer.Hop{Component: a.name, Kind: tracer.KindNetworkACL, Direction: p.dir(), Action: tracer.ActAllow, Code: tracer.NACLAllow, Rule: last.rule.Text, Matched: &last.rule, Peer: sn.name,
				Say: sayACLAllow{}, Ref: nums})
		}
		return true
	case nDenied == total:
		var detail string
		rule := deny
		if firstDeny != nil && !implicit && len(deniedBy) == 1 {
			rule = &firstDeny.rule
			detail = fmt.Sprintf("%s rule %d denies replies to ports %s of the ephemeral range %s: the reply is dropped", dirName, firstDeny.num, portText(lo, hi), portText(lo, hi))
		} else if firstDeny != nil {
			rule = &firstDeny.rule
			detail = fmt.Sprintf("%s rules deny every port of the client's ephemeral range %s (%s): the reply is dropped", dirName, portText(lo, hi), t.denyList(rules, deniedBy, implicit, lo, hi))
		} else {
			detail = fmt.Sprintf("no %s rule allows replies to ports %s of the client's ephemeral range %s: the implicit deny (*) drops the reply", dirName, portText(lo, hi), portText(lo, hi))
		}
		advice := fmt.Sprintf("add an %s rule to %s allowing %s", dirName, a.name, fixWhat(p, ingress))
		if firstDeny != nil {
			advice = fmt.Sprintf("remove rule %d from %s, or add a lower-numbered allow rule for %s", firstDeny.num, a.name, fixWhat(p, ingress))
		}
		t.blockAt(a.name, tracer.KindNetworkACL, sn.name, p, code, detail+", "+where+" subnet "+sn.name, rule, nil, advice)
		return false
	}
	// Partly denied: this connection goes through; some would hang.
	if t.quiet {
		return true
	}
	port := p.dport
	if !denied.contains(port) {
		// its own port is allowed
	} else {
		port = firstAllowed(lo, hi, &denied)
	}
	var rule *tracer.Rule
	if firstDeny != nil {
		rule = &firstDeny.rule
	} else {
		rule = deny
	}
	detail := fmt.Sprintf("reply to %s port %d (this connection's ephemeral port) allowed, %s subnet %s; but %s: %s", p.proto, port, where, sn.name,
		t.denyList(rules, deniedBy, implicit, lo, hi), oneIn(nDenied, total, portText(lo, hi)))
	if port != p.dport {
		detail = fmt.Sprintf("reply to %s port %d denied, so this connection hangs; a retry that draws port %d gets through, %s subnet %s; %s: %s", p.proto, p.dport, port, where, sn.name,
			t.denyList(rules, deniedBy, implicit, lo, hi), oneIn(nDenied, total, portText(lo, hi)))
	}
	t.add(tracer.Hop{Component: a.name, Kind: tracer.KindNetworkACL, Direction: p.dir(), Action: tracer.ActAllow, Code: tracer.NACLEphemeralPartial,
		Rule: rule.Text, Matched: rule, Peer: sn.name, Detail: detail,
		Advice: fmt.Sprintf("allow replies to the whole range %s in %s ahead of the deny (an %s rule for %s)", portText(lo, hi), a.name, dirName, fixWhat(p, ingress))})
	return true
}

// denyList says which rules deny which part of [lo, hi].
func (t *walk) denyList(rules []aclRule, deniedBy []int, implicit bool, lo, hi uint16) string {
	var parts []string
	for _, i := range deniedBy {
		r := &rules[i]
		a, b := max(lo, r.lo), min(hi, r.hi)
		if r.proto == protoAll {
			a, b = lo, hi
		}
		parts = append(parts, fmt.Sprintf("rule %d denies %s", r.num, portText(a, b)))
	}
	if implicit {
		parts = append(parts, "no rule allows the rest (the implicit deny)")
	}
	return strings.Join(parts, ", ")
}

// oneIn says how many connections of the initiator's range hang.
func oneIn(denied, total int, rng string) string {
	if denied*2 <= total {
		return fmt.Sprintf("about 1 in %d connections from this client would hang (%d of the %d ports of %s)", total/denied, denied, total, rng)
	}
	return fmt.Sprintf("about %d in 10 connections from this client would hang (%d of the %d ports of %s)", (denied*10+total/2)/total, denied, total, rng)
}

func firstAllowed(lo, hi uint16, denied *portSet) uint16 {
	for p := int(lo); p <= int(hi); p++ {
		if !denied.contains(uint16(p)) {
			return uint16(p)
		}
	}
	return lo
}

// each calls f for every interval of the set.
func (s *portSet) each(f func(lo, hi uint16)) {
	for _, v := range s.iv[:s.n] {
		f(v[0], v[1])
	}
}

// size is the number of ports in the set (intervals do not overlap).
func (s *portSet) size() int {
	n := 0
	for _, v := range s.iv[:s.n] {
		n += int(v[1]) - int(v[0]) + 1
	}
	return n
}

func (s *portSet) contains(p uint16) bool {
	for _, v := range s.iv[:s.n] {
		if p >= v[0] && p <= v[1] {
			return true
		}
	}
	return false
}
