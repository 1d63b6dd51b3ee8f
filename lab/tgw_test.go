package lab_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/goccy/go-yaml"
	"github.com/pathlab/pathlab/scenarios"
	"github.com/pathlab/pathlab/simnet"
	"github.com/pathlab/pathlab/simnet/spec"
)

// hybridFlows cross the hub world's transit gateway, its VPN connections
// and its virtual private gateway: the world's own flows do not (no
// on-premises host is a client of the world's reachability).
var hybridFlows = [][2]string{
	// spoke to spoke through the inspection appliances
	{"app-1", "http://api.corp.internal:8080/"}, {"app-2", "http://api.corp.internal:8080/"},
	{"app-1", "tcp://10.20.2.10:8080"}, {"app-2", "icmp://10.20.2.10"},
	// the office over the VPN attachment: to the spokes, and to the
	// internet through the inspection and egress VPCs
	{"office-pc", "http://10.20.2.10:8080/"}, {"office-pc", "http://10.10.10.10:8080/"}, {"office-pc", "http://10.10.11.10:8081/"},
	{"office-pc", "https://api.partner.example.net/"}, {"office-pc", "tcp://172.16.5.10:5432"},
	// the data centre over the virtual private gateway: the shared VPC
	// only
	{"dc-db", "http://10.20.2.10:8080/"}, {"dc-db", "http://10.10.10.10:8080/"},
	{"api-1", "tcp://172.16.5.10:5432"}, {"app-1", "tcp://172.16.5.10:5432"},
	{"api-1", "tcp://192.168.10.20:22"}, {"app-1", "icmp://192.168.10.20"},
	// through the egress VPC's NAT gateway, and its loop-free return
	{"app-1", "https://api.partner.example.net/"}, {"api-1", "https://secretsmanager.us-east-1.amazonaws.com/"},
}

// editedHub writes the hub world with edits to a world file.
func editedHub(t *testing.T, edits ...string) string {
	t.Helper()
	w, err := simnet.LoadBuiltin("hub")
	if err != nil {
		t.Fatal(err)
	}
	s := w.Spec()
	for _, e := range edits {
		ed, err := spec.ParseEdit(e)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := ed.Apply(s); err != nil {
			t.Fatal(err)
		}
	}
	b, err := yaml.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), fmt.Sprintf("hub-edited-%d.yaml", len(b)))
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestVerifyHybrid holds the lab's transit gateway, VPN connections,
// on-premises networks and virtual private gateway (tgw.go, vpn.go)
// against the simulation: the hub world and the worlds of the codes the
// constructs add (testdata/worlds/codes), each with the flows that cross
// them; with PATHLAB_VERIFY_ALL=1 the library's hub scenarios too.
func TestVerifyHybrid(t *testing.T) {
	skip(t)
	if raceEnabled {
		t.Skip("the race detector slows the lab's probes past their timeouts; run without -race")
	}
	sources := []string{"hub"}
	for _, c := range []string{"TGW_ASYMMETRIC_RETURN", "TGW_BLACKHOLE", "TGW_NO_ROUTE", "TGW_ZONE_NOT_ATTACHED", "VPN_TUNNEL_DOWN"} {
		sources = append(sources, "../testdata/worlds/codes/"+c+".yaml")
	}
	// The attachment subnets' network ACLs: api-1's replies entering its
	// VPC's attachment subnet, and the requests leaving it for api-1's
	// subnet.
	sources = append(sources,
		editedHub(t, "nacl acl-shared add ingress rule 50 deny tcp 32768-60999 10.20.2.0/24"),
		editedHub(t, "nacl acl-shared add egress rule 50 deny tcp 8080 10.20.2.0/24"))
	if os.Getenv("PATHLAB_VERIFY_ALL") != "" {
		// The library's hub scenarios with these flows too (5 minutes).
		lib, err := scenarios.Library()
		if err != nil {
			t.Fatal(err)
		}
		for _, sc := range lib {
			if strings.HasPrefix(sc.ID, "hub-") {
				sources = append(sources, sc.ID)
			}
		}
	}
	total, agree := 0, 0
	for _, src := range sources {
		t.Run(strings.TrimSuffix(src[strings.LastIndexByte(src, '/')+1:], ".yaml"), func(t *testing.T) {
			n, a := verifySource(t, src, hybridFlows...)
			total += n
			agree += a
		})
	}
	t.Logf("FIGURE %d hybrid worlds, %d flows compared, %d agree", len(sources), total, agree)
}
