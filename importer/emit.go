package importer

import (
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/pathlab/pathlab/simnet/spec"
)

// The world file is written here rather than by a YAML library, so that
// every element carries its comment and the output is the same byte for
// byte on every run.

var (
	plainName = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9._/-]*$`) })
	plainAddr = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[0-9]{1,3}(\.[0-9]{1,3}){3}(/[0-9]{1,2})?$`) })
)

// q writes a string as a YAML scalar: plain when that reads back as the
// same string, else double-quoted.
func q(s string) string {
	if plainAddr().MatchString(s) {
		return s
	}
	if plainName().MatchString(s) {
		switch strings.ToLower(s) {
		case "true", "false", "null", "yes", "no", "on", "off", "y", "n", "nan", "inf":
		default:
			return s
		}
	}
	return strconv.Quote(s)
}

func qlist(xs []string) string {
	parts := make([]string, len(xs))
	for i, x := range xs {
		parts[i] = q(x)
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

type yamlOut struct {
	b strings.Builder
}

func (y *yamlOut) line(indent int, s string) {
	y.b.WriteString(strings.Repeat(" ", indent))
	y.b.WriteString(s)
	y.b.WriteByte('\n')
}

func (y *yamlOut) notes(indent int, notes []string) {
	for _, n := range notes {
		for _, l := range strings.Split(n, "\n") {
			if l = strings.TrimSpace(l); l != "" {
				y.line(indent, "# "+l)
			}
		}
	}
}

// flow writes a flow mapping of key/value pairs already rendered.
func flow(kv ...string) string {
	var parts []string
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] == "" {
			continue
		}
		parts = append(parts, kv[i]+": "+kv[i+1])
	}
	return "{" + strings.Join(parts, ", ") + "}"
}

func ports(p spec.Ports) string {
	if p.IsZero() {
		return ""
	}
	if lo, hi, err := p.Range(); err == nil && lo == hi {
		return strconv.Itoa(lo)
	}
	return q(p.Text)
}

func itoa0(n int) string {
	if n == 0 {
		return ""
	}
	return strconv.Itoa(n)
}

// emit writes the world.
func (w *wWorld) emit(header []string) []byte {
	y := &yamlOut{}
	y.notes(0, header)
	y.line(0, "name: "+q(w.name))
	if w.description != "" {
		y.line(0, "description: |")
		for _, l := range strings.Split(strings.TrimRight(w.description, "\n"), "\n") {
			y.line(2, l)
		}
	}
	if w.clock != "" {
		if w.clockNote != "" {
			y.notes(0, []string{w.clockNote})
		}
		y.line(0, "clock: "+q(w.clock))
	}
	y.line(0, "")
	y.line(0, "internet:")
	y.line(2, "clients:")
	for _, c := range w.clients {
		y.notes(4, c.note)
		y.line(4, "- "+flow("name", q(c.v.Name), "ip", q(c.v.IP), "resolver", q(c.v.Resolver)))
	}
	y.line(2, "resolvers:")
	for _, r := range w.resolvers {
		y.notes(4, r.note)
		y.line(4, "- "+flow("name", q(r.v.Name), "ip", q(r.v.IP)))
	}
	w.emitServers(y) // emit_hybrid.go
	if len(w.zones) > 0 {
		y.line(0, "")
		y.line(0, "dns:")
		y.line(2, "zones:")
		for _, z := range w.zones {
			y.notes(4, z.note)
			y.line(4, "- name: "+q(z.name))
			if z.private {
				y.line(6, "private: true")
				y.line(6, "vpcs: "+qlist(z.vpcs))
			} else {
				y.line(6, "nameservers:")
				for _, ns := range z.nameservers {
					y.notes(8, ns.note)
					y.line(8, "- "+flow("name", q(ns.v.Name), "ip", q(ns.v.IP)))
				}
			}
			if len(z.records) == 0 {
				y.line(6, "records: []")
				continue
			}
			y.line(6, "records:")
			for _, r := range z.records {
				y.notes(8, r.note)
				kv := []string{"name", q(r.v.Name), "type", q(r.v.Type)}
				if r.v.Value != "" {
					kv = append(kv, "value", q(r.v.Value))
				}
				if len(r.v.Values) > 0 {
					kv = append(kv, "values", qlist(r.v.Values))
				}
				if r.v.TTL != nil {
					kv = append(kv, "ttl", strconv.Itoa(*r.v.TTL))
				}
				if r.v.Alias != nil {
					kv = append(kv, "alias", aliasFlow(r.v.Alias))
				}
				y.line(8, "- "+flow(kv...))
			}
		}
	}
	if len(w.certs) > 0 {
		y.line(0, "")
		y.line(0, "certificates:")
		for _, c := range w.certs {
			y.notes(2, c.note)
			y.line(2, "- name: "+q(c.v.Name))
			y.line(4, "domains: "+qlist(c.v.Domains))
			y.line(4, "not_before: "+q(c.v.NotBefore))
			y.line(4, "not_after: "+q(c.v.NotAfter))
		}
	}
	w.emitPrefixLists(y)
	if len(w.vpcs) > 0 {
		y.line(0, "")
		y.line(0, "vpcs:")
	}
	for _, v := range w.vpcs {
		v.emit(y)
	}
	if len(w.peerings) > 0 {
		y.line(0, "")
		y.line(0, "peerings:")
		for _, p := range w.peerings {
			y.notes(2, p.note)
			y.line(2, "- "+flow("name", q(p.v.Name), "vpcs", qlist(p.v.VPCs), "status", q(p.v.Status)))
		}
	}
	w.emitHybrid(y)
	return []byte(y.b.String())
}

