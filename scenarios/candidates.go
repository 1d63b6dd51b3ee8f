package scenarios

import (
	"strconv"
	"strings"

	"github.com/pathlab/pathlab/simnet/spec"
)

// Candidate parameters for each fault kind in a world: every place the
// fault could go. The generator applies them in a seeded order and keeps
// those that break its request. Each list is in spec order, so that the
// same world and seed give the same scenario.

func candRecords(types ...string) func(*spec.WorldSpec) []Params {
	return func(s *spec.WorldSpec) []Params {
		var out []Params
		for _, z := range s.DNS.Zones {
			for _, r := range z.Records {
				for _, t := range types {
					if strings.EqualFold(r.Type, t) {
						out = append(out, Params{"zone": zoneRef(s, &z), "name": relRecord(z.Name, r.Name), "type": t})
					}
				}
			}
		}
		// dns-record-wrong takes no type.
		if len(types) == 1 && types[0] == "A" {
			for _, p := range out {
				delete(p, "type")
			}
		}
		return out
	}
}

func candCNAMEs(s *spec.WorldSpec) []Params {
	var out []Params
	for _, z := range s.DNS.Zones {
		for _, r := range z.Records {
			if strings.EqualFold(r.Type, "CNAME") {
				out = append(out, Params{"zone": zoneRef(s, &z), "name": relRecord(z.Name, r.Name)})
			}
		}
	}
	return out
}

func candShadow(s *spec.WorldSpec) []Params {
	var out []Params
	for _, z := range s.DNS.Zones {
		if z.Private {
			continue
		}
		for _, v := range s.VPCs {
			if len(v.Instances) == 0 {
				continue
			}
			for _, r := range z.Records {
				if strings.EqualFold(r.Type, "A") || strings.EqualFold(r.Type, "CNAME") {
					out = append(out, Params{"zone": z.Name, "vpc": v.Name, "name": relRecord(z.Name, r.Name)})
				}
			}
		}
	}
	return out
}

func candPublicZones(s *spec.WorldSpec) []Params {
	var out []Params
	for _, z := range s.DNS.Zones {
		if !z.Private {
			out = append(out, Params{"zone": z.Name})
		}
	}
	return out
}

func candUnassociated(s *spec.WorldSpec) []Params {
	var out []Params
	for _, z := range s.DNS.Zones {
		if z.Private && len(z.VPCs) > 1 {
			for _, v := range z.VPCs {
				out = append(out, Params{"zone": z.Name, "vpc": v})
			}
		}
	}
	return out
}

func candTablesWith(want func(*spec.WorldSpec, spec.RouteSpec) bool) func(*spec.WorldSpec) []Params {
	return func(s *spec.WorldSpec) []Params {
		var out []Params
		for _, v := range s.VPCs {
			for _, rt := range v.RouteTables {
				for _, r := range rt.Routes {
					if r.Destination == "0.0.0.0/0" && want(s, r) {
						out = append(out, Params{"table": rt.Name})
					}
				}
			}
		}
		return out
	}
}

func candRoutes(want func(*spec.WorldSpec, spec.RouteSpec) bool) func(*spec.WorldSpec) []Params {
	return func(s *spec.WorldSpec) []Params {
		var out []Params
		for _, v := range s.VPCs {
			for _, rt := range v.RouteTables {
				for _, r := range rt.Routes {
					if want(s, r) {
						out = append(out, Params{"table": rt.Name, "destination": r.Destination})
					}
				}
			}
		}
		return out
	}
}

func candPeerings(s *spec.WorldSpec) []Params {
	var out []Params
	for _, p := range s.Peerings {
		if p.Status == "active" || p.Status == "" {
			out = append(out, Params{"peering": p.Name})
		}
	}
	return out
}

func candSGRules(dir string, want func(*spec.WorldSpec, string) bool) func(*spec.WorldSpec) []Params {
	return func(s *spec.WorldSpec) []Params {
		var out []Params
		seen := map[string]bool{}
		for _, v := range s.VPCs {
			for _, g := range v.SecurityGroups {
				for _, r := range *sgRulesOf(&g, dir) {
					if !strings.EqualFold(r.Protocol, "tcp") || r.Ports.IsZero() {
						continue
					}
					peer := r.Source
					if dir == "egress" {
						peer = r.Destination
					}
					if want != nil && !want(s, peer) {
						continue
					}
					lo, _, err := r.Ports.Range()
					if err != nil {
						continue
					}
					key := g.Name + "/" + strconv.Itoa(lo)
					if seen[key] {
						continue
					}
					seen[key] = true
					out = append(out, Params{"group": g.Name, "port": strconv.Itoa(lo)})
				}
			}
		}
		return out
	}
}

