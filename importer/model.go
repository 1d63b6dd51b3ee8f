package importer

import "github.com/pathlab/pathlab/simnet"

// The world under construction: the shapes of simnet's spec, each element
// with the comment that goes beside it (its address, what was assumed).

type wWorld struct {
	name, description string
	clock, clockNote  string
	clients           []noted[simnet.ClientSpec]
	resolvers         []noted[simnet.ResolverSpec]
	zones             []*wZone
	certs             []noted[simnet.CertSpec]
	vpcs              []*wVPC
	peerings          []noted[simnet.PeeringSpec]
	// The extensions of issue 11 (build_hybrid.go).
	servers     []noted[simnet.ServerSpec]
	prefixLists []noted[simnet.PrefixListSpec]
	tgws        []*wTGW
	onprems     []noted[simnet.OnPremSpec]
	vpns        []noted[simnet.VPNSpec]
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
	nameservers []noted[simnet.NameserverSpec]
	records     []noted[simnet.RecordSpec]
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
	subnets   []noted[simnet.SubnetSpec]
	nats      []noted[simnet.NATGatewaySpec]
	sgs       []*wSG
	lbs       []*wLB
	instances []*wInstance
	note      []string
	// Extensions (build_hybrid.go).
	vgw                      string
	vgwNote                  []string
	endpoints                []noted[simnet.EndpointSpec]
	dnsSupport, dnsHostnames *bool
}

type wRT struct {
	name         string
	id           string
	routes       []noted[simnet.RouteSpec]
	note         []string
	propagations []string // virtual private gateways (extension)
}

type wACL struct {
	name            string
	id              string
	ingress, egress []noted[simnet.ACLRuleSpec]
	note            []string
}

type wSG struct {
	name            string
	id              string
	ingress, egress []noted[simnet.SGRuleSpec]
	note            []string
}

type wLB struct {
	spec      simnet.LoadBalancerSpec // without nodes, listeners and target groups
	nodes     []noted[simnet.LBNodeSpec]
	listeners []noted[simnet.ListenerSpec]
	tgs       []*wTG
	note      []string
	ruleNotes map[int][][]string // listener port to its rules' comments
}

type wTG struct {
	spec simnet.TargetGroupSpec
	note []string
}

type wInstance struct {
	spec     simnet.InstanceSpec // without services
	services []noted[simnet.ServiceSpec]
	stopped  bool
	note     []string
	sdcNote  []string
}
