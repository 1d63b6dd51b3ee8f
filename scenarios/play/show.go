package play

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/pathlab/pathlab/simnet/spec"
)

// showKinds maps what a learner may type to the world's kind names.
var showKinds = map[string]string{
	"vpc": "vpc", "subnet": "subnet", "route-table": "route-table", "rt": "route-table",
	"sg": "security-group", "security-group": "security-group", "nacl": "network-acl", "network-acl": "network-acl", "acl": "network-acl",
	"lb": "load-balancer", "load-balancer": "load-balancer", "target-health": "target-health", "instance": "instance",
	"zone": "zone", "cert": "certificate", "certificate": "certificate", "peering": "peering", "nat-gateway": "nat-gateway", "nat": "nat-gateway",
}

// ShowKinds lists the kinds show takes, as typed.
var ShowKinds = []string{"vpc", "subnet", "route-table", "sg", "nacl", "lb", "target-health", "instance", "zone", "cert", "peering", "nat-gateway"}

func (s *Shell) show(_ context.Context, args []string) error {
	if len(args) == 0 {
		return s.showAll()
	}
	kind, ok := showKinds[args[0]]
	if !ok {
		return badUsage("kind %q is not one of %s", args[0], strings.Join(ShowKinds, ", "))
	}
	if len(args) == 1 {
		names := s.namesOf(kind)
		s.printf("%s\n", strings.Join(names, "\n"))
		return nil
	}
	if len(args) != 2 {
		return badUsage("show KIND NAME")
	}
	name := args[1]
	var b strings.Builder
	tw := tabwriter.NewWriter(&b, 0, 4, 2, ' ', 0)
	var err error
	switch kind {
	case "vpc":
		err = s.showVPC(tw, name)
	case "subnet":
		err = s.showSubnet(tw, name)
	case "route-table":
		err = s.showRT(tw, name)
	case "security-group":
		err = s.showSG(tw, name)
	case "network-acl":
		err = s.showACL(tw, name)
	case "load-balancer":
		err = s.showLB(tw, name)
	case "target-health":
		err = s.showHealth(tw, name)
	case "instance":
		err = s.showInstance(tw, name)
	case "zone":
		err = s.showZone(tw, name)
	case "certificate":
		err = s.showCert(tw, name)
	case "peering":
		err = s.showPeering(tw, name)
	case "nat-gateway":
		err = s.showNAT(tw, name)
	default:
		_, err = s.showHybrid(tw, kind, name) // show_hybrid.go
	}
	if err != nil {
		return err
	}
	tw.Flush()
	s.print(b.String())
	return nil
}

// namesOf lists the names of a show kind.
func (s *Shell) namesOf(kind string) []string {
	switch kind {
	case "zone":
		var out []string
		for _, z := range s.spec.DNS.Zones {
			n := z.Name
			if z.Private && s.zoneShared(z.Name) {
				n = "private:" + n
			} else if s.zoneShared(z.Name) {
				n = "public:" + n
			}
			out = append(out, n)
		}
		return out
	case "target-health":
		return s.world.Names("load-balancer")
	}
	return s.world.Names(kind)
}

func (s *Shell) zoneShared(name string) bool {
	n := 0
	for _, z := range s.spec.DNS.Zones {
		if strings.EqualFold(z.Name, name) {
			n++
		}
	}
	return n > 1
}

func (s *Shell) showAll() error {
	var b strings.Builder
	tw := tabwriter.NewWriter(&b, 0, 4, 2, ' ', 0)
	for _, k := range ShowKinds {
		if k == "target-health" {
			continue
		}
		names := s.namesOf(showKinds[k])
		if len(names) == 0 {
			continue
		}
		fmt.Fprintf(tw, "%s\t%s\n", k, strings.Join(names, ", "))
	}
	var hosts []string
	for _, c := range s.spec.Internet.Clients {
		hosts = append(hosts, c.Name+" (client)")
	}
	for _, c := range s.spec.Internet.Servers {
		hosts = append(hosts, c.Name+" (server)")
	}
	if len(hosts) > 0 {
		fmt.Fprintf(tw, "internet\t%s\n", strings.Join(hosts, ", "))
	}
	tw.Flush()
	s.print(b.String())
	s.printf("\nshow KIND NAME prints one.\n")
	return nil
}

