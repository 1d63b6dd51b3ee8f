package main

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// TestImportDirection enforces ARCHITECTURE.md: tracer imports neither
// simnet nor scenarios; simnet and the live probes import tracer, never
// each other; scenarios never touches the real network; raw-socket code
// stays in the live package.
func TestImportDirection(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("the go command is not on PATH")
	}
	const mod = "github.com/pathlab/pathlab/"
	// miekg/dns itself brings x/net/ipv4 and x/sys/unix; raw ICMP sockets
	// and libpcap are what only the live package may use.
	rawSocket := []string{"golang.org/x/net/icmp", "github.com/gopacket/gopacket/pcap"}
	tests := []struct {
		pkg       string
		forbidden []string
	}{
		{"tracer", append([]string{mod + "simnet", mod + "scenarios", mod + "tracer/probe"}, rawSocket...)},
		{"simnet", append([]string{mod + "scenarios", mod + "tracer/probe", mod + "cmd"}, rawSocket...)},
		{"scenarios", append([]string{mod + "tracer/probe", mod + "cmd"}, rawSocket...)},
		{"tracer/probe", []string{mod + "simnet", mod + "scenarios", mod + "cmd"}},
		// The lab sits above simnet and the live probes, below scenarios.
		{"lab", []string{mod + "scenarios", mod + "cmd"}},
	}
	for _, tt := range tests {
		t.Run(tt.pkg, func(t *testing.T) {
			pattern := "../../" + tt.pkg + "/..."
			if tt.pkg == "tracer" {
				pattern = "../../tracer" // its sub-package probe is the live world
			}
			if _, err := os.Stat("../../" + tt.pkg); err != nil {
				t.Skipf("%s does not exist yet", tt.pkg)
			}
			out, err := exec.Command("go", "list", "-deps", pattern).CombinedOutput()
			if err != nil {
				t.Fatalf("go list: %v\n%s", err, out)
			}
			deps := strings.Fields(string(out))
			for _, d := range deps {
				for _, f := range tt.forbidden {
					if d == f || strings.HasPrefix(d, f+"/") {
						t.Errorf("%s imports %s; ARCHITECTURE.md forbids it", tt.pkg, d)
					}
				}
			}
		})
	}
}
