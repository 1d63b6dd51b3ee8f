package play

import (
	"context"
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"github.com/pathlab/pathlab/scenarios"
	"github.com/pathlab/pathlab/simnet"
)

// TestAWSNetworkInterfaces: describe-network-interfaces in the AWS CLI's
// shape (golden), and what it says agrees with the rest of the shell.
func TestAWSNetworkInterfaces(t *testing.T) {
	_, out := session(t, adHoc(t), []string{
		"aws ec2 describe-network-interfaces --filters Name=addresses.private-ip-address,Values=10.0.10.21",
		"aws ec2 describe-network-interfaces --filters Name=interface-type,Values=nat_gateway",
		"aws ec2 describe-network-interfaces --query 'NetworkInterfaces[].[PrivateIpAddress,InterfaceType,RequesterManaged,Description]' --output text",
		"aws ec2 describe-network-interfaces --network-interface-ids eni-0123456789abcdef0",
	}, Options{Echo: true})
	for _, w := range []string{
		`"InstanceId": "i-0`, `"InterfaceType": "nat_gateway"`, `"Description": "Interface for NAT Gateway nat-0`, `"SourceDestCheck": false`,
		"\tinterface\tTrue\tELB app/web-lb/",
		"An error occurred (InvalidNetworkInterfaceID.NotFound) when calling the DescribeNetworkInterfaces operation: The networkInterface ID 'eni-0123456789abcdef0' does not exist",
	} {
		if !strings.Contains(out, w) {
			t.Errorf("transcript lacks %q", w)
		}
	}
	golden(t, "aws-ec2-enis", out)
}

// TestAWSInterfacesAgree: an instance's interface has the same MAC on the
// host (ip link), in describe-network-interfaces and in describe-instances,
// and the source/destination check the world sets: hub's firewalls turn it
// off.
func TestAWSInterfacesAgree(t *testing.T) {
	ws, err := simnet.LoadSpec("../../simnet/worlds/hub.yaml")
	if err != nil {
		t.Skip(err)
	}
	st, err := scenarios.AdHoc(context.Background(), "hub.yaml", ws, ws.Internet.Clients[0].Name, "")
	if err != nil {
		t.Fatal(err)
	}
	_, out := session(t, st, []string{
		"ssh fw-1",
		"ip link",
		"exit",
		"aws ec2 describe-network-interfaces --filters Name=private-ip-address,Values=10.30.1.10 --query 'NetworkInterfaces[0].[MacAddress,SourceDestCheck]' --output text",
		"aws ec2 describe-instances --filters Name=private-ip-address,Values=10.30.1.10 --query 'Reservations[0].Instances[0].[NetworkInterfaces[0].MacAddress,SourceDestCheck,NetworkInterfaces[0].SourceDestCheck]' --output text",
	}, Options{})
	lines := regexp.MustCompile(`(?m)^([0-9a-f:]{17})\t(.*)$`).FindAllStringSubmatch(out, -1)
	if len(lines) != 2 {
		t.Fatalf("want two answers, got:\n%s", out)
	}
	link := regexp.MustCompile(`link/ether ([0-9a-f:]{17}) brd`).FindStringSubmatch(out)
	if link == nil {
		t.Fatalf("ip link on fw-1 shows no MAC:\n%s", out)
	}
	if lines[0][1] != link[1] || lines[1][1] != link[1] {
		t.Errorf("the interface's MAC: %s on the host (ip link), %s in describe-network-interfaces, %s in describe-instances", link[1], lines[0][1], lines[1][1])
	}
	if lines[0][2] != "False" || lines[1][2] != "False\tFalse" {
		t.Errorf("fw-1 (source_dest_check: false): SourceDestCheck %q and %q, want False everywhere", lines[0][2], lines[1][2])
	}
}

// TestAWSSubnetCount: a subnet's free addresses leave out every interface's
// addresses, secondary ones included.
func TestAWSSubnetCount(t *testing.T) {
	ws, err := simnet.LoadSpec("../../testdata/worlds/linux/dns-source.yaml")
	if err != nil {
		t.Skip(err)
	}
	st, err := scenarios.AdHoc(context.Background(), "dns-source.yaml", ws, ws.VPCs[0].Instances[0].Name, "udp://10.0.10.21:53")
	if err != nil {
		t.Fatal(err)
	}
	// each listing in a session of its own: the transcript holds one JSON document
	decode := func(line string, v any) {
		_, out := session(t, st, []string{line}, Options{})
		if err := json.NewDecoder(strings.NewReader(out[strings.Index(out, "\n{")+1:])).Decode(v); err != nil {
			t.Fatalf("%s: %v\n%s", line, err, out)
		}
	}
	var subnets struct {
		Subnets []struct {
			SubnetId, CidrBlock     string
			AvailableIpAddressCount int
		}
	}
	var enis struct {
		NetworkInterfaces []struct {
			SubnetId           string
			PrivateIpAddresses []struct{ PrivateIpAddress string }
		}
	}
	decode("aws ec2 describe-subnets", &subnets)
	decode("aws ec2 describe-network-interfaces", &enis)
	used := map[string]int{}
	secondary := 0
	for _, e := range enis.NetworkInterfaces {
		used[e.SubnetId] += len(e.PrivateIpAddresses)
		secondary += len(e.PrivateIpAddresses) - 1
	}
	if secondary == 0 {
		t.Fatal("the world has no secondary address: the test shows nothing")
	}
	for _, s := range subnets.Subnets {
		var bits int
		if i := strings.IndexByte(s.CidrBlock, '/'); i > 0 {
			for _, c := range s.CidrBlock[i+1:] {
				bits = bits*10 + int(c-'0')
			}
		}
		if want := 1<<(32-bits) - 5 - used[s.SubnetId]; s.AvailableIpAddressCount != want {
			t.Errorf("subnet %s (%s): AvailableIpAddressCount %d, want %d (%d addresses on interfaces)", s.SubnetId, s.CidrBlock, s.AvailableIpAddressCount, want, used[s.SubnetId])
		}
	}
}
