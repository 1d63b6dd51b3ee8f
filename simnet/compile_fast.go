package simnet

import (
	"github.com/pathlab/pathlab/simnet/spec"
	"strconv"
)

// The compile steps a large world repeats for every rule and service,
// without building the YAML path of the item unless a problem names it:
// a world of a million rules would otherwise build millions of strings it
// never prints.

// svcPath is the path of a host's service, built on demand.
type svcPath struct {
	host string
	i    int
}

func (s svcPath) String() string { return s.host + ".services[" + strconv.Itoa(s.i) + "]" }

// servicePort is c.proto and c.port of a service: the usual protocols and
// ports are taken as they are; anything else goes to them, which word the
// problem.
func (c *compiler) servicePort(p svcPath, ss spec.ServiceSpec) (proto, uint16) {
	var pr proto
	switch ss.Protocol {
	case "tcp":
		pr = protoTCP
	case "udp":
		pr = protoUDP
	default:
		pr, _ = c.proto(p.String()+".protocol", ss.Protocol, false, false)
	}
	if ss.Port >= 1 && ss.Port <= 65535 {
		return pr, uint16(ss.Port)
	}
	port, _ := c.port(p.String()+".port", ss.Port, "port")
	return pr, port
}

// takenBy is the last of a host's earlier services on sv's protocol and
// port, or nil.
func takenBy(earlier []*service, sv *service) *service {
	for i := len(earlier) - 1; i >= 0; i-- {
		if e := earlier[i]; e.proto == sv.proto && e.port == sv.port {
			return e
		}
	}
	return nil
}

// ruleProtoPorts is c.proto and c.ports of a security group rule: a bad
// protocol says so once, not again as "ports apply to tcp and udp".
func (c *compiler) ruleProtoPorts(p lazyPath, protocol string, ports spec.Ports) (proto, uint16, uint16) {
	var pr proto
	switch protocol {
	case "tcp":
		pr = protoTCP
	case "udp":
		pr = protoUDP
	case "all", "-1":
		pr = protoAll
	default:
		var ok bool
		if pr, ok = c.proto(p.at(".protocol"), protocol, true, true); !ok {
			return pr, 0, 0
		}
	}
	if pr == protoTCP || pr == protoUDP || ports.IsZero() {
		if lo, hi, err := ports.Range(); err == nil {
			return pr, uint16(lo), uint16(hi)
		}
	}
	lo, hi, _ := c.ports(p.at(".ports"), ports, pr)
	return pr, lo, hi
}

// presize makes the world's largest maps at their final size, instead of
// letting them double their way there: a 100,000-instance world rehashed its
// name maps some 17 times, and the built-in world's three or four rehashes
// were a twentieth of a millisecond of a short trace.
func (c *compiler) presize(s *spec.WorldSpec) {
	hosts, names := 0, 0
	for i := range s.VPCs {
		v := &s.VPCs[i]
		hosts += len(v.Instances)
		names += len(v.Instances) + len(v.Subnets) + len(v.SecurityGroups) + len(v.RouteTables) + len(v.NetworkACLs) + len(v.NATGateways) + len(v.LoadBalancers)
	}
	w := c.w
	w.hosts = make(map[string]*host, hosts)
	w.kinds = make(map[string]string, names)
	c.names = make(map[string]string, names)
}