func notFound(kind, name string, names []string) error {
	return fmt.Errorf("no %s is named %q; there are: %s", kind, name, strings.Join(names, ", "))
}

func (s *Shell) showVPC(tw *tabwriter.Writer, name string) error {
	var v *spec.VPCSpec
	for i := range s.spec.VPCs {
		if s.spec.VPCs[i].Name == name {
			v = &s.spec.VPCs[i]
		}
	}
	if v == nil {
		return notFound("vpc", name, s.world.Names("vpc"))
	}
	fmt.Fprintf(tw, "VPC\t%s\n", v.Name)
	fmt.Fprintf(tw, "CIDR\t%s\n", v.CIDR)
	fmt.Fprintf(tw, "DNS resolver\t%s\n", s.resolverAddr(v.Name+"-resolver"))
	fmt.Fprintf(tw, "Internet gateway\t%s\n", orDash(v.InternetGateway))
	var subnets []string
	for _, sn := range v.Subnets {
		subnets = append(subnets, fmt.Sprintf("%s (%s)", sn.Name, sn.CIDR))
	}
	fmt.Fprintf(tw, "Subnets\t%s\n", strings.Join(subnets, ", "))
	fmt.Fprintf(tw, "Route tables\t%s\n", strings.Join(namesList(v.RouteTables, func(r spec.RouteTableSpec) string { return r.Name }), ", "))
	fmt.Fprintf(tw, "Network ACLs\t%s\n", strings.Join(namesList(v.NetworkACLs, func(r spec.ACLSpec) string { return r.Name }), ", "))
	var peers []string
	for _, p := range s.spec.Peerings {
		if slices.Contains(p.VPCs, v.Name) {
			other := p.VPCs[0]
			if other == v.Name && len(p.VPCs) > 1 {
				other = p.VPCs[1]
			}
			peers = append(peers, fmt.Sprintf("%s ↔ %s (%s)", p.Name, other, orDash(p.Status)))
		}
	}
	fmt.Fprintf(tw, "Peerings\t%s\n", orDash(strings.Join(peers, ", ")))
	var zones []string
	for _, z := range s.spec.DNS.Zones {
		if z.Private && slices.Contains(z.VPCs, v.Name) {
			zones = append(zones, z.Name)
		}
	}
	fmt.Fprintf(tw, "Private zones\t%s\n", orDash(strings.Join(zones, ", ")))
	return nil
}

func namesList[T any](xs []T, f func(T) string) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = f(x)
	}
	return out
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func (s *Shell) showSubnet(tw *tabwriter.Writer, name string) error {
	for _, v := range s.spec.VPCs {
		for _, sn := range v.Subnets {
			if sn.Name != name {
				continue
			}
			fmt.Fprintf(tw, "Subnet\t%s\n", sn.Name)
			fmt.Fprintf(tw, "VPC\t%s\n", v.Name)
			fmt.Fprintf(tw, "CIDR\t%s\n", sn.CIDR)
			fmt.Fprintf(tw, "Availability zone\t%s\n", orDash(sn.Zone))
			fmt.Fprintf(tw, "Route table\t%s\n", sn.RouteTable)
			fmt.Fprintf(tw, "Network ACL\t%s\n", sn.NetworkACL)
			var in []string
			for _, i := range v.Instances {
				if i.Subnet == sn.Name {
					in = append(in, fmt.Sprintf("%s (%s)", i.Name, i.PrivateIP))
				}
			}
			for _, l := range v.LoadBalancers {
				for _, n := range l.Nodes {
					if n.Subnet == sn.Name {
						in = append(in, fmt.Sprintf("%s node (%s)", l.Name, n.PrivateIP))
					}
				}
			}
			for _, n := range v.NATGateways {
				if n.Subnet == sn.Name {
					in = append(in, fmt.Sprintf("%s (%s)", n.Name, n.PrivateIP))
				}
			}
			fmt.Fprintf(tw, "Network interfaces\t%s\n", orDash(strings.Join(in, ", ")))
			return nil
		}
	}
	return notFound("subnet", name, s.world.Names("subnet"))
}

