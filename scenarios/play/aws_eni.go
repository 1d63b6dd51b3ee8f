package play

import (
	"fmt"
	"net/netip"
	"strings"

	"github.com/pathlab/pathlab/simnet/spec"
)

// aws ec2 describe-network-interfaces: every interface of the world, as EC2
// lists them, so that an address from a flow log or a capture can be traced
// to what holds it: an instance's primary interface (its secondary
// addresses too), a balancer's node in each of its subnets, a NAT
// gateway's, an interface endpoint's in each of its subnets. The managed
// ones say who manages them (RequesterManaged, RequesterId, the
// attachment's InstanceOwnerId) as EC2 does.

// eniListing is one interface in describe-network-interfaces' order of keys
// (the EC2 API reference's example).
type eniListing struct {
	Association        *eniAssociation `json:"Association,omitempty"`
	Attachment         eniListAttach   `json:"Attachment"`
	AvailabilityZone   string          `json:"AvailabilityZone"`
	Description        string          `json:"Description"`
	Groups             []groupRef      `json:"Groups"`
	InterfaceType      string          `json:"InterfaceType"`
	Ipv6Addresses      []struct{}      `json:"Ipv6Addresses"`
	MacAddress         string          `json:"MacAddress"`
	NetworkInterfaceId string          `json:"NetworkInterfaceId"`
	OwnerId            string          `json:"OwnerId"`
	PrivateDnsName     string          `json:"PrivateDnsName"`
	PrivateIpAddress   string          `json:"PrivateIpAddress"`
	PrivateIpAddresses []eniListAddr   `json:"PrivateIpAddresses"`
	RequesterId        string          `json:"RequesterId,omitempty"`
	RequesterManaged   bool            `json:"RequesterManaged"`
	SourceDestCheck    bool            `json:"SourceDestCheck"`
	Status             string          `json:"Status"`
	SubnetId           string          `json:"SubnetId"`
	TagSet             []awsTag        `json:"TagSet"`
	VpcId              string          `json:"VpcId"`
}

type eniAssociation struct {
	IpOwnerId     string `json:"IpOwnerId"`
	PublicDnsName string `json:"PublicDnsName"`
	PublicIp      string `json:"PublicIp"`
}

type eniListAttach struct {
	AttachTime          string `json:"AttachTime,omitempty"`
	AttachmentId        string `json:"AttachmentId"`
	DeleteOnTermination bool   `json:"DeleteOnTermination"`
	DeviceIndex         int    `json:"DeviceIndex"`
	NetworkCardIndex    *int   `json:"NetworkCardIndex,omitempty"`
	InstanceId          string `json:"InstanceId,omitempty"`
	InstanceOwnerId     string `json:"InstanceOwnerId"`
	Status              string `json:"Status"`
}

type eniListAddr struct {
	Association      *eniAssociation `json:"Association,omitempty"`
	Primary          bool            `json:"Primary"`
	PrivateDnsName   string          `json:"PrivateDnsName"`
	PrivateIpAddress string          `json:"PrivateIpAddress"`
}

// eniPublic is a public address's, or nil without one.
func eniPublic(public string) *eniAssociation {
	if public == "" {
		return nil
	}
	return &eniAssociation{IpOwnerId: "amazon", PublicDnsName: ec2PublicDNSName(public), PublicIp: public}
}

// eniMAC is the MAC address of the interface whose primary address is
// ip: the one the hosts' ip link and ip addr show (macOf).
func eniMAC(ip string) string {
	if a, err := netip.ParseAddr(ip); err == nil && a.Is4() {
		return macOf(a)
	}
	h := hexOf("mac", ip)
	return fmt.Sprintf("0a:%s:%s:%s:%s:%s", h[0:2], h[2:4], h[4:6], h[6:8], h[8:10])
}

func groupRefs(names []string) []groupRef {
	out := []groupRef{}
	for _, g := range names {
		out = append(out, groupRef{GroupName: g, GroupId: awsID("sg", g)})
	}
	return out
}

// managed is an interface AWS made for a service in a subnet: one address,
// no instance, the service's owner named.
func (s *Shell) managed(v spec.VPCSpec, zone map[string]string, id, name, subnet, private, public, desc, typ, owner string, groups []string, check bool) eniListing {
	a := eniPublic(public)
	return eniListing{Association: a,
		Attachment:       eniListAttach{AttachmentId: "ela-attach-0" + hexOf("ela", id), DeviceIndex: 1, InstanceOwnerId: owner, Status: "attached"},
		AvailabilityZone: s.az(zone[subnet]), Description: desc, Groups: groupRefs(groups), InterfaceType: typ, Ipv6Addresses: []struct{}{},
		MacAddress: eniMAC(private), NetworkInterfaceId: id, OwnerId: awsAccount, PrivateDnsName: ec2DNSName(private), PrivateIpAddress: private,
		PrivateIpAddresses: []eniListAddr{{Association: a, Primary: true, PrivateDnsName: ec2DNSName(private), PrivateIpAddress: private}},
		RequesterId:        owner, RequesterManaged: true, SourceDestCheck: check, Status: "in-use", SubnetId: awsID("subnet", subnet), TagSet: []awsTag{}, VpcId: awsID("vpc", v.Name)}
}