// servicePorts lists every port something listens on or a balancer uses.
func servicePorts(s *spec.WorldSpec) []int {
	seen := map[int]bool{}
	var out []int
	add := func(p int) {
		if p > 0 && !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	for _, v := range s.VPCs {
		for _, l := range v.LoadBalancers {
			for _, li := range l.Listeners {
				add(li.Port)
			}
			for _, tg := range l.TargetGroups {
				add(tg.Port)
			}
		}
		for _, in := range v.Instances {
			for _, sv := range in.Services {
				add(sv.Port)
			}
		}
	}
	for _, sv := range s.Internet.Servers {
		for _, x := range sv.Services {
			add(x.Port)
		}
	}
	return out
}

func candACLs(s *spec.WorldSpec) []Params {
	var out []Params
	for _, v := range s.VPCs {
		for _, a := range v.NetworkACLs {
			for _, dir := range []string{"ingress", "egress"} {
				for _, port := range servicePorts(s) {
					for _, r := range *aclRules(&a, dir) {
						if strings.EqualFold(r.Action, "allow") && (strings.EqualFold(r.Protocol, "all") || strings.EqualFold(r.Protocol, "tcp") && covers(r.Ports, port)) {
							out = append(out, Params{"acl": a.Name, "direction": dir, "port": strconv.Itoa(port)})
							break
						}
					}
				}
			}
		}
	}
	return out
}

func candEphemeral(s *spec.WorldSpec) []Params {
	var out []Params
	for _, v := range s.VPCs {
		for _, a := range v.NetworkACLs {
			for _, dir := range []string{"ingress", "egress"} {
				for _, r := range *aclRules(&a, dir) {
					if isEphemeralRule(r) {
						out = append(out, Params{"acl": a.Name, "direction": dir})
						break
					}
				}
			}
		}
	}
	return out
}

// candServices lists every service port of every instance, and of every
// target group's targets together (a balancer survives one bad target).
func candServices(s *spec.WorldSpec) []Params {
	var out []Params
	for _, v := range s.VPCs {
		for _, l := range v.LoadBalancers {
			for _, tg := range l.TargetGroups {
				if len(tg.Targets) > 1 {
					out = append(out, Params{"host": strings.Join(tg.Targets, ","), "port": strconv.Itoa(tg.Port)})
				}
			}
		}
		for _, in := range v.Instances {
			for _, sv := range in.Services {
				out = append(out, Params{"host": in.Name, "port": strconv.Itoa(sv.Port)})
			}
		}
	}
	return out
}

// candOutbound lists instances and the ports of services they may call.
func candOutbound(s *spec.WorldSpec) []Params {
	var out []Params
	ports := servicePorts(s)
	for _, v := range s.VPCs {
		for _, in := range v.Instances {
			for _, p := range ports {
				out = append(out, Params{"host": in.Name, "port": strconv.Itoa(p)})
			}
		}
	}
	return out
}

func candTGs(s *spec.WorldSpec) []Params {
	var out []Params
	for _, v := range s.VPCs {
		for _, l := range v.LoadBalancers {
			for _, tg := range l.TargetGroups {
				out = append(out, Params{"lb": l.Name, "tg": tg.Name})
			}
		}
	}
	return out
}

func candHTTPTGs(s *spec.WorldSpec) []Params {
	var out []Params
	for _, v := range s.VPCs {
		for _, l := range v.LoadBalancers {
			for _, tg := range l.TargetGroups {
				p := strings.ToLower(tg.HealthCheck.Protocol)
				if p == "" {
					p = strings.ToLower(tg.Protocol)
				}
				if p == "http" || p == "https" {
					out = append(out, Params{"lb": l.Name, "tg": tg.Name})
				}
			}
		}
	}
	return out
}

func candListeners(s *spec.WorldSpec) []Params {
	var out []Params
	for _, v := range s.VPCs {
		for _, l := range v.LoadBalancers {
			for _, li := range l.Listeners {
				out = append(out, Params{"lb": l.Name, "port": strconv.Itoa(li.Port)})
			}
		}
	}
	return out
}

func candTLSListeners(s *spec.WorldSpec) []Params {
	if len(s.Certificates) < 2 {
		return nil
	}
	var out []Params
	for _, v := range s.VPCs {
		for _, l := range v.LoadBalancers {
			for _, li := range l.Listeners {
				if li.Certificate != "" {
					out = append(out, Params{"lb": l.Name, "port": strconv.Itoa(li.Port)})
				}
			}
		}
	}
	return out
}

func candCerts(s *spec.WorldSpec) []Params {
	var out []Params
	for _, c := range s.Certificates {
		if len(certUsers(s, c.Name)) > 0 {
			out = append(out, Params{"cert": c.Name})
		}
	}
	return out
}