// routeStatus is what the console says of a route: active, or blackhole
// when its target is gone or inactive.
func (s *Shell) routeStatus(v *spec.VPCSpec, target string) string {
	if target == "blackhole" {
		return "blackhole"
	}
	if st, ok := s.hybridRouteStatus(v, target); ok { // show_hybrid.go
		return st
	}
	for _, p := range s.spec.Peerings {
		if p.Name == target {
			if p.Status == "active" || p.Status == "" {
				return "active"
			}
			return "blackhole"
		}
	}
	if k := s.world.Kind(target); k == "internet-gateway" && v.InternetGateway != target {
		return "blackhole"
	}
	if s.world.Kind(target) == "" {
		return "blackhole"
	}
	return "active"
}

func (s *Shell) showRT(tw *tabwriter.Writer, name string) error {
	for i := range s.spec.VPCs {
		v := &s.spec.VPCs[i]
		for _, rt := range v.RouteTables {
			if rt.Name != name {
				continue
			}
			var subs []string
			for _, sn := range v.Subnets {
				if sn.RouteTable == rt.Name {
					subs = append(subs, sn.Name)
				}
			}
			fmt.Fprintf(tw, "Route table\t%s\t(VPC %s)\n", rt.Name, v.Name)
			fmt.Fprintf(tw, "Subnets\t%s\n\n", orDash(strings.Join(subs, ", ")))
			fmt.Fprintf(tw, "Destination\tTarget\tStatus\n")
			fmt.Fprintf(tw, "%s\tlocal\tactive\n", v.CIDR)
			for _, r := range rt.Routes {
				fmt.Fprintf(tw, "%s\t%s\t%s\n", r.Destination, r.Target, s.routeStatus(v, r.Target))
			}
			if v.VPNGateway != "" { // route propagation (show_hybrid.go's world keys)
				fmt.Fprintf(tw, "\nRoute propagation\t%s\n", orDash(strings.Join(rt.Propagations, ", ")))
			}
			return nil
		}
	}
	return notFound("route table", name, s.world.Names("route-table"))
}

func portsText(p spec.Ports, proto string) string {
	proto = strings.ToLower(proto)
	if proto == "all" || proto == "-1" || proto == "icmp" {
		return "All"
	}
	lo, hi, err := p.Range()
	if err != nil {
		return p.Text
	}
	if lo == 0 && hi == 65535 {
		return "All"
	}
	return p.Text
}

func (s *Shell) showSG(tw *tabwriter.Writer, name string) error {
	for _, v := range s.spec.VPCs {
		for _, g := range v.SecurityGroups {
			if g.Name != name {
				continue
			}
			fmt.Fprintf(tw, "Security group\t%s\t(VPC %s)\n\n", g.Name, v.Name)
			fmt.Fprintf(tw, "Inbound rules\n")
			fmt.Fprintf(tw, "Protocol\tPort range\tSource\n")
			for _, r := range g.Ingress {
				fmt.Fprintf(tw, "%s\t%s\t%s\n", strings.ToLower(r.Protocol), portsText(r.Ports, r.Protocol), r.Source)
			}
			if len(g.Ingress) == 0 {
				fmt.Fprintf(tw, "(none)\t\t\n")
			}
			fmt.Fprintf(tw, "\nOutbound rules\n")
			fmt.Fprintf(tw, "Protocol\tPort range\tDestination\n")
			for _, r := range g.Egress {
				fmt.Fprintf(tw, "%s\t%s\t%s\n", strings.ToLower(r.Protocol), portsText(r.Ports, r.Protocol), r.Destination)
			}
			if len(g.Egress) == 0 {
				fmt.Fprintf(tw, "(none)\t\t\n")
			}
			var users []string
			for _, in := range v.Instances {
				if slices.Contains(in.SecurityGroups, g.Name) {
					users = append(users, fmt.Sprintf("%s (%s)", in.Name, in.PrivateIP))
				}
			}
			for _, l := range v.LoadBalancers {
				if slices.Contains(l.SecurityGroups, g.Name) {
					users = append(users, fmt.Sprintf("%s (balancer)", l.Name))
				}
			}
			fmt.Fprintf(tw, "\nAttached to\t%s\n", orDash(strings.Join(users, ", ")))
			return nil
		}
	}
	return notFound("security group", name, s.world.Names("security-group"))
}

