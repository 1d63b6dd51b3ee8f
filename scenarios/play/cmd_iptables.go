package play

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/pathlab/pathlab/simnet/spec"
	"github.com/pathlab/pathlab/tracer"
)

// iptables -L prints a host's firewall as iptables 1.8 (nf_tables) does;
// -v adds the counters, counted from the packets of every trace the
// learner's commands made so far, at the rule that matched them (or the
// chain's policy).

// fwCounter is a rule's (or a policy's, rule 0) packets and bytes.
type fwCounter struct{ pkts, bytes int }

// fwKey names a rule: host, chain, position (0: the policy).
type fwKey struct {
	host, chain string
	num         int
}

// countFirewall adds the packets of hops to the host firewalls' counters.
func (s *Shell) countFirewall(hops []tracer.Hop) {
	for _, h := range hops {
		if h.Kind != tracer.KindHostFirewall {
			continue
		}
		chain := "OUTPUT"
		num := 0
		if h.Matched != nil {
			num = h.Matched.Number
			if h.Matched.Ingress {
				chain = "INPUT"
			}
		} else if h.Flow.Dst.IsValid() && s.isAddrOf(h.Component, h.Flow.Dst.Addr().String()) {
			chain = "INPUT"
		}
		size := 60 // a SYN with its options
		switch h.Flow.Proto {
		case tracer.ICMP:
			size = 84
		case tracer.UDP:
			size = 56
		}
		if s.fwCounts == nil {
			s.fwCounts = map[fwKey]*fwCounter{}
		}
		k := fwKey{h.Component, chain, num}
		c := s.fwCounts[k]
		if c == nil {
			c = &fwCounter{}
			s.fwCounts[k] = c
		}
		c.pkts++
		c.bytes += size
		if h.Action == tracer.ActAccept {
			// Its reply crosses the other chain by its first rule,
			// conntrack's RELATED,ESTABLISHED accept (conntrackNum).
			back := "INPUT"
			if chain == "INPUT" {
				back = "OUTPUT"
			}
			k := fwKey{h.Component, back, conntrackNum}
			if s.fwCounts[k] == nil {
				s.fwCounts[k] = &fwCounter{}
			}
			s.fwCounts[k].pkts++
			s.fwCounts[k].bytes += size
		}
	}
}

// conntrackNum keys the counter of the rule every host firewall starts
// its INPUT and OUTPUT chains with: replies of connections the rules let
// through pass by connection tracking, as the engine lets them and as
// the lab writes the rule (-m conntrack --ctstate ESTABLISHED,RELATED -j
// ACCEPT before the world's rules).
const conntrackNum = -1

// conntrackRule is that rule as iptables -S prints it.
func conntrackRule(chain string) string {
	return "-A " + chain + " -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT"
}

// isAddrOf reports whether addr is one of host's addresses.
func (s *Shell) isAddrOf(host, addr string) bool {
	if in, _ := findInstanceSpec(s.spec, host); in != nil {
		return in.PrivateIP == addr || in.PublicIP == addr
	}
	for _, sv := range s.spec.Internet.Servers {
		if sv.Name == host {
			return sv.IP == addr
		}
	}
	return false
}

var protoNumbers = map[string]string{"tcp": "6", "udp": "17", "icmp": "1", "all": "0"}

