package importer

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/pathlab/pathlab/simnet"
)

// TestSecondaryAddresses: an instance's secondary private addresses come
// from Terraform's aws_instance secondary_private_ips, from the
// private_ips of its primary aws_network_interface, and from the EC2
// API's PrivateIpAddresses (Primary false); one outside the subnet is
// left out with a warning. The imported world compiles.
func TestSecondaryAddresses(t *testing.T) {
	tf := importPath(t, filepath.Join(tfDir, "secondary.state.json"))

	// The EC2 API: three-tier's describe-instances, with a secondary
	// address on app-1's primary interface.
	var files []File
	paths, _ := filepath.Glob(filepath.Join(awsDir, "*.json"))
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if filepath.Base(p) == "describe-instances.json" {
			data = withSecondary(t, data, "10.0.10.21", "10.0.10.31")
		}
		files = append(files, File{Name: p, Data: data})
	}
	aws, err := AWS(files)
	if err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name string
		res  *Result
		inst string
		want []string
	}{
		{"terraform aws_instance", tf, "ns1", []string{"10.0.10.31", "10.0.10.41"}},
		{"terraform primary aws_network_interface", tf, "ns2", []string{"10.0.10.32"}},
		{"ec2 PrivateIpAddresses", aws, "app-1", []string{"10.0.10.31"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := simnet.ParseSpec("import.yaml", tc.res.World); err != nil {
				t.Fatalf("the imported world does not compile: %v", err)
			}
			var got []string
			found := false
			for _, v := range tc.res.Spec.VPCs {
				for _, in := range v.Instances {
					if in.Name == tc.inst {
						found, got = true, in.SecondaryPrivateIPs
					}
				}
			}
			if !found {
				t.Fatalf("no instance %s in:\n%s", tc.inst, tc.res.World)
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("%s's secondary_private_ips = %v; want %v", tc.inst, got, tc.want)
			}
			if !strings.Contains(string(tc.res.World), "secondary_private_ips: ["+strings.Join(tc.want, ", ")+"]") {
				t.Errorf("the world does not write the addresses:\n%s", tc.res.World)
			}
		})
	}
	warned := false
	for _, n := range tf.Report.Warnings {
		warned = warned || strings.Contains(n.Text, "10.0.99.9")
	}
	if !warned {
		t.Errorf("no warning for 10.0.99.9, outside the subnet: %+v", tf.Report.Warnings)
	}
	for _, u := range tf.Report.Unsupported {
		if u.Type == "aws_network_interface" {
			t.Errorf("the primary interface is reported unsupported: %+v", u)
		}
	}
}

// withSecondary adds a secondary address to the primary interface of the
// instance whose primary address is primary, in describe-instances JSON.
func withSecondary(t *testing.T, data []byte, primary, secondary string) []byte {
	t.Helper()
	var doc map[string]any
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	done := false
	for _, r := range doc["Reservations"].([]any) {
		for _, in := range r.(map[string]any)["Instances"].([]any) {
			for _, n := range in.(map[string]any)["NetworkInterfaces"].([]any) {
				eni := n.(map[string]any)
				if eni["PrivateIpAddress"] == primary {
					eni["PrivateIpAddresses"] = []any{
						map[string]any{"Primary": true, "PrivateIpAddress": primary},
						map[string]any{"Primary": false, "PrivateIpAddress": secondary},
					}
					done = true
				}
			}
		}
	}
	if !done {
		t.Fatalf("no interface with address %s", primary)
	}
	out, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	return out
}