func (v *wVPC) emit(y *yamlOut) {
	y.notes(2, v.note)
	y.line(2, "- name: "+q(v.name))
	y.line(4, "cidr: "+q(v.cidr))
	if v.igw != "" {
		y.notes(4, v.igwNote)
		y.line(4, "internet_gateway: "+q(v.igw))
	}
	v.emitHybridHead(y)
	if len(v.rts) > 0 {
		y.line(4, "route_tables:")
		for _, rt := range v.rts {
			y.notes(6, rt.note)
			y.line(6, "- name: "+q(rt.name))
			if len(rt.propagations) > 0 {
				y.line(8, "propagations: "+qlist(rt.propagations))
			}
			if len(rt.routes) == 0 {
				y.line(8, "routes: []")
				continue
			}
			y.line(8, "routes:")
			for _, r := range rt.routes {
				y.notes(10, r.note)
				y.line(10, "- "+flow("destination", q(r.v.Destination), "target", q(r.v.Target)))
			}
		}
	}
	if len(v.acls) > 0 {
		y.line(4, "network_acls:")
		for _, a := range v.acls {
			y.notes(6, a.note)
			y.line(6, "- name: "+q(a.name))
			for _, dir := range []struct {
				key   string
				rules []noted[spec.ACLRuleSpec]
			}{{"ingress", a.ingress}, {"egress", a.egress}} {
				if len(dir.rules) == 0 {
					y.line(8, dir.key+": []")
					continue
				}
				y.line(8, dir.key+":")
				for _, r := range dir.rules {
					y.notes(10, r.note)
					y.line(10, "- "+flow("rule", strconv.Itoa(r.v.Rule), "protocol", q(r.v.Protocol), "ports", ports(r.v.Ports), "icmp_type", itoaP(r.v.ICMPType), "icmp_code", itoaP(r.v.ICMPCode), "cidr", q(r.v.CIDR), "action", q(r.v.Action)))
				}
			}
		}
	}
	if len(v.subnets) > 0 {
		y.line(4, "subnets:")
		for _, s := range v.subnets {
			y.notes(6, s.note)
			zone := ""
			if s.v.Zone != "" {
				zone = q(s.v.Zone)
			}
			y.line(6, "- "+flow("name", q(s.v.Name), "cidr", q(s.v.CIDR), "zone", zone, "route_table", q(s.v.RouteTable), "network_acl", q(s.v.NetworkACL)))
		}
	}
	if len(v.nats) > 0 {
		y.line(4, "nat_gateways:")
		for _, n := range v.nats {
			y.notes(6, n.note)
			state := ""
			if n.v.State != "" {
				state = q(n.v.State)
			}
			y.line(6, "- "+flow("name", q(n.v.Name), "subnet", q(n.v.Subnet), "private_ip", q(n.v.PrivateIP), "public_ip", q(n.v.PublicIP), "state", state))
		}
	}
	if len(v.sgs) > 0 {
		y.line(4, "security_groups:")
		for _, sg := range v.sgs {
			y.notes(6, sg.note)
			y.line(6, "- name: "+q(sg.name))
			for _, dir := range []struct {
				key   string
				rules []noted[spec.SGRuleSpec]
			}{{"ingress", sg.ingress}, {"egress", sg.egress}} {
				if len(dir.rules) == 0 {
					y.line(8, dir.key+": []")
					continue
				}
				y.line(8, dir.key+":")
				for _, r := range dir.rules {
					y.notes(10, r.note)
					peerKey, peer := "source", r.v.Source
					if dir.key == "egress" {
						peerKey, peer = "destination", r.v.Destination
					}
					y.line(10, "- "+flow("protocol", q(r.v.Protocol), "ports", ports(r.v.Ports), "icmp_type", itoaP(r.v.ICMPType), "icmp_code", itoaP(r.v.ICMPCode), peerKey, q(peer)))
				}
			}
		}
	}
	if len(v.lbs) > 0 {
		y.line(4, "load_balancers:")
		for _, lb := range v.lbs {
			y.notes(6, lb.note)
			y.line(6, "- name: "+q(lb.spec.Name))
			y.line(8, "type: "+q(lb.spec.Type))
			y.line(8, "scheme: "+q(lb.spec.Scheme))
			if len(lb.spec.SecurityGroups) > 0 {
				y.line(8, "security_groups: "+qlist(lb.spec.SecurityGroups))
			}
			if lb.spec.CrossZone != nil {
				y.line(8, "cross_zone: "+strconv.FormatBool(*lb.spec.CrossZone))
			}
			y.line(8, "nodes:")
			for _, n := range lb.nodes {
				y.notes(10, n.note)
				pub := ""
				if n.v.PublicIP != "" {
					pub = q(n.v.PublicIP)
				}
				y.line(10, "- "+flow("subnet", q(n.v.Subnet), "private_ip", q(n.v.PrivateIP), "public_ip", pub))
			}
			if len(lb.listeners) == 0 {
				y.line(8, "listeners: []")
			} else {
				y.line(8, "listeners:")
				for _, l := range lb.listeners {
					y.notes(10, l.note)
					kv := []string{"port", strconv.Itoa(l.v.Port), "protocol", q(l.v.Protocol)}
					if l.v.Certificate != "" {
						kv = append(kv, "certificate", q(l.v.Certificate))
					}
					if l.v.TargetGroup != "" {
						kv = append(kv, "target_group", q(l.v.TargetGroup))
					}
					if l.v.Redirect != "" {
						kv = append(kv, "redirect", q(l.v.Redirect))
					}
					if len(l.v.Certificates) > 0 {
						kv = append(kv, "certificates", qlist(l.v.Certificates))
					}
					if l.v.DefaultRedirect != nil {
						kv = append(kv, "default_redirect", redirectFlow(l.v.DefaultRedirect))
					}
					if l.v.FixedResponse != nil {
						kv = append(kv, "fixed_response", fixedFlow(l.v.FixedResponse))
					}
					if len(l.v.Rules) == 0 {
						y.line(10, "- "+flow(kv...))
						continue
					}
					emitListenerRules(y, kv, l.v.Rules, lb.ruleNotes[l.v.Port]) // emit_hybrid.go
				}
			}
			if len(lb.tgs) > 0 {
				y.line(8, "target_groups:")
				for _, tg := range lb.tgs {
					y.notes(10, tg.note)
					y.line(10, "- name: "+q(tg.spec.Name))
					y.line(12, "protocol: "+q(tg.spec.Protocol))
					y.line(12, "port: "+strconv.Itoa(tg.spec.Port))
					hc := tg.spec.HealthCheck
					if hc != (spec.HealthCheckSpec{}) {
						kv := []string{}
						if hc.Protocol != "" {
							kv = append(kv, "protocol", q(hc.Protocol))
						}
						kv = append(kv, "port", itoa0(hc.Port))
						if hc.Path != "" {
							kv = append(kv, "path", q(hc.Path))
						}
						if hc.Matcher != "" {
							kv = append(kv, "matcher", strconv.Quote(hc.Matcher))
						}
						y.line(12, "health_check: "+flow(kv...))
					}
					y.line(12, "targets: "+qlist(tg.spec.Targets))
				}
			}
		}
	}
	if len(v.instances) > 0 {
		y.line(4, "instances:")
		for _, in := range v.instances {
			y.notes(6, in.note)
			y.line(6, "- name: "+q(in.spec.Name))
			y.line(8, "subnet: "+q(in.spec.Subnet))
			y.line(8, "private_ip: "+q(in.spec.PrivateIP))
			if len(in.spec.SecondaryPrivateIPs) > 0 {
				y.line(8, "secondary_private_ips: "+qlist(in.spec.SecondaryPrivateIPs))
			}
			if in.spec.PublicIP != "" {
				y.line(8, "public_ip: "+q(in.spec.PublicIP))
			}
			if in.spec.SourceDestCheck != nil {
				y.notes(8, in.sdcNote)
				y.line(8, "source_dest_check: "+strconv.FormatBool(*in.spec.SourceDestCheck))
			}
			y.line(8, "security_groups: "+qlist(in.spec.SecurityGroups))
			if len(in.services) == 0 {
				continue
			}
			y.line(8, "services:")
			for _, s := range in.services {
				y.notes(10, s.note)
				kv := []string{"name", q(s.v.Name), "protocol", q(s.v.Protocol), "port", strconv.Itoa(s.v.Port), "bind", q(s.v.Bind)}
				if s.v.Running != nil && !*s.v.Running {
					kv = append(kv, "running", "false")
				}
				if len(s.v.HTTP) > 0 {
					paths := make([]string, 0, len(s.v.HTTP))
					for p := range s.v.HTTP {
						paths = append(paths, p)
					}
					sort.Strings(paths)
					var hs []string
					for _, p := range paths {
						hs = append(hs, strconv.Quote(p)+": "+strconv.Itoa(s.v.HTTP[p]))
					}
					kv = append(kv, "http", "{"+strings.Join(hs, ", ")+"}")
				}
				y.line(10, "- "+flow(kv...))
			}
		}
	}
}
