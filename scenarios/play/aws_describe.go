package play

import (
	"encoding/json"
	"fmt"
	"net/netip"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/jmespath/go-jmespath"
	"github.com/pathlab/pathlab/simnet/spec"
)

// The describe commands' responses, with the APIs' field names in the
// order the AWS CLI prints them.

type ipPermission struct {
	IpProtocol       string        `json:"IpProtocol"`
	FromPort         *int          `json:"FromPort,omitempty"`
	ToPort           *int          `json:"ToPort,omitempty"`
	UserIdGroupPairs []userIdGroup `json:"UserIdGroupPairs"`
	IpRanges         []ipRange     `json:"IpRanges"`
	Ipv6Ranges       []struct{}    `json:"Ipv6Ranges"`
	PrefixListIds    []struct{}    `json:"PrefixListIds"`
}

type userIdGroup struct {
	UserId  string `json:"UserId"`
	GroupId string `json:"GroupId"`
}

type ipRange struct {
	CidrIp string `json:"CidrIp"`
}

type securityGroup struct {
	GroupId             string         `json:"GroupId"`
	IpPermissionsEgress []ipPermission `json:"IpPermissionsEgress"`
	Tags                []awsTag       `json:"Tags"`
	VpcId               string         `json:"VpcId"`
	SecurityGroupArn    string         `json:"SecurityGroupArn"`
	OwnerId             string         `json:"OwnerId"`
	GroupName           string         `json:"GroupName"`
	Description         string         `json:"Description"`
	IpPermissions       []ipPermission `json:"IpPermissions"`
}

// awsProto is a protocol as the EC2 API writes it in security groups.
func awsProto(p string) string {
	switch strings.ToLower(p) {
	case "all", "-1", "":
		return "-1"
	}
	return strings.ToLower(p)
}

// aclProto is a protocol as a network ACL entry writes it: a number.
func aclProto(p string) string {
	switch strings.ToLower(p) {
	case "tcp", "6":
		return "6"
	case "udp", "17":
		return "17"
	case "icmp", "1":
		return "1"
	}
	return "-1"
}

func intp(i int) *int { return &i }

func (s *Shell) region() string { return "us-east-1" }

// az is a subnet's availability zone name.
func (s *Shell) az(zone string) string {
	switch {
	case zone == "":
		return s.region() + "a"
	case len(zone) == 1:
		return s.region() + zone
	}
	return zone
}

// sgPerms are a group's rules as IpPermissions.
func (s *Shell) sgPerms(rules []spec.SGRuleSpec, ingress bool) []ipPermission {
	out := []ipPermission{}
	for _, r := range rules {
		p := ipPermission{IpProtocol: awsProto(r.Protocol), UserIdGroupPairs: []userIdGroup{}, IpRanges: []ipRange{}, Ipv6Ranges: []struct{}{}, PrefixListIds: []struct{}{}}
		switch p.IpProtocol {
		case "-1":
		case "icmp":
			p.FromPort, p.ToPort = intp(-1), intp(-1)
		default:
			lo, hi, err := r.Ports.Range()
			if err != nil {
				lo, hi = 0, 65535
			}
			p.FromPort, p.ToPort = intp(lo), intp(hi)
		}
		peer := r.Source
		if !ingress {
			peer = r.Destination
		}
		if _, err := netip.ParsePrefix(peer); err == nil {
			p.IpRanges = append(p.IpRanges, ipRange{CidrIp: peer})
		} else {
			p.UserIdGroupPairs = append(p.UserIdGroupPairs, userIdGroup{UserId: awsAccount, GroupId: awsID("sg", peer)})
		}
		out = append(out, p)
	}
	return out
}

