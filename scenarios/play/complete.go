package play

import (
	"slices"
	"sort"
	"strings"

	"github.com/pathlab/pathlab/scenarios"
)

// Complete returns the completions of the last word of head (the line up
// to the cursor): command names first, then the words each command takes
// and the world's names where they go.
func (s *Shell) Complete(head string) []string {
	words := strings.Fields(head)
	partial := ""
	if len(head) > 0 && !strings.HasSuffix(head, " ") && !strings.HasSuffix(head, "\t") && len(words) > 0 {
		partial = words[len(words)-1]
		words = words[:len(words)-1]
	}
	var cands []string
	if len(words) == 0 {
		cands = Names()
	} else {
		cands = s.argCandidates(words[0], words[1:])
	}
	var out []string
	for _, c := range cands {
		if strings.HasPrefix(c, partial) && !slices.Contains(out, c) {
			out = append(out, c)
		}
	}
	sort.Strings(out)
	return out
}

// argCandidates lists what may come after cmd and the words typed so far.
func (s *Shell) argCandidates(cmd string, args []string) []string {
	n := len(args) // the index of the word being completed
	names := func(kind string) []string { return s.world.Names(kind) }
	hostsAndNames := func() []string {
		out := s.dnsNames()
		out = append(out, names("instance")...)
		out = append(out, "localhost")
		return out
	}
	switch cmd {
	case "help":
		if n == 0 {
			return Names()
		}
	case "show":
		if n == 0 {
			return ShowKinds
		}
		if n == 1 {
			if k, ok := showKinds[args[0]]; ok {
				return s.namesOf(k)
			}
		}
	case "ssh":
		if n == 0 {
			return names("instance")
		}
	case "tcpdump":
		switch n {
		case 0:
			return append([]string{"at"}, s.capturePoints()...)
		case 1:
			if args[0] == "at" {
				return s.capturePoints()
			}
		}
	case "dig":
		out := append(s.dnsNames(), "+trace", "+short", "A", "AAAA", "CNAME", "NS", "MX", "TXT", "SOA")
		for _, z := range s.spec.DNS.Zones {
			for _, ns := range z.Nameservers {
				out = append(out, "@"+ns.Name)
			}
		}
		return out
	case "curl":
		var out []string
		for _, n := range s.dnsNames() {
			out = append(out, "https://"+n+"/", "http://"+n+"/")
		}
		return append(out, "-v", "-k", "http://localhost:")
	case "nc":
		if n == 0 {
			return []string{"-zv"}
		}
		return hostsAndNames()
	case "ping", "traceroute":
		return append(hostsAndNames(), "-T", "-p", "-n")
	case "answer":
		if n == 0 {
			out := names("")
			for _, z := range s.spec.DNS.Zones {
				out = append(out, z.Name)
			}
			return out
		}
		if n == 1 {
			return codeNames()
		}
	case "sg":
		return grammar(args, names("security-group"), []string{"add", "remove"}, []string{"ingress", "egress"}, []string{"tcp", "udp", "icmp", "all"},
			nil, []string{"from", "to"}, append(names("security-group"), "0.0.0.0/0"))
	case "nacl":
		return grammar(args, names("network-acl"), []string{"add", "remove"}, []string{"ingress", "egress"}, []string{"rule"}, nil,
			[]string{"allow", "deny"}, []string{"tcp", "udp", "icmp", "all"}, nil, []string{"0.0.0.0/0"})
	case "route":
		var targets []string
		for _, k := range []string{"internet-gateway", "nat-gateway", "peering", "instance"} {
			targets = append(targets, names(k)...)
		}
		return grammar(args, names("route-table"), []string{"add", "replace", "remove"}, []string{"0.0.0.0/0"}, []string{"via"}, append(targets, "blackhole"))
	case "service":
		if n == 1 {
			svcs, _ := s.servicesOf(args[0])
			return svcs
		}
		return grammar(args, names("instance"), nil, []string{"start", "stop", "bind", "port", "reply-from"}, []string{"0.0.0.0", "127.0.0.1", "asked", "primary"})
	case "firewall":
		return grammar(args, names("instance"), []string{"remove"}, []string{"1", "2", "3", "input", "output"})
	case "dns":
		var zones []string
		for _, z := range s.spec.DNS.Zones {
			zones = append(zones, z.Name)
		}
		return grammar(args, zones, []string{"set", "remove", "delegate", "associate", "disassociate"}, nil, []string{"A", "AAAA", "CNAME", "MX", "TXT", "NS"})
	case "lb":
		return grammar(args, names("load-balancer"), []string{"health-check", "target", "target-group", "listener"},
			append([]string{"path", "port", "add", "remove"}, names("target-group")...), append(names("instance"), "port", "certificate", "forward"))
	case "cert":
		return grammar(args, names("certificate"), []string{"renew"})
	case "peering":
		return grammar(args, append(names("peering"), "create"), []string{"accept", "delete"})
	}
	return nil
}

// grammar picks the candidates for the word at len(args) from a list per
// position (nil: no suggestions there).
func grammar(args []string, positions ...[]string) []string {
	if len(args) < len(positions) {
		return positions[len(args)]
	}
	return nil
}

// dnsNames lists the names the world's zones hold.
func (s *Shell) dnsNames() []string {
	var out []string
	for _, z := range s.spec.DNS.Zones {
		zn := strings.TrimSuffix(z.Name, ".")
		for _, r := range z.Records {
			n := r.Name
			switch {
			case n == "@":
				n = zn
			case strings.HasSuffix(n, "."):
				n = strings.TrimSuffix(n, ".")
			default:
				n += "." + zn
			}
			if !slices.Contains(out, n) {
				out = append(out, n)
			}
		}
	}
	return out
}

func (s *Shell) capturePoints() []string {
	var out []string
	for _, k := range []string{"client", "server", "instance", "load-balancer", "nat-gateway"} {
		out = append(out, s.world.Names(k)...)
	}
	return out
}

func (s *Shell) servicesOf(host string) ([]string, bool) {
	if in, _ := findInstanceSpec(s.spec, host); in != nil {
		var out []string
		for _, sv := range in.Services {
			out = append(out, sv.Name)
		}
		return out, true
	}
	return nil, false
}

func codeNames() []string {
	var out []string
	for _, c := range scenariosCodes() {
		out = append(out, string(c))
	}
	return out
}

var scenariosCodes = func() []string {
	var out []string
	for _, k := range scenarios.Catalog() {
		for _, c := range k.Codes {
			if !slices.Contains(out, string(c)) {
				out = append(out, string(c))
			}
		}
	}
	return out
}
