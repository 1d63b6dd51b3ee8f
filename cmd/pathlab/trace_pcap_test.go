package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func issue3World(name string) string {
	return filepath.Join("..", "..", "testdata", "worlds", "issue3-"+name+".yaml")
}

// TestTracePcapFlags: trace --packets, --pcap FILE and --capture-at NAME.
func TestTracePcapFlags(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name     string
		args     []string
		wantCode int
		wantOut  string // a fragment of stdout
		wantErr  string // a fragment of stderr
		wantFile string // a pcap that must exist afterwards
	}{
		{"packets", []string{"trace", "--packets"}, 0, "TCP 43023 > 443 [SYN] seq", "", ""},
		{"packets show the rewrite", []string{"trace", "--packets"}, 0, "destination rewritten: 198.51.100.10:43023 > 10.0.1.10:443", "", ""},
		{"pcap", []string{"trace", "--pcap", filepath.Join(dir, "a.pcap")}, 0, "delivered", "what a capture at browser sees", filepath.Join(dir, "a.pcap")},
		{"pcap at a target", []string{"trace", "--world", issue3World("acl-no-ephemeral"), "--from", "app-1", "--pcap", filepath.Join(dir, "b.pcap"), "--capture-at", "db-1", "tcp://db.internal.shop:5432"},
			1, "broken at acl-data: NACL_EGRESS_DENIED", "wrote 8 packets", filepath.Join(dir, "b.pcap")},
		{"capture-at without pcap", []string{"trace", "--capture-at", "db-1"}, 2, "", "--capture-at db-1 needs --pcap FILE", ""},
		{"capture at nothing", []string{"trace", "--pcap", filepath.Join(dir, "c.pcap"), "--capture-at", "sg-app"}, 2, "", `--capture-at: nothing to capture at is named "sg-app"`, ""},
		{"pcap in a missing directory", []string{"trace", "--pcap", filepath.Join(dir, "no", "such", "d.pcap")}, 2, "", "--pcap " + filepath.Join(dir, "no", "such", "d.pcap"), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, errOut, code := runPathlab(t, false, nil, tt.args...)
			if code != tt.wantCode {
				t.Fatalf("exit %d; want %d\nstdout:\n%s\nstderr:\n%s", code, tt.wantCode, out, errOut)
			}
			if !strings.Contains(out, tt.wantOut) {
				t.Errorf("stdout lacks %q:\n%s", tt.wantOut, out)
			}
			if !strings.Contains(errOut, tt.wantErr) {
				t.Errorf("stderr lacks %q:\n%s", tt.wantErr, errOut)
			}
			if tt.wantFile != "" {
				if st, err := os.Stat(tt.wantFile); err != nil || st.Size() < 24 {
					t.Errorf("pcap %s: %v", tt.wantFile, err)
				}
			}
			if tt.wantCode == 2 && out != "" {
				t.Errorf("bad input printed a trace:\n%s", out)
			}
		})
	}
}