func (s *Shell) awsDescribeSGs(c *awsCall) error {
	items := []securityGroup{}
	for _, v := range s.spec.VPCs {
		for _, g := range v.SecurityGroups {
			id := awsID("sg", g.Name)
			items = append(items, securityGroup{GroupId: id, IpPermissionsEgress: s.sgPerms(g.Egress, false), Tags: awsTags(g.Name), VpcId: awsID("vpc", v.Name),
				SecurityGroupArn: fmt.Sprintf("arn:aws:ec2:%s:%s:security-group/%s", s.region(), awsAccount, id), OwnerId: awsAccount, GroupName: g.Name,
				Description: g.Name, IpPermissions: s.sgPerms(g.Ingress, true)})
		}
	}
	return s.awsDescribe(c, "SecurityGroups", items, "--group-ids", "GroupId", "GroupName", map[string]string{
		"group-id": "GroupId", "group-name": "GroupName", "vpc-id": "VpcId", "owner-id": "OwnerId", "description": "Description",
		"ip-permission.cidr": "IpPermissions[].IpRanges[].CidrIp", "ip-permission.from-port": "IpPermissions[].FromPort", "ip-permission.to-port": "IpPermissions[].ToPort",
		"ip-permission.protocol": "IpPermissions[].IpProtocol", "ip-permission.group-id": "IpPermissions[].UserIdGroupPairs[].GroupId",
		"egress.ip-permission.cidr": "IpPermissionsEgress[].IpRanges[].CidrIp", "egress.ip-permission.from-port": "IpPermissionsEgress[].FromPort",
		"egress.ip-permission.to-port": "IpPermissionsEgress[].ToPort", "egress.ip-permission.protocol": "IpPermissionsEgress[].IpProtocol",
		"egress.ip-permission.group-id": "IpPermissionsEgress[].UserIdGroupPairs[].GroupId",
	})
}

type aclEntry struct {
	CidrBlock    string        `json:"CidrBlock"`
	Egress       bool          `json:"Egress"`
	IcmpTypeCode *icmpTypeCode `json:"IcmpTypeCode,omitempty"`
	PortRange    *awsPortRange `json:"PortRange,omitempty"`
	Protocol     string        `json:"Protocol"`
	RuleAction   string        `json:"RuleAction"`
	RuleNumber   int           `json:"RuleNumber"`
}

type icmpTypeCode struct {
	Code int `json:"Code"`
	Type int `json:"Type"`
}

type awsPortRange struct {
	From int `json:"From"`
	To   int `json:"To"`
}

type aclAssoc struct {
	NetworkAclAssociationId string `json:"NetworkAclAssociationId"`
	NetworkAclId            string `json:"NetworkAclId"`
	SubnetId                string `json:"SubnetId"`
}

type networkACL struct {
	Associations []aclAssoc `json:"Associations"`
	Entries      []aclEntry `json:"Entries"`
	IsDefault    bool       `json:"IsDefault"`
	NetworkAclId string     `json:"NetworkAclId"`
	Tags         []awsTag   `json:"Tags"`
	VpcId        string     `json:"VpcId"`
	OwnerId      string     `json:"OwnerId"`
}

func aclEntries(rules []spec.ACLRuleSpec, egress bool) []aclEntry {
	rs := append([]spec.ACLRuleSpec(nil), rules...)
	sort.SliceStable(rs, func(i, j int) bool { return rs[i].Rule < rs[j].Rule })
	var out []aclEntry
	for _, r := range rs {
		e := aclEntry{CidrBlock: r.CIDR, Egress: egress, Protocol: aclProto(r.Protocol), RuleAction: strings.ToLower(r.Action), RuleNumber: r.Rule}
		switch e.Protocol {
		case "6", "17":
			lo, hi, err := r.Ports.Range()
			if err != nil {
				lo, hi = 0, 65535
			}
			e.PortRange = &awsPortRange{From: lo, To: hi}
		case "1":
			e.IcmpTypeCode = &icmpTypeCode{Code: -1, Type: -1}
		}
		out = append(out, e)
	}
	// the rule no one can change: the default deny
	return append(out, aclEntry{CidrBlock: "0.0.0.0/0", Egress: egress, Protocol: "-1", RuleAction: "deny", RuleNumber: 32767})
}

func (s *Shell) awsDescribeACLs(c *awsCall) error {
	items := []networkACL{}
	for _, v := range s.spec.VPCs {
		for _, a := range v.NetworkACLs {
			id := awsID("acl", a.Name)
			n := networkACL{Associations: []aclAssoc{}, IsDefault: false, NetworkAclId: id, Tags: awsTags(a.Name), VpcId: awsID("vpc", v.Name), OwnerId: awsAccount}
			for _, sn := range v.Subnets {
				if sn.NetworkACL == a.Name {
					n.Associations = append(n.Associations, aclAssoc{NetworkAclAssociationId: awsID("aclassoc", a.Name+"/"+sn.Name), NetworkAclId: id, SubnetId: awsID("subnet", sn.Name)})
				}
			}
			n.Entries = append(aclEntries(a.Egress, true), aclEntries(a.Ingress, false)...)
			items = append(items, n)
		}
	}
	return s.awsDescribe(c, "NetworkAcls", items, "--network-acl-ids", "NetworkAclId", "", map[string]string{
		"network-acl-id": "NetworkAclId", "vpc-id": "VpcId", "owner-id": "OwnerId", "default": "IsDefault",
		"association.subnet-id": "Associations[].SubnetId", "association.network-acl-id": "Associations[].NetworkAclId",
		"association.association-id": "Associations[].NetworkAclAssociationId",
		"entry.cidr":                 "Entries[].CidrBlock", "entry.egress": "Entries[].Egress", "entry.protocol": "Entries[].Protocol",
		"entry.rule-action": "Entries[].RuleAction", "entry.rule-number": "Entries[].RuleNumber",
		"entry.port-range.from": "Entries[].PortRange.From", "entry.port-range.to": "Entries[].PortRange.To",
	})
}