func (s *Shell) awsDescribeENIs(c *awsCall) error {
	items := []eniListing{}
	zero := 0
	for _, v := range s.spec.VPCs {
		zone := map[string]string{}
		for _, sn := range v.Subnets {
			zone[sn.Name] = sn.Zone
		}
		for _, in := range v.Instances {
			a := eniPublic(in.PublicIP)
			addrs := []eniListAddr{}
			for i, e := range eniAddresses(in) {
				x := eniListAddr{Primary: e.Primary, PrivateDnsName: e.PrivateDnsName, PrivateIpAddress: e.PrivateIpAddress}
				if i == 0 {
					x.Association = a
				}
				addrs = append(addrs, x)
			}
			items = append(items, eniListing{Association: a,
				Attachment: eniListAttach{AttachTime: s.launchTime(), AttachmentId: awsID("eni-attach", in.Name), DeleteOnTermination: true, DeviceIndex: 0,
					NetworkCardIndex: &zero, InstanceId: awsID("i", in.Name), InstanceOwnerId: awsAccount, Status: "attached"},
				AvailabilityZone: s.az(zone[in.Subnet]), Groups: groupRefs(in.SecurityGroups), InterfaceType: "interface", Ipv6Addresses: []struct{}{},
				MacAddress: eniMAC(in.PrivateIP), NetworkInterfaceId: awsID("eni", in.Name), OwnerId: awsAccount, PrivateDnsName: ec2DNSName(in.PrivateIP),
				PrivateIpAddress: in.PrivateIP, PrivateIpAddresses: addrs, SourceDestCheck: in.SrcDstCheck(), Status: "in-use",
				SubnetId: awsID("subnet", in.Subnet), TagSet: []awsTag{}, VpcId: awsID("vpc", v.Name)})
		}
		for _, l := range v.LoadBalancers {
			arn := s.lbARN(l)
			desc := "ELB " + arn[strings.Index(arn, ":loadbalancer/")+len(":loadbalancer/"):] // ELB app/NAME/ID, net/NAME/ID
			for _, n := range l.Nodes {
				items = append(items, s.managed(v, zone, awsID("eni", l.Name+"/"+n.Subnet), l.Name+"/"+n.Subnet, n.Subnet, n.PrivateIP, n.PublicIP,
					desc, "interface", "amazon-elb", l.SecurityGroups, true))
			}
		}
		for _, g := range v.NATGateways {
			// a NAT gateway forwards what is not its own: its interface has no check
			items = append(items, s.managed(v, zone, awsID("eni", "nat/"+g.Name), "nat/"+g.Name, g.Subnet, g.PrivateIP, g.PublicIP,
				"Interface for NAT Gateway "+awsID("nat", g.Name), "nat_gateway", "amazon-aws", nil, false))
		}
		for _, e := range v.Endpoints {
			for _, n := range e.Interfaces {
				items = append(items, s.managed(v, zone, awsID("eni", e.Name+"/"+n.Subnet), e.Name+"/"+n.Subnet, n.Subnet, n.PrivateIP, "",
					"VPC Endpoint Interface "+awsID("vpce", e.Name), "vpc_endpoint", "amazon-aws", e.SecurityGroups, true))
			}
		}
	}
	return s.awsDescribe(c, "NetworkInterfaces", items, "--network-interface-ids", "NetworkInterfaceId", "", map[string]string{
		"network-interface-id": "NetworkInterfaceId", "subnet-id": "SubnetId", "vpc-id": "VpcId", "availability-zone": "AvailabilityZone",
		"private-ip-address": "PrivateIpAddress", "addresses.private-ip-address": "PrivateIpAddresses[].PrivateIpAddress",
		"addresses.primary": "PrivateIpAddresses[].Primary", "private-dns-name": "PrivateDnsName",
		"association.public-ip": "Association.PublicIp", "addresses.association.public-ip": "PrivateIpAddresses[].Association.PublicIp",
		"attachment.instance-id": "Attachment.InstanceId", "attachment.instance-owner-id": "Attachment.InstanceOwnerId",
		"attachment.attachment-id": "Attachment.AttachmentId", "attachment.status": "Attachment.Status", "attachment.device-index": "Attachment.DeviceIndex",
		"group-id": "Groups[].GroupId", "group-name": "Groups[].GroupName", "interface-type": "InterfaceType", "description": "Description",
		"mac-address": "MacAddress", "owner-id": "OwnerId", "requester-id": "RequesterId", "requester-managed": "RequesterManaged",
		"source-dest-check": "SourceDestCheck", "status": "Status",
	})
}
