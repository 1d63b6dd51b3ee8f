package spec

import (
	"fmt"
	"strings"
)

// Edits of issue 11's constructs: an instance's source/destination check
// and a balancer's cross-zone load balancing.

func init() {
	EditUsage["instance"] = []string{"instance NAME source-dest-check on|off"}
	EditUsage["nat"] = []string{"nat NAME replace NEW"}
	EditVerbs = append(EditVerbs, "instance", "nat")
	EditUsage["lb"] = append(EditUsage["lb"], "lb NAME cross-zone on|off")
	EditUsage["dns"] = append(EditUsage["dns"], "dns ZONE alias NAME TARGET")
}

// SrcDstEdit turns an instance's source/destination check on or off:
//
//	instance NAME source-dest-check on|off
//
// (aws ec2 modify-instance-attribute --no-source-dest-check).
type SrcDstEdit struct {
	Instance string
	On       bool
}

func onOffWord(b bool) string {
	if b {
		return "on"
	}
	return "off"
}

func parseOnOff(verb, s string) (bool, error) {
	switch strings.ToLower(s) {
	case "on", "true", "enable", "enabled":
		return true, nil
	case "off", "false", "disable", "disabled":
		return false, nil
	}
	return false, usagef(verb, "%q: want on or off", s)
}

func parseInstanceEdit(w []string) (Edit, error) {
	if len(w) != 4 || w[2] != "source-dest-check" {
		return nil, wordCount("instance", "instance takes NAME source-dest-check on|off")
	}
	if err := nameArg("instance", "instance", w[1]); err != nil {
		return nil, err
	}
	on, err := parseOnOff("instance", w[3])
	if err != nil {
		return nil, err
	}
	return SrcDstEdit{Instance: w[1], On: on}, nil
}

func (e SrcDstEdit) String() string {
	return JoinLine([]string{"instance", e.Instance, "source-dest-check", onOffWord(e.On)})
}

func (e SrcDstEdit) Apply(s *WorldSpec) (Edit, error) { u, _, err := e.apply(s); return u, err }

func (e SrcDstEdit) apply(s *WorldSpec) (Edit, string, error) {
	for i := range s.VPCs {
		for j := range s.VPCs[i].Instances {
			in := &s.VPCs[i].Instances[j]
			if in.Name != e.Instance {
				continue
			}
			was := in.SrcDstCheck()
			on := e.On
			in.SourceDestCheck = &on
			return SrcDstEdit{Instance: e.Instance, On: was}, fmt.Sprintf("%s: source/destination check %s (was %s)", e.Instance, onOffWord(e.On), onOffWord(was)), nil
		}
	}
	return nil, "", fmt.Errorf("no instance is named %q", e.Instance)
}

// CrossZoneEdit turns a balancer's cross-zone load balancing on or off:
//
//	lb NAME cross-zone on|off
type CrossZoneEdit struct {
	LB string
	On bool
}

func parseCrossZoneEdit(w []string) (Edit, error) {
	if len(w) != 4 {
		return nil, wordCount("lb", "cross-zone takes on|off")
	}
	on, err := parseOnOff("lb", w[3])
	if err != nil {
		return nil, err
	}
	return CrossZoneEdit{LB: w[1], On: on}, nil
}

func (e CrossZoneEdit) String() string {
	return JoinLine([]string{"lb", e.LB, "cross-zone", onOffWord(e.On)})
}

func (e CrossZoneEdit) Apply(s *WorldSpec) (Edit, error) { u, _, err := e.apply(s); return u, err }

func (e CrossZoneEdit) apply(s *WorldSpec) (Edit, string, error) {
	l := specLB(s, e.LB)
	if l == nil {
		return nil, "", fmt.Errorf("no load balancer is named %q", e.LB)
	}
	was := CrossZoneOf(l)
	on := e.On
	l.CrossZone = &on
	return CrossZoneEdit{LB: e.LB, On: was}, fmt.Sprintf("%s: cross-zone load balancing %s (was %s)", e.LB, onOffWord(e.On), onOffWord(was)), nil
}