type rtAssoc struct {
	Main                    bool              `json:"Main"`
	RouteTableAssociationId string            `json:"RouteTableAssociationId"`
	RouteTableId            string            `json:"RouteTableId"`
	SubnetId                string            `json:"SubnetId,omitempty"`
	AssociationState        map[string]string `json:"AssociationState"`
}

type rtRoute struct {
	DestinationCidrBlock    string `json:"DestinationCidrBlock,omitempty"`
	DestinationPrefixListId string `json:"DestinationPrefixListId,omitempty"` // aws_hybrid.go
	TransitGatewayId        string `json:"TransitGatewayId,omitempty"`
	GatewayId               string `json:"GatewayId,omitempty"`
	InstanceId              string `json:"InstanceId,omitempty"`
	InstanceOwnerId         string `json:"InstanceOwnerId,omitempty"`
	NatGatewayId            string `json:"NatGatewayId,omitempty"`
	VpcPeeringConnectionId  string `json:"VpcPeeringConnectionId,omitempty"`
	Origin                  string `json:"Origin"`
	State                   string `json:"State"`
}

type routeTable struct {
	Associations    []rtAssoc       `json:"Associations"`
	PropagatingVgws []awsGatewayRef `json:"PropagatingVgws"`
	RouteTableId    string          `json:"RouteTableId"`
	Routes          []rtRoute       `json:"Routes"`
	Tags            []awsTag        `json:"Tags"`
	VpcId           string          `json:"VpcId"`
	OwnerId         string          `json:"OwnerId"`
}

// awsRoute is a world route as the API shows it.
func (s *Shell) awsRouteOf(v spec.VPCSpec, r spec.RouteSpec) rtRoute {
	out := rtRoute{DestinationCidrBlock: r.Destination, Origin: "CreateRoute", State: "active"}
	t := r.Target
	switch {
	case t == "local":
		out.GatewayId, out.Origin = "local", "CreateRouteTable"
	case t == "blackhole":
		out.State = "blackhole"
	case t == v.InternetGateway:
		out.GatewayId = awsID("igw", t)
	case s.awsHybridRoute(v, r, &out): // aws_hybrid.go
	default:
		for _, n := range v.NATGateways {
			if n.Name == t {
				out.NatGatewayId = awsID("nat", t)
				return out
			}
		}
		for _, i := range v.Instances {
			if i.Name == t {
				out.InstanceId, out.InstanceOwnerId = awsID("i", t), awsAccount
				return out
			}
		}
		for _, p := range s.spec.Peerings {
			if p.Name == t {
				out.VpcPeeringConnectionId = awsID("pcx", t)
				if p.Status != "active" {
					out.State = "blackhole"
				}
				return out
			}
		}
		// a gateway that is not attached to this VPC: the route is a
		// blackhole
		out.GatewayId, out.State = awsID("igw", t), "blackhole"
	}
	return out
}