func (s *Shell) iptables(_ context.Context, args []string) error {
	list, rules, lineNums, numeric, verbose := false, false, false, false, false
	var only string
	for _, a := range args {
		switch {
		case a == "INPUT" || a == "OUTPUT" || a == "FORWARD":
			only = a
		case a == "--list":
			list = true
		case a == "--list-rules":
			rules = true
		case a == "--line-numbers":
			lineNums = true
		case a == "--numeric":
			numeric = true
		case a == "--verbose":
			verbose = true
		case len(a) > 1 && a[0] == '-' && a[1] != '-' && strings.Trim(a[1:], "LSnvx") == "":
			for _, c := range a[1:] {
				switch c {
				case 'L':
					list = true
				case 'S':
					rules = true
				case 'n':
					numeric = true
				case 'v':
					verbose = true
				}
			}
		case strings.HasPrefix(a, "-A") || strings.HasPrefix(a, "-I") || strings.HasPrefix(a, "-D") || strings.HasPrefix(a, "-F") || strings.HasPrefix(a, "-R"):
			return badUsage("only listing is possible here: iptables -L [-v] [-n] [--line-numbers] or iptables -S; to change the rules, use the fix command firewall")
		default:
			s.printf("iptables v1.8.9 (nf_tables): unknown option \"%s\"\nTry `iptables -h' or 'iptables --help' for more information.\n", a)
			return nil
		}
	}
	if !list && !rules {
		return badUsage("iptables -L [-v] [-n] [--line-numbers] or iptables -S")
	}
	_, fw, _, _ := s.hostSpec()
	var b strings.Builder
	if rules {
		b.WriteString("-P INPUT ACCEPT\n-P FORWARD ACCEPT\n-P OUTPUT ACCEPT\n")
		// Chain by chain, as iptables -S prints them.
		for _, chain := range []string{"INPUT", "OUTPUT"} {
			if len(fw) > 0 {
				b.WriteString(conntrackRule(chain) + "\n")
			}
			for _, r := range fw {
				if strings.EqualFold(r.Chain, chain) {
					b.WriteString(spec.FirewallRuleText(r) + "\n")
				}
			}
		}
		s.print(b.String())
		return nil
	}
	for _, chain := range []string{"INPUT", "FORWARD", "OUTPUT"} {
		if only != "" && chain != only {
			continue
		}
		if b.Len() > 0 {
			b.WriteString("\n")
		}
		pol := s.fwCounts[fwKey{s.Host(), chain, 0}]
		if pol == nil {
			pol = &fwCounter{}
		}
		if verbose {
			fmt.Fprintf(&b, "Chain %s (policy ACCEPT %d packets, %d bytes)\n", chain, pol.pkts, pol.bytes)
		} else {
			fmt.Fprintf(&b, "Chain %s (policy ACCEPT)\n", chain)
		}
		if lineNums {
			b.WriteString("num  ")
		}
		if verbose {
			b.WriteString(" pkts bytes target     prot opt in     out     source               destination         \n")
		} else {
			b.WriteString("target     prot opt source               destination         \n")
		}
		line := 0 // the rule's line; n is its number among the world's rules
		if len(fw) > 0 && chain != "FORWARD" {
			line++
			if lineNums {
				fmt.Fprintf(&b, "%-4d ", line)
			}
			protoText, any, src := "all", "any", iptAddr("", numeric)
			if numeric {
				protoText, any = "0", "*"
			}
			if verbose {
				c := s.fwCounts[fwKey{s.Host(), chain, conntrackNum}]
				if c == nil {
					c = &fwCounter{}
				}
				fmt.Fprintf(&b, "%5s %5s ", iptCount(c.pkts), iptCount(c.bytes))
				fmt.Fprintf(&b, "%-10s %-4s %-3s %-6s %-7s %-20s %-20s %s\n", "ACCEPT", protoText, "--", any, any, src, src, "ctstate RELATED,ESTABLISHED")
			} else {
				fmt.Fprintf(&b, "%-10s %-4s %-3s %-20s %-20s %s\n", "ACCEPT", protoText, "--", src, src, "ctstate RELATED,ESTABLISHED")
			}
		}
		n := 0
		for _, r := range fw {
			if !strings.EqualFold(r.Chain, chain) {
				continue
			}
			n++
			line++
			if lineNums {
				fmt.Fprintf(&b, "%-4d ", line)
			}
			if verbose {
				c := s.fwCounts[fwKey{s.Host(), chain, n}]
				if c == nil {
					c = &fwCounter{}
				}
				fmt.Fprintf(&b, "%5s %5s ", iptCount(c.pkts), iptCount(c.bytes))
			}
			proto := strings.ToLower(orDefault(r.Protocol, "all"))
			protoText := proto
			if numeric {
				protoText = protoNumbers[proto]
			}
			src, dst := iptAddr(r.Source, numeric), iptAddr(r.Destination, numeric)
			extra := ""
			if !r.Port.IsZero() && proto != "all" && proto != "icmp" {
				ports := strings.ReplaceAll(r.Port.Text, "-", ":")
				if !numeric && !strings.Contains(ports, ":") {
					if p, err := strconv.Atoi(ports); err == nil && serviceNames[p] != "" {
						ports = serviceNames[p]
					}
				}
				kind := "dpt"
				if strings.Contains(r.Port.Text, "-") {
					kind = "dpts"
				}
				extra = fmt.Sprintf("%s %s:%s", proto, kind, ports)
			}
			target := strings.ToUpper(r.Action)
			if target == "REJECT" {
				extra = strings.TrimSpace(extra + " reject-with icmp-port-unreachable")
			}
			if verbose {
				any := "*"
				if !numeric {
					any = "any"
				}
				fmt.Fprintf(&b, "%-10s %-4s %-3s %-6s %-7s %-20s %-20s %s\n", target, protoText, "--", any, any, src, dst, extra)
			} else {
				fmt.Fprintf(&b, "%-10s %-4s %-3s %-20s %-20s %s\n", target, protoText, "--", src, dst, extra)
			}
		}
	}
	s.print(b.String())
	return nil
}

// iptCount is iptables' counter: a number, with K, M or G past 99999.
func iptCount(n int) string {
	units := []string{"", "K", "M", "G"}
	i := 0
	for n > 99999 && i < len(units)-1 {
		n /= 1000
		i++
	}
	return strconv.Itoa(n) + units[i]
}

// iptAddr prints a rule's address: "anywhere" or the CIDR without -n,
// 0.0.0.0/0 with it.
func iptAddr(c string, numeric bool) string {
	if c == "" || c == "0.0.0.0/0" {
		if numeric {
			return "0.0.0.0/0"
		}
		return "anywhere"
	}
	return strings.TrimSuffix(c, "/32")
}