func (s *Shell) showACL(tw *tabwriter.Writer, name string) error {
	for _, v := range s.spec.VPCs {
		for _, a := range v.NetworkACLs {
			if a.Name != name {
				continue
			}
			var subs []string
			for _, sn := range v.Subnets {
				if sn.NetworkACL == a.Name {
					subs = append(subs, fmt.Sprintf("%s (%s)", sn.Name, sn.CIDR))
				}
			}
			fmt.Fprintf(tw, "Network ACL\t%s\t(VPC %s)\n", a.Name, v.Name)
			fmt.Fprintf(tw, "Subnets\t%s\n", orDash(strings.Join(subs, ", ")))
			for _, dir := range []string{"Inbound", "Outbound"} {
				rules, peer := a.Ingress, "Source"
				if dir == "Outbound" {
					rules, peer = a.Egress, "Destination"
				}
				fmt.Fprintf(tw, "\n%s rules\n", dir)
				fmt.Fprintf(tw, "Rule #\tProtocol\tPort range\t%s\tAllow/Deny\n", peer)
				for _, r := range rules {
					fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\n", r.Rule, strings.ToLower(r.Protocol), portsText(r.Ports, r.Protocol), r.CIDR, strings.ToUpper(r.Action))
				}
				fmt.Fprintf(tw, "*\tall\tAll\t0.0.0.0/0\tDENY\n")
			}
			return nil
		}
	}
	return notFound("network ACL", name, s.world.Names("network-acl"))
}

func (s *Shell) showLB(tw *tabwriter.Writer, name string) error {
	for _, v := range s.spec.VPCs {
		for _, l := range v.LoadBalancers {
			if l.Name != name {
				continue
			}
			fmt.Fprintf(tw, "Load balancer\t%s\t(VPC %s)\n", l.Name, v.Name)
			fmt.Fprintf(tw, "Type\t%s, %s\n", l.Type, l.Scheme)
			fmt.Fprintf(tw, "Security groups\t%s\n", orDash(strings.Join(l.SecurityGroups, ", ")))
			var nodes []string
			for _, n := range l.Nodes {
				t := fmt.Sprintf("%s %s", n.Subnet, n.PrivateIP)
				if n.PublicIP != "" {
					t += " / " + n.PublicIP
				}
				nodes = append(nodes, t)
			}
			fmt.Fprintf(tw, "Nodes\t%s\n\n", strings.Join(nodes, ", "))
			fmt.Fprintf(tw, "Listener\tDefault action\tCertificate\n")
			for _, li := range l.Listeners {
				action := "forward to " + li.TargetGroup
				if li.Redirect != "" {
					action = "redirect to " + strings.ToUpper(li.Redirect)
				}
				action = listenerDefault(li, action) // show_rules.go
				fmt.Fprintf(tw, "%s:%d\t%s\t%s\n", strings.ToUpper(li.Protocol), li.Port, action, orDash(strings.Join(append([]string{li.Certificate}, li.Certificates...), ", ")))
			}
			showRules(tw, l) // show_rules.go
			for _, tg := range l.TargetGroups {
				hc := tg.HealthCheck
				proto := hc.Protocol
				if proto == "" {
					proto = tg.Protocol
				}
				port := "traffic port"
				if hc.Port != 0 {
					port = fmt.Sprint(hc.Port)
				}
				path := hc.Path
				if path == "" {
					path = "/"
				}
				matcher := hc.Matcher
				if matcher == "" {
					matcher = "200"
				}
				fmt.Fprintf(tw, "\nTarget group\t%s\n", tg.Name)
				fmt.Fprintf(tw, "Protocol : port\t%s : %d\n", strings.ToUpper(tg.Protocol), tg.Port)
				if strings.EqualFold(proto, "tcp") {
					fmt.Fprintf(tw, "Health check\t%s, port %s\n", strings.ToUpper(proto), port)
				} else {
					fmt.Fprintf(tw, "Health check\t%s %s, port %s, success codes %s\n", strings.ToUpper(proto), path, port, matcher)
				}
				fmt.Fprintf(tw, "Targets\t%s\n", orDash(strings.Join(tg.Targets, ", ")))
			}
			return nil
		}
	}
	return notFound("load balancer", name, s.world.Names("load-balancer"))
}