func (s *Shell) awsDescribeRTs(c *awsCall) error {
	items := []routeTable{}
	for _, v := range s.spec.VPCs {
		for _, t := range v.RouteTables {
			id := awsID("rtb", t.Name)
			rt := routeTable{Associations: []rtAssoc{}, PropagatingVgws: []awsGatewayRef{}, RouteTableId: id, Routes: []rtRoute{}, Tags: awsTags(t.Name), VpcId: awsID("vpc", v.Name), OwnerId: awsAccount}
			local := false
			for _, r := range t.Routes {
				if r.Target == "local" {
					local = true
				}
			}
			if !local {
				rt.Routes = append(rt.Routes, rtRoute{DestinationCidrBlock: v.CIDR, GatewayId: "local", Origin: "CreateRouteTable", State: "active"})
			}
			for _, r := range t.Routes {
				rt.Routes = append(rt.Routes, s.awsRouteOf(v, r))
			}
			s.awsPropagated(v, t, &rt) // aws_hybrid.go
			for _, sn := range v.Subnets {
				if sn.RouteTable == t.Name {
					rt.Associations = append(rt.Associations, rtAssoc{RouteTableAssociationId: awsID("rtbassoc", t.Name+"/"+sn.Name), RouteTableId: id,
						SubnetId: awsID("subnet", sn.Name), AssociationState: map[string]string{"State": "associated"}})
				}
			}
			items = append(items, rt)
		}
	}
	return s.awsDescribe(c, "RouteTables", items, "--route-table-ids", "RouteTableId", "", map[string]string{
		"route-table-id": "RouteTableId", "vpc-id": "VpcId", "owner-id": "OwnerId",
		"association.subnet-id": "Associations[].SubnetId", "association.route-table-id": "Associations[].RouteTableId",
		"association.route-table-association-id": "Associations[].RouteTableAssociationId", "association.main": "Associations[].Main",
		"route.destination-cidr-block": "Routes[].DestinationCidrBlock", "route.gateway-id": "Routes[].GatewayId", "route.nat-gateway-id": "Routes[].NatGatewayId",
		"route.instance-id": "Routes[].InstanceId", "route.vpc-peering-connection-id": "Routes[].VpcPeeringConnectionId",
		"route.origin": "Routes[].Origin", "route.state": "Routes[].State",
	})
}

type subnetItem struct {
	AvailabilityZone            string     `json:"AvailabilityZone"`
	AvailableIpAddressCount     int        `json:"AvailableIpAddressCount"`
	CidrBlock                   string     `json:"CidrBlock"`
	DefaultForAz                bool       `json:"DefaultForAz"`
	MapPublicIpOnLaunch         bool       `json:"MapPublicIpOnLaunch"`
	State                       string     `json:"State"`
	SubnetId                    string     `json:"SubnetId"`
	VpcId                       string     `json:"VpcId"`
	OwnerId                     string     `json:"OwnerId"`
	AssignIpv6AddressOnCreation bool       `json:"AssignIpv6AddressOnCreation"`
	Ipv6CidrBlockAssociationSet []struct{} `json:"Ipv6CidrBlockAssociationSet"`
	Tags                        []awsTag   `json:"Tags"`
	SubnetArn                   string     `json:"SubnetArn"`
}

// used counts the addresses of a subnet that hold an interface.
func used(v spec.VPCSpec, sn spec.SubnetSpec) int {
	n := 0
	for _, i := range v.Instances {
		if i.Subnet == sn.Name {
			n += 1 + len(i.SecondaryPrivateIPs)
		}
	}
	for _, e := range v.Endpoints {
		for _, nd := range e.Interfaces {
			if nd.Subnet == sn.Name {
				n++
			}
		}
	}
	for _, g := range v.NATGateways {
		if g.Subnet == sn.Name {
			n++
		}
	}
	for _, l := range v.LoadBalancers {
		for _, nd := range l.Nodes {
			if nd.Subnet == sn.Name {
				n++
			}
		}
	}
	return n
}

func (s *Shell) awsDescribeSubnets(c *awsCall) error {
	items := []subnetItem{}
	for _, v := range s.spec.VPCs {
		for _, sn := range v.Subnets {
			id := awsID("subnet", sn.Name)
			free := 0
			if p, err := netip.ParsePrefix(sn.CIDR); err == nil && p.Addr().Is4() {
				free = 1<<(32-p.Bits()) - 5 - used(v, sn) // AWS reserves five addresses of each subnet
			}
			items = append(items, subnetItem{AvailabilityZone: s.az(sn.Zone), AvailableIpAddressCount: max(free, 0), CidrBlock: sn.CIDR, State: "available",
				SubnetId: id, VpcId: awsID("vpc", v.Name), OwnerId: awsAccount, Ipv6CidrBlockAssociationSet: []struct{}{}, Tags: awsTags(sn.Name),
				SubnetArn: fmt.Sprintf("arn:aws:ec2:%s:%s:subnet/%s", s.region(), awsAccount, id)})
		}
	}
	return s.awsDescribe(c, "Subnets", items, "--subnet-ids", "SubnetId", "", map[string]string{
		"subnet-id": "SubnetId", "vpc-id": "VpcId", "cidr-block": "CidrBlock", "cidr": "CidrBlock", "cidrBlock": "CidrBlock",
		"availability-zone": "AvailabilityZone", "availabilityZone": "AvailabilityZone", "state": "State", "owner-id": "OwnerId",
		"default-for-az": "DefaultForAz", "map-public-ip-on-launch": "MapPublicIpOnLaunch", "subnet-arn": "SubnetArn",
	})
}

