package importer

import (
	"github.com/pathlab/pathlab/simnet/spec"
)

// The world under construction: the shapes of simnet's spec, each element
// with the comment that goes beside it (its address, what was assumed).

type wWorld struct {
	name, description string
	clock, clockNote  string
	clients           []noted[spec.ClientSpec]
	resolvers         []noted[spec.ResolverSpec]
	zones             []*wZone
	certs             []noted[spec.CertSpec]
	vpcs              []*wVPC
	peerings          []noted[spec.PeeringSpec]
	// The extensions of issue 11 (build_hybrid.go).
	servers     []noted[spec.ServerSpec]
	prefixLists []noted[spec.PrefixListSpec]
	tgws        []*wTGW
	onprems     []noted[spec.OnPremSpec]
	vpns        []noted[spec.VPNSpec]
}

// noted is an element and its comment lines.
type noted[T any] struct {
	v    T
	note []string
}

type wZone struct {
	name        string
	private     bool
	vpcs        []string
	nameservers []noted[spec.NameserverSpec]
	records     []noted[spec.RecordSpec]
	note        []string
}

type wVPC struct {
	r         *resource
	id        string
	name      string
	cidr      string
	igw       string
	igwNote   []string
	rts       []*wRT
	acls      []*wACL
	subnets   []noted[spec.SubnetSpec]
	nats      []noted[spec.NATGatewaySpec]
	sgs       []*wSG
	lbs       []*wLB
	instances []*wInstance
	note      []string
	// Extensions (build_hybrid.go).
	vgw                      string
	vgwNote                  []string
	endpoints                []noted[spec.EndpointSpec]
	dnsSupport, dnsHostnames *bool
}

type wRT struct {
	name         string
	id           string
	routes       []noted[spec.RouteSpec]
	note         []string
	propagations []string // virtual private gateways (extension)
}

type wACL struct {
	name            string
	id              string
	ingress, egress []noted[spec.ACLRuleSpec]
	note            []string
}

type wSG struct {
	name            string
	id              string
	ingress, egress []noted[spec.SGRuleSpec]
	note            []string
}

type wLB struct {
	spec      spec.LoadBalancerSpec // without nodes, listeners and target groups
	nodes     []noted[spec.LBNodeSpec]
	listeners []noted[spec.ListenerSpec]
	tgs       []*wTG
	note      []string
	ruleNotes map[int][][]string // listener port to its rules' comments
}

type wTG struct {
	spec spec.TargetGroupSpec
	note []string
}

type wInstance struct {
	spec     spec.InstanceSpec // without services
	services []noted[spec.ServiceSpec]
	stopped  bool
	note     []string
	sdcNote  []string
}