// crossZoneOf is a balancer's cross-zone setting with AWS's defaults: on
// for application balancers, off for network balancers (ELB User Guide,
// "Cross-zone load balancing").
func CrossZoneOf(l *LoadBalancerSpec) bool {
	if l.CrossZone != nil {
		return *l.CrossZone
	}
	return l.Type == "application" || l.Type == "alb"
}

// NATReplaceEdit replaces a NAT gateway by a new one of another name, in
// the same subnet with the same addresses (delete-nat-gateway, then
// create-nat-gateway with the same Elastic IP). Routes keep the name they
// had: AWS keeps a route to a deleted gateway as a blackhole.
//
//	nat NAME replace NEW
type NATReplaceEdit struct {
	NAT string
	New string
}

func parseNATEdit(w []string) (Edit, error) {
	if len(w) != 4 || w[2] != "replace" {
		return nil, wordCount("nat", "nat takes NAME replace NEW")
	}
	for _, n := range []string{w[1], w[3]} {
		if err := nameArg("nat", "NAT gateway", n); err != nil {
			return nil, err
		}
	}
	return NATReplaceEdit{NAT: w[1], New: w[3]}, nil
}

func (e NATReplaceEdit) String() string { return JoinLine([]string{"nat", e.NAT, "replace", e.New}) }

func (e NATReplaceEdit) Apply(s *WorldSpec) (Edit, error) { u, _, err := e.apply(s); return u, err }

func (e NATReplaceEdit) apply(s *WorldSpec) (Edit, string, error) {
	for i := range s.VPCs {
		for j := range s.VPCs[i].NATGateways {
			n := &s.VPCs[i].NATGateways[j]
			if n.Name != e.NAT {
				continue
			}
			if specHasRouteTarget(s, e.New) {
				return nil, "", fmt.Errorf("the name %q is taken", e.New)
			}
			n.Name = e.New
			return NATReplaceEdit{NAT: e.New, New: e.NAT}, fmt.Sprintf("NAT gateway %s deleted and re-created as %s (routes still name %s)", e.NAT, e.New, e.NAT), nil
		}
	}
	return nil, "", fmt.Errorf("no NAT gateway is named %q", e.NAT)
}

// DNSAliasEdit makes NAME in a zone a Route 53 alias A record to a
// balancer or a record of the zone, replacing its A records:
//
//	dns ZONE alias NAME TARGET
type DNSAliasEdit struct {
	Zone, Name, Target string
}

func parseDNSAliasEdit(w []string) (Edit, error) {
	if len(w) != 5 {
		return nil, wordCount("dns", "alias takes NAME and TARGET (a balancer or a record of the zone)")
	}
	for _, n := range w[3:] {
		if err := nameArg("dns", "name", n); err != nil {
			return nil, err
		}
	}
	return DNSAliasEdit{Zone: w[1], Name: w[3], Target: w[4]}, nil
}

func (e DNSAliasEdit) String() string {
	return JoinLine([]string{"dns", e.Zone, "alias", e.Name, e.Target})
}

func (e DNSAliasEdit) Apply(s *WorldSpec) (Edit, error) { u, _, err := e.apply(s); return u, err }

func (e DNSAliasEdit) apply(s *WorldSpec) (Edit, string, error) {
	z, err := SpecZone(s, e.Zone)
	if err != nil {
		return nil, "", err
	}
	rel := RelRecord(z.Name, e.Name)
	var undo Edit = DNSRecordEdit{Zone: e.Zone, Op: "remove", Name: e.Name, Type: "A"}
	keep := z.Records[:0:0]
	for _, r := range z.Records {
		if RelRecord(z.Name, r.Name) == rel && strings.EqualFold(r.Type, "A") {
			if r.Alias != nil {
				undo = DNSAliasEdit{Zone: e.Zone, Name: e.Name, Target: r.Alias.Target}
			} else {
				undo = DNSRecordEdit{Zone: e.Zone, Op: "set", Name: e.Name, Type: "A", Values: r.AllValues(), TTL: r.TTL}
			}
			continue
		}
		keep = append(keep, r)
	}
	z.Records = append(keep, RecordSpec{Name: e.Name, Type: "A", Alias: &AliasSpec{Target: e.Target}})
	return undo, fmt.Sprintf("%s: %s is now an alias to %s", z.Name, e.Name, e.Target), nil
}