type vpcItem struct {
	CidrBlock               string         `json:"CidrBlock"`
	DhcpOptionsId           string         `json:"DhcpOptionsId"`
	State                   string         `json:"State"`
	VpcId                   string         `json:"VpcId"`
	OwnerId                 string         `json:"OwnerId"`
	InstanceTenancy         string         `json:"InstanceTenancy"`
	CidrBlockAssociationSet []vpcCIDRAssoc `json:"CidrBlockAssociationSet"`
	IsDefault               bool           `json:"IsDefault"`
	Tags                    []awsTag       `json:"Tags"`
}

type vpcCIDRAssoc struct {
	AssociationId  string            `json:"AssociationId"`
	CidrBlock      string            `json:"CidrBlock"`
	CidrBlockState map[string]string `json:"CidrBlockState"`
}

func (s *Shell) awsDescribeVPCs(c *awsCall) error {
	items := []vpcItem{}
	for _, v := range s.spec.VPCs {
		items = append(items, vpcItem{CidrBlock: v.CIDR, DhcpOptionsId: awsID("dopt", s.spec.Name), State: "available", VpcId: awsID("vpc", v.Name), OwnerId: awsAccount,
			InstanceTenancy: "default", CidrBlockAssociationSet: []vpcCIDRAssoc{{AssociationId: awsID("vpc-cidr-assoc", v.Name), CidrBlock: v.CIDR, CidrBlockState: map[string]string{"State": "associated"}}},
			Tags: awsTags(v.Name)})
	}
	return s.awsDescribe(c, "Vpcs", items, "--vpc-ids", "VpcId", "", map[string]string{
		"vpc-id": "VpcId", "cidr": "CidrBlock", "cidr-block-association.cidr-block": "CidrBlockAssociationSet[].CidrBlock", "state": "State",
		"is-default": "IsDefault", "owner-id": "OwnerId", "dhcp-options-id": "DhcpOptionsId",
	})
}

type instanceItem struct {
	AmiLaunchIndex        int               `json:"AmiLaunchIndex"`
	ImageId               string            `json:"ImageId"`
	InstanceId            string            `json:"InstanceId"`
	InstanceType          string            `json:"InstanceType"`
	LaunchTime            string            `json:"LaunchTime"`
	Monitoring            map[string]string `json:"Monitoring"`
	Placement             map[string]string `json:"Placement"`
	PrivateDnsName        string            `json:"PrivateDnsName"`
	PrivateIpAddress      string            `json:"PrivateIpAddress"`
	ProductCodes          []struct{}        `json:"ProductCodes"`
	PublicDnsName         string            `json:"PublicDnsName"`
	PublicIpAddress       string            `json:"PublicIpAddress,omitempty"`
	State                 instanceState     `json:"State"`
	StateTransitionReason string            `json:"StateTransitionReason"`
	SubnetId              string            `json:"SubnetId"`
	VpcId                 string            `json:"VpcId"`
	Architecture          string            `json:"Architecture"`
	NetworkInterfaces     []eniItem         `json:"NetworkInterfaces"`
	SecurityGroups        []groupRef        `json:"SecurityGroups"`
	SourceDestCheck       bool              `json:"SourceDestCheck"`
	Tags                  []awsTag          `json:"Tags"`
}

type instanceState struct {
	Code int    `json:"Code"`
	Name string `json:"Name"`
}

type groupRef struct {
	GroupName string `json:"GroupName"`
	GroupId   string `json:"GroupId"`
}

type eniItem struct {
	Attachment         eniAttachment `json:"Attachment"`
	Groups             []groupRef    `json:"Groups"`
	MacAddress         string        `json:"MacAddress"`
	NetworkInterfaceId string        `json:"NetworkInterfaceId"`
	OwnerId            string        `json:"OwnerId"`
	PrivateDnsName     string        `json:"PrivateDnsName"`
	PrivateIpAddress   string        `json:"PrivateIpAddress"`
	PrivateIpAddresses []eniAddress  `json:"PrivateIpAddresses"`
	SourceDestCheck    bool          `json:"SourceDestCheck"`
	Status             string        `json:"Status"`
	SubnetId           string        `json:"SubnetId"`
	VpcId              string        `json:"VpcId"`
	InterfaceType      string        `json:"InterfaceType"`
}

