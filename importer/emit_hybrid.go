package importer

import (
	"strconv"

	"github.com/pathlab/pathlab/simnet/spec"
)

// Writing the world format's extensions of issue 11: internet servers
// (the services VPC endpoints stand for), prefix lists, transit gateways,
// on-premises networks, VPN connections, VPC endpoints, aliases and
// listener rules.

func itoaP(n *int) string {
	if n == nil {
		return ""
	}
	return strconv.Itoa(*n)
}

func aliasFlow(a *spec.AliasSpec) string {
	kv := []string{"target", q(a.Target)}
	if a.EvaluateHealth {
		kv = append(kv, "evaluate_health", "true")
	}
	return flow(kv...)
}

func redirectFlow(r *spec.RedirectSpec) string {
	qq := func(s string) string {
		if s == "" {
			return ""
		}
		return q(s)
	}
	return flow("protocol", qq(r.Protocol), "host", qq(r.Host), "port", qq(r.Port), "path", qq(r.Path), "query", qq(r.Query), "status_code", qq(r.StatusCode))
}

func fixedFlow(f *spec.FixedResponseSpec) string {
	qq := func(s string) string {
		if s == "" {
			return ""
		}
		return strconv.Quote(s)
	}
	return flow("status_code", strconv.Itoa(f.StatusCode), "content_type", qq(f.ContentType), "message_body", qq(f.MessageBody))
}

// emitListenerRules writes a listener with rules: its keys, then the
// rules as a block list.
func emitListenerRules(y *yamlOut, kv []string, rules []spec.ListenerRuleSpec, notes [][]string) {
	first := true
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] == "" {
			continue
		}
		if first {
			y.line(10, "- "+kv[i]+": "+kv[i+1])
			first = false
		} else {
			y.line(12, kv[i]+": "+kv[i+1])
		}
	}
	y.line(12, "rules:")
	for i, r := range rules {
		if i < len(notes) {
			y.notes(14, notes[i])
		}
		y.line(14, "- priority: "+strconv.Itoa(r.Priority))
		c := r.Conditions
		var ckv []string
		if len(c.Host) > 0 {
			ckv = append(ckv, "host", qlist(c.Host))
		}
		if len(c.Path) > 0 {
			ckv = append(ckv, "path", qlist(c.Path))
		}
		if c.HTTPHeader != nil {
			ckv = append(ckv, "http_header", flow("name", q(c.HTTPHeader.Name), "values", qlist(c.HTTPHeader.Values)))
		}
		if len(c.Method) > 0 {
			ckv = append(ckv, "http_method", qlist(c.Method))
		}
		if len(c.SourceIP) > 0 {
			ckv = append(ckv, "source_ip", qlist(c.SourceIP))
		}
		y.line(16, "conditions: "+flow(ckv...))
		switch {
		case r.Forward != "":
			y.line(16, "forward: "+q(r.Forward))
		case r.Redirect != nil:
			y.line(16, "redirect: "+redirectFlow(r.Redirect))
		case r.FixedResponse != nil:
			y.line(16, "fixed_response: "+fixedFlow(r.FixedResponse))
		}
	}
}

func (w *wWorld) emitServers(y *yamlOut) {
	if len(w.servers) == 0 {
		return
	}
	y.line(2, "servers:")
	for _, s := range w.servers {
		y.notes(4, s.note)
		y.line(4, "- name: "+q(s.v.Name))
		y.line(6, "ip: "+q(s.v.IP))
		y.line(6, "services:")
		for _, sv := range s.v.Services {
			kv := []string{"name", q(sv.Name), "protocol", q(sv.Protocol), "port", strconv.Itoa(sv.Port)}
			if sv.TLS != "" {
				kv = append(kv, "tls", q(sv.TLS))
			}
			if len(sv.HTTP) > 0 {
				kv = append(kv, "http", `{"/": 200}`)
			}
			y.line(8, "- "+flow(kv...))
		}
	}
}

func (w *wWorld) emitPrefixLists(y *yamlOut) {
	if len(w.prefixLists) == 0 {
		return
	}
	y.line(0, "")
	y.line(0, "prefix_lists:")
	for _, p := range w.prefixLists {
		y.notes(2, p.note)
		y.line(2, "- "+flow("name", q(p.v.Name), "cidrs", qlist(p.v.CIDRs)))
	}
}