func (s *Shell) showHealth(tw *tabwriter.Writer, name string) error {
	hs, err := s.world.TargetHealth(name)
	if err != nil {
		return notFound("load balancer", name, s.world.Names("load-balancer"))
	}
	if len(hs) == 0 {
		fmt.Fprintf(tw, "%s has no registered targets.\n", name)
		return nil
	}
	fmt.Fprintf(tw, "Target group\tTarget\tPort\tSeen from node\tState\tReason\tDescription\n")
	for _, h := range hs {
		state, code, desc := "healthy", "-", "-"
		if !h.Healthy {
			state = "unhealthy"
			code, desc = h.ReasonCode, h.Description
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%s\t%s\t%s\n", h.TargetGroup, h.Target, h.Port, h.Node, state, code, desc)
	}
	return nil
}

func (s *Shell) showInstance(tw *tabwriter.Writer, name string) error {
	in, v := findInstanceSpec(s.spec, name)
	if in == nil {
		return notFound("instance", name, s.world.Names("instance"))
	}
	fmt.Fprintf(tw, "Instance\t%s\n", in.Name)
	fmt.Fprintf(tw, "State\trunning (status checks 2/2 passed)\n")
	fmt.Fprintf(tw, "VPC / subnet\t%s / %s\n", v.Name, in.Subnet)
	fmt.Fprintf(tw, "Private IP\t%s\n", in.PrivateIP)
	if len(in.SecondaryPrivateIPs) > 0 {
		fmt.Fprintf(tw, "Secondary private IPs\t%s\n", strings.Join(in.SecondaryPrivateIPs, ", "))
	}
	fmt.Fprintf(tw, "Public IP\t%s\n", orDash(in.PublicIP))
	fmt.Fprintf(tw, "Security groups\t%s\n", orDash(strings.Join(in.SecurityGroups, ", ")))
	fmt.Fprintf(tw, "\t(what runs on it, and its own firewall, are inside the host: ssh %s)\n", in.Name)
	return nil
}

func (s *Shell) showZone(tw *tabwriter.Writer, name string) error {
	want := 0
	if rest, ok := strings.CutPrefix(name, "private:"); ok {
		name, want = rest, 2
	} else if rest, ok := strings.CutPrefix(name, "public:"); ok {
		name, want = rest, 1
	}
	name = strings.TrimSuffix(strings.ToLower(name), ".")
	var found []spec.ZoneSpec
	for _, z := range s.spec.DNS.Zones {
		if strings.TrimSuffix(strings.ToLower(z.Name), ".") == name && (want == 0 || (want == 2) == z.Private) {
			found = append(found, z)
		}
	}
	if len(found) == 0 {
		return notFound("zone", name, s.namesOf("zone"))
	}
	if len(found) > 1 {
		return fmt.Errorf("%s is both a public and a private zone: show zone public:%s or show zone private:%s", name, name, name)
	}
	z := found[0]
	zfq := strings.TrimSuffix(z.Name, ".") + "."
	if z.Private {
		fmt.Fprintf(tw, "Hosted zone\t%s\tprivate\n", z.Name)
		fmt.Fprintf(tw, "Associated VPCs\t%s\n\n", strings.Join(z.VPCs, ", "))
	} else {
		fmt.Fprintf(tw, "Hosted zone\t%s\tpublic\n", z.Name)
		var ns, reg []string
		for _, n := range z.Nameservers {
			ns = append(ns, fmt.Sprintf("%s (%s)", n.Name, n.IP))
		}
		deleg := z.Delegation
		if len(deleg) == 0 {
			deleg = z.Nameservers
		}
		for _, n := range deleg {
			reg = append(reg, fmt.Sprintf("%s (%s)", n.Name, n.IP))
		}
		fmt.Fprintf(tw, "Name servers of the zone\t%s\n", strings.Join(ns, ", "))
		fmt.Fprintf(tw, "Registrar's name servers\t%s\t(what the parent zone delegates to)\n\n", strings.Join(reg, ", "))
	}
	fmt.Fprintf(tw, "Record name\tType\tTTL\tValue\n")
	for _, r := range z.Records {
		owner := r.Name
		switch {
		case owner == "@":
			owner = zfq
		case !strings.HasSuffix(owner, "."):
			owner += "." + zfq
		}
		ttl := 300
		if r.TTL != nil {
			ttl = *r.TTL
		}
		for i, val := range r.AllValues() {
			if i == 0 {
				fmt.Fprintf(tw, "%s\t%s\t%d\t%s\n", owner, strings.ToUpper(r.Type), ttl, val)
			} else {
				fmt.Fprintf(tw, "\t\t\t%s\n", val)
			}
		}
	}
	if len(z.Records) == 0 {
		fmt.Fprintf(tw, "(no records)\t\t\t\n")
	}
	return nil
}

func (s *Shell) showCert(tw *tabwriter.Writer, name string) error {
	for _, c := range s.spec.Certificates {
		if c.Name != name {
			continue
		}
		status := "ISSUED"
		nb, err1 := time.Parse(time.RFC3339, c.NotBefore)
		na, err2 := time.Parse(time.RFC3339, c.NotAfter)
		clock := s.world.Clock
		switch {
		case err1 == nil && clock.Before(nb):
			status = "NOT YET VALID"
		case err2 == nil && clock.After(na):
			status = "EXPIRED"
		}
		fmt.Fprintf(tw, "Certificate\t%s\n", c.Name)
		fmt.Fprintf(tw, "Status\t%s\t(it is %s)\n", status, clock.Format(time.RFC3339))
		fmt.Fprintf(tw, "Domains\t%s\n", strings.Join(c.Domains, ", "))
		fmt.Fprintf(tw, "Not before\t%s\n", c.NotBefore)
		fmt.Fprintf(tw, "Not after\t%s\n", c.NotAfter)
		var users []string
		for _, v := range s.spec.VPCs {
			for _, l := range v.LoadBalancers {
				for _, li := range l.Listeners {
					if li.Certificate == c.Name {
						users = append(users, fmt.Sprintf("%s:%d", l.Name, li.Port))
					}
				}
			}
		}
		fmt.Fprintf(tw, "In use by\t%s\n", orDash(strings.Join(users, ", ")))
		return nil
	}
	return notFound("certificate", name, s.world.Names("certificate"))
}

func (s *Shell) showPeering(tw *tabwriter.Writer, name string) error {
	for _, p := range s.spec.Peerings {
		if p.Name != name {
			continue
		}
		fmt.Fprintf(tw, "Peering\t%s\n", p.Name)
		fmt.Fprintf(tw, "VPCs\t%s\n", strings.Join(p.VPCs, " ↔ "))
		for _, vn := range p.VPCs {
			for _, v := range s.spec.VPCs {
				if v.Name == vn {
					fmt.Fprintf(tw, "  %s\t%s\n", v.Name, v.CIDR)
				}
			}
		}
		fmt.Fprintf(tw, "Status\t%s\n", orDash(p.Status))
		return nil
	}
	return notFound("peering", name, s.world.Names("peering"))
}

func (s *Shell) showNAT(tw *tabwriter.Writer, name string) error {
	for _, v := range s.spec.VPCs {
		for _, n := range v.NATGateways {
			if n.Name != name {
				continue
			}
			fmt.Fprintf(tw, "NAT gateway\t%s\t(VPC %s)\n", n.Name, v.Name)
			fmt.Fprintf(tw, "Subnet\t%s\n", n.Subnet)
			fmt.Fprintf(tw, "Private IP\t%s\n", n.PrivateIP)
			fmt.Fprintf(tw, "Elastic IP\t%s\n", n.PublicIP)
			return nil
		}
	}
	return notFound("NAT gateway", name, s.world.Names("nat-gateway"))
}