// eniAddress is one of an interface's private addresses: the primary one
// first, then the secondary ones (Primary false).
type eniAddress struct {
	Primary          bool   `json:"Primary"`
	PrivateDnsName   string `json:"PrivateDnsName"`
	PrivateIpAddress string `json:"PrivateIpAddress"`
}

// eniAddresses lists an instance's private addresses as the EC2 API does.
func eniAddresses(in spec.InstanceSpec) []eniAddress {
	out := []eniAddress{{Primary: true, PrivateDnsName: ec2DNSName(in.PrivateIP), PrivateIpAddress: in.PrivateIP}}
	for _, a := range in.SecondaryPrivateIPs {
		out = append(out, eniAddress{PrivateDnsName: ec2DNSName(a), PrivateIpAddress: a})
	}
	return out
}

func ec2DNSName(ip string) string { return "ip-" + strings.ReplaceAll(ip, ".", "-") + ".ec2.internal" }

// ec2PublicDNSName is a public address's name (us-east-1's form).
func ec2PublicDNSName(ip string) string {
	return "ec2-" + strings.ReplaceAll(ip, ".", "-") + ".compute-1.amazonaws.com"
}

type eniAttachment struct {
	AttachmentId        string `json:"AttachmentId"`
	DeleteOnTermination bool   `json:"DeleteOnTermination"`
	DeviceIndex         int    `json:"DeviceIndex"`
	Status              string `json:"Status"`
	NetworkCardIndex    int    `json:"NetworkCardIndex"`
}

type reservation struct {
	Groups        []struct{}     `json:"Groups"`
	Instances     []instanceItem `json:"Instances"`
	OwnerId       string         `json:"OwnerId"`
	ReservationId string         `json:"ReservationId"`
}