func (v *wVPC) emitHybridHead(y *yamlOut) {
	if v.vgw != "" {
		y.notes(4, v.vgwNote)
		y.line(4, "vpn_gateway: "+q(v.vgw))
	}
	if v.dnsSupport != nil {
		y.line(4, "enable_dns_support: "+strconv.FormatBool(*v.dnsSupport))
	}
	if v.dnsHostnames != nil {
		y.line(4, "enable_dns_hostnames: "+strconv.FormatBool(*v.dnsHostnames))
	}
	if len(v.endpoints) == 0 {
		return
	}
	y.line(4, "endpoints:")
	for _, e := range v.endpoints {
		y.notes(6, e.note)
		y.line(6, "- name: "+q(e.v.Name))
		y.line(8, "type: "+q(e.v.Type))
		y.line(8, "service: "+q(e.v.Service))
		y.line(8, "server: "+q(e.v.Server))
		if e.v.PrefixList != "" {
			y.line(8, "prefix_list: "+q(e.v.PrefixList))
		}
		if len(e.v.SecurityGroups) > 0 {
			y.line(8, "security_groups: "+qlist(e.v.SecurityGroups))
		}
		if e.v.PrivateDNS {
			y.line(8, "private_dns: true")
		}
		if e.v.State != "" {
			y.line(8, "state: "+q(e.v.State))
		}
		if len(e.v.Interfaces) > 0 {
			y.line(8, "interfaces:")
			for _, n := range e.v.Interfaces {
				y.line(10, "- "+flow("subnet", q(n.Subnet), "private_ip", q(n.PrivateIP)))
			}
		}
	}
}

func (w *wWorld) emitHybrid(y *yamlOut) {
	if len(w.tgws) > 0 {
		y.line(0, "")
		y.line(0, "transit_gateways:")
		for _, g := range w.tgws {
			y.notes(2, g.note)
			y.line(2, "- name: "+q(g.name))
			if len(g.atts) > 0 {
				y.line(4, "attachments:")
				for _, a := range g.atts {
					y.notes(6, a.note)
					kv := []string{"name", q(a.v.Name)}
					if a.v.VPC != "" {
						kv = append(kv, "vpc", q(a.v.VPC), "subnets", qlist(a.v.Subnets))
					}
					if a.v.VPN != "" {
						kv = append(kv, "vpn", q(a.v.VPN))
					}
					if a.v.ApplianceMode {
						kv = append(kv, "appliance_mode", "true")
					}
					if a.v.State != "" {
						kv = append(kv, "state", q(a.v.State))
					}
					y.line(6, "- "+flow(kv...))
				}
			}
			if len(g.rts) > 0 {
				y.line(4, "route_tables:")
				for _, t := range g.rts {
					y.notes(6, t.note)
					y.line(6, "- name: "+q(t.name))
					if len(t.assoc) > 0 {
						y.line(8, "associations: "+qlist(t.assoc))
					}
					if len(t.props) > 0 {
						y.line(8, "propagations: "+qlist(t.props))
					}
					if len(t.routes) == 0 {
						y.line(8, "routes: []")
						continue
					}
					y.line(8, "routes:")
					for _, r := range t.routes {
						y.notes(10, r.note)
						y.line(10, "- "+flow("destination", q(r.v.Destination), "target", q(r.v.Target)))
					}
				}
			}
		}
	}
	if len(w.onprems) > 0 {
		y.line(0, "")
		y.line(0, "on_premises:")
		for _, o := range w.onprems {
			y.notes(2, o.note)
			y.line(2, "- name: "+q(o.v.Name))
			y.line(4, "cidrs: "+qlist(o.v.CIDRs))
			y.line(4, "customer_gateway: "+flow("name", q(o.v.CustomerGateway.Name), "ip", q(o.v.CustomerGateway.IP)))
			if len(o.v.Hosts) > 0 {
				y.line(4, "hosts:")
				for _, h := range o.v.Hosts {
					y.line(6, "- "+flow("name", q(h.Name), "ip", q(h.IP), "resolver", q(h.Resolver)))
				}
			}
		}
	}
	if len(w.vpns) > 0 {
		y.line(0, "")
		y.line(0, "vpn_connections:")
		for _, c := range w.vpns {
			y.notes(2, c.note)
			y.line(2, "- name: "+q(c.v.Name))
			y.line(4, "customer_gateway: "+q(c.v.CustomerGateway))
			if c.v.VPNGateway != "" {
				y.line(4, "vpn_gateway: "+q(c.v.VPNGateway))
			}
			if len(c.v.StaticRoutes) > 0 {
				y.line(4, "static_routes: "+qlist(c.v.StaticRoutes))
			}
			if len(c.v.Tunnels) > 0 {
				y.line(4, "tunnels:")
				for _, t := range c.v.Tunnels {
					y.line(6, "- "+flow("state", q(t.State)))
				}
			}
			if c.v.State != "" {
				y.line(4, "state: "+q(c.v.State))
			}
		}
	}
}

type wTGW struct {
	name string
	id   string
	atts []noted[spec.TGWAttachmentSpec]
	rts  []*wTGWRT
	note []string
}

type wTGWRT struct {
	name, id     string
	routes       []noted[spec.RouteSpec]
	assoc, props []string
	note         []string
}