func (s *Shell) launchTime() string {
	t, err := time.Parse(time.RFC3339, s.spec.Clock)
	if err != nil {
		t = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	return t.Add(-30 * 24 * time.Hour).UTC().Format("2006-01-02T15:04:05+00:00")
}

func (s *Shell) awsDescribeInstances(c *awsCall) error {
	var insts []any
	for _, v := range s.spec.VPCs {
		zone := map[string]string{}
		for _, sn := range v.Subnets {
			zone[sn.Name] = sn.Zone
		}
		for _, in := range v.Instances {
			id := awsID("i", in.Name)
			var groups []groupRef
			for _, g := range in.SecurityGroups {
				groups = append(groups, groupRef{GroupName: g, GroupId: awsID("sg", g)})
			}
			if groups == nil {
				groups = []groupRef{}
			}
			dns := ec2DNSName(in.PrivateIP)
			it := instanceItem{ImageId: awsID("ami", "pathlab"), InstanceId: id, InstanceType: "t3.micro", LaunchTime: s.launchTime(),
				Monitoring: map[string]string{"State": "disabled"}, Placement: map[string]string{"AvailabilityZone": s.az(zone[in.Subnet]), "GroupName": "", "Tenancy": "default"},
				PrivateDnsName: dns, PrivateIpAddress: in.PrivateIP, ProductCodes: []struct{}{}, PublicIpAddress: in.PublicIP,
				State: instanceState{Code: 16, Name: "running"}, SubnetId: awsID("subnet", in.Subnet), VpcId: awsID("vpc", v.Name), Architecture: "x86_64",
				NetworkInterfaces: []eniItem{{Attachment: eniAttachment{AttachmentId: awsID("eni-attach", in.Name), DeleteOnTermination: true, Status: "attached"},
					Groups: groups, MacAddress: eniMAC(in.PrivateIP), NetworkInterfaceId: awsID("eni", in.Name), OwnerId: awsAccount,
					PrivateDnsName: dns, PrivateIpAddress: in.PrivateIP, PrivateIpAddresses: eniAddresses(in), SourceDestCheck: in.SrcDstCheck(), Status: "in-use", SubnetId: awsID("subnet", in.Subnet), VpcId: awsID("vpc", v.Name), InterfaceType: "interface"}},
				SecurityGroups: groups, SourceDestCheck: in.SrcDstCheck(), Tags: awsTags(in.Name)}
			if in.PublicIP != "" {
				it.PublicDnsName = ec2PublicDNSName(in.PublicIP)
			}
			insts = append(insts, it)
		}
	}
	// Filters and IDs apply to instances; each is a reservation of its own.
	list, raw, err := decodeList(insts)
	if err != nil {
		return err
	}
	kept, err := s.awsSelect(c, list, "--instance-ids", "InstanceId", "", map[string]string{
		"instance-id": "InstanceId", "subnet-id": "SubnetId", "vpc-id": "VpcId", "private-ip-address": "PrivateIpAddress", "ip-address": "PublicIpAddress",
		"instance-state-name": "State.Name", "instance-state-code": "State.Code", "instance-type": "InstanceType", "availability-zone": "Placement.AvailabilityZone",
		"instance.group-id": "SecurityGroups[].GroupId", "instance.group-name": "SecurityGroups[].GroupName", "private-dns-name": "PrivateDnsName",
		"network-interface.addresses.private-ip-address": "NetworkInterfaces[].PrivateIpAddresses[].PrivateIpAddress", "network-interface.subnet-id": "NetworkInterfaces[].SubnetId",
	}, "InvalidInstanceID.NotFound", "The instance ID '%s' does not exist")
	if err != nil {
		return err
	}
	res := []any{}
	for i, in := range keep(list, kept, raw) {
		id := pyStr(kept[i].(map[string]any)["InstanceId"])
		res = append(res, omap{{"Groups", []any{}}, {"Instances", []json.RawMessage{in}}, {"OwnerId", awsAccount}, {"ReservationId", "r-0" + hexOf("r", id)}})
	}
	return s.awsPrint(c, map[string]any{"Reservations": res})
}

// awsDescribe filters items by the call's IDs (idOpt, matched against
// idKey or nameKey) and --filters (names to JMESPath expressions), and
// prints {key: items}.
func (s *Shell) awsDescribe(c *awsCall, key string, items any, idOpt, idKey, nameKey string, filters map[string]string) error {
	list, raw, err := decodeList(items)
	if err != nil {
		return err
	}
	notFound := map[string][2]string{ // the error code and message for an unknown ID
		"SecurityGroups":    {"InvalidGroup.NotFound", "The security group '%s' does not exist"},
		"NetworkAcls":       {"InvalidNetworkAclID.NotFound", "The network ACL '%s' does not exist"},
		"RouteTables":       {"InvalidRouteTableID.NotFound", "The routeTable ID '%s' does not exist"},
		"Subnets":           {"InvalidSubnetID.NotFound", "The subnet ID '%s' does not exist"},
		"Vpcs":              {"InvalidVpcID.NotFound", "The vpc ID '%s' does not exist"},
		"NetworkInterfaces": {"InvalidNetworkInterfaceID.NotFound", "The networkInterface ID '%s' does not exist"},
	}[key]
	code, msg := notFound[0], notFound[1]
	kept, err := s.awsSelect(c, list, idOpt, idKey, nameKey, filters, code, msg)
	if err != nil {
		return err
	}
	return s.awsPrint(c, map[string]any{key: keep(list, kept, raw)})
}

// decodeList is typed items as JSON values, and their JSON (whose key
// order the output keeps).
func decodeList(items any) ([]any, []json.RawMessage, error) {
	raw, err := json.Marshal(items)
	if err != nil {
		return nil, nil, err
	}
	var list []any
	if err := json.Unmarshal(raw, &list); err != nil {
		return nil, nil, err
	}
	var raws []json.RawMessage
	if err := json.Unmarshal(raw, &raws); err != nil {
		return nil, nil, err
	}
	return list, raws, nil
}

// keep is the raw items whose decoded form kept holds.
func keep(list, kept []any, raws []json.RawMessage) []json.RawMessage {
	out := []json.RawMessage{}
	for i, it := range list {
		for _, k := range kept {
			if sameItem(it, k) {
				out = append(out, raws[i])
				break
			}
		}
	}
	return out
}

func sameItem(a, b any) bool {
	ma, oka := a.(map[string]any)
	mb, okb := b.(map[string]any)
	return oka && okb && len(ma) > 0 && fmt.Sprintf("%p", ma) == fmt.Sprintf("%p", mb)
}

// awsSelect keeps the items the call's IDs and filters select.
func (s *Shell) awsSelect(c *awsCall, list []any, idOpt, idKey, nameKey string, filters map[string]string, code, msg string) ([]any, error) {
	ids := c.opts[idOpt]
	if len(ids) == 1 && strings.Contains(ids[0], ",") {
		ids = strings.Split(ids[0], ",")
	}
	fs, err := parseFilters(c.opts["--filters"])
	if err != nil {
		return nil, apiError("InvalidParameterValue", c.spec.name, err.Error())
	}
	for _, f := range fs {
		if _, ok := filters[f.name]; !ok && !strings.HasPrefix(f.name, "tag:") && f.name != "tag-key" && f.name != "tag-value" {
			return nil, apiError("InvalidParameterValue", c.spec.name, fmt.Sprintf("The filter '%s' is invalid", f.name))
		}
	}
	var kept []any
	found := map[string]bool{}
	for _, it := range list {
		m := it.(map[string]any)
		if len(ids) > 0 {
			hit := false
			for _, id := range ids {
				if pyStr(m[idKey]) == id || (nameTag(m) == id) || (nameKey != "" && pyStr(m[nameKey]) == id) {
					hit = true
					found[id] = true
				}
			}
			if !hit {
				continue
			}
		}
		ok := true
		for _, f := range fs {
			if !filterMatch(m, f, filters) {
				ok = false
				break
			}
		}
		if ok {
			kept = append(kept, it)
		}
	}
	for _, id := range ids {
		if !found[id] && code != "" {
			return nil, apiError(code, c.spec.name, fmt.Sprintf(msg, id))
		}
	}
	return kept, nil
}

func nameTag(m map[string]any) string {
	tags, _ := m["Tags"].([]any)
	for _, t := range tags {
		if tm, ok := t.(map[string]any); ok && tm["Key"] == "Name" {
			return pyStr(tm["Value"])
		}
	}
	return ""
}

type awsFilter struct {
	name   string
	values []string
}

// parseFilters reads --filters in its shorthand (Name=x,Values=a,b) and
// JSON forms.
func parseFilters(args []string) ([]awsFilter, error) {
	var out []awsFilter
	for _, a := range args {
		a = strings.TrimSpace(a)
		if strings.HasPrefix(a, "[") || strings.HasPrefix(a, "{") {
			var js []struct {
				Name   string
				Values []string
			}
			if strings.HasPrefix(a, "{") {
				a = "[" + a + "]"
			}
			if err := json.Unmarshal([]byte(a), &js); err != nil {
				return nil, fmt.Errorf("Error parsing parameter '--filters': Invalid JSON: %v", err)
			}
			for _, f := range js {
				out = append(out, awsFilter{name: f.Name, values: f.Values})
			}
			continue
		}
		name, values, ok := strings.Cut(a, ",Values=")
		if !ok || !strings.HasPrefix(name, "Name=") {
			return nil, fmt.Errorf("Error parsing parameter '--filters': Expected: '=', received: 'EOF' for input: %s", a)
		}
		out = append(out, awsFilter{name: strings.TrimPrefix(name, "Name="), values: strings.Split(values, ",")})
	}
	return out, nil
}

// filterMatch reports whether item m passes filter f: one of the values
// at the filter's path matches one of its values.
func filterMatch(m map[string]any, f awsFilter, paths map[string]string) bool {
	var got []string
	switch {
	case strings.HasPrefix(f.name, "tag:"):
		if tags, ok := m["Tags"].([]any); ok {
			for _, t := range tags {
				if tm, ok := t.(map[string]any); ok && tm["Key"] == strings.TrimPrefix(f.name, "tag:") {
					got = append(got, pyStr(tm["Value"]))
				}
			}
		}
	case f.name == "tag-key" || f.name == "tag-value":
		if tags, ok := m["Tags"].([]any); ok {
			for _, t := range tags {
				if tm, ok := t.(map[string]any); ok {
					got = append(got, pyStr(tm[map[bool]string{true: "Key", false: "Value"}[f.name == "tag-key"]]))
				}
			}
		}
	default:
		v, err := jmespath.Search(paths[f.name], m)
		if err != nil {
			return false
		}
		got = flatStrings(v)
	}
	for _, g := range got {
		for _, want := range f.values {
			if matchValue(want, g) {
				return true
			}
		}
	}
	return false
}

func flatStrings(v any) []string {
	switch x := v.(type) {
	case nil:
		return nil
	case []any:
		var out []string
		for _, e := range x {
			out = append(out, flatStrings(e)...)
		}
		return out
	case bool:
		return []string{strconv.FormatBool(x)}
	}
	return []string{pyStr(v)}
}
