package simnet

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/pathlab/pathlab/simnet/spec"
	"github.com/pathlab/pathlab/tracer"
)

// TestRefusalTravelsBack: a host that refuses a connection answers with a
// packet (an ICMP port unreachable for a firewall's REJECT, a reset for a
// closed port), and that packet crosses routes and network ACLs on its way
// back like any other. Network ACLs are stateless and filter ICMP by
// protocol (AWS VPC User Guide, "Control subnet traffic with network
// access control lists"; its Path MTU Discovery section asks for an
// explicit ICMP rule for the same reason). Where the ACL drops it, the
// client sees a timeout, not a refusal; the blocker is still the host.
func TestRefusalTravelsBack(t *testing.T) {
	tests := []struct {
		name  string
		world string
		edit  string // applied to the world first; "" for none
		want  tracer.ConnState
	}{
		{"reject answered", "HOST_FIREWALL_REJECT", "", tracer.ConnUnreachable},
		{"reject behind an ACL without ICMP", "HOST_FIREWALL_REJECT", "nacl acl-data remove egress rule 110", tracer.ConnTimeout},
		{"reject behind an ACL without the reply", "HOST_FIREWALL_REJECT", "nacl acl-data remove egress rule 100", tracer.ConnUnreachable},
	}
	for _, tt := range tests {
		t.Run(strings.ReplaceAll(tt.name, " ", "_"), func(t *testing.T) {
			w, err := Load(filepath.Join(repoRoot, "testdata", "worlds", "codes", tt.world+".yaml"))
			if err != nil {
				t.Fatal(err)
			}
			if tt.edit != "" {
				e, err := spec.ParseEdit(tt.edit)
				if err != nil {
					t.Fatal(err)
				}
				spec := w.Spec()
				if _, err := e.Apply(spec); err != nil {
					t.Fatal(err)
				}
				if w, err = Compile(spec); err != nil {
					t.Fatal(err)
				}
			}
			r := trace(t, w, "app-1", "tcp://db.internal.shop:5432")
			if r.BrokenAt == nil || r.BrokenAt.Component != "db-1" || r.BrokenAt.Code != tracer.HostFirewallReject {
				t.Fatalf("broken_at = %+v; want db-1 HOST_FIREWALL_REJECT", r.BrokenAt)
			}
			st := r.Stage(tracer.StageTCP)
			if !strings.HasSuffix(st.Summary, tt.want.String()) {
				t.Errorf("tcp stage %q; want the client to see %s", st.Summary, tt.want)
			}
			for _, b := range r.Blockers {
				if b.Code == tracer.NACLEgressDenied && tt.want == tracer.ConnTimeout {
					t.Errorf("the dropped ICMP error is listed as a blocker (%s): mending the reject mends the request", b.Component)
				}
			}
			if tt.want == tracer.ConnTimeout && !strings.Contains(r.BrokenAt.Detail, "dropped on its way back by acl-data") {
				t.Errorf("the reject's detail does not say where its answer was lost: %q", r.BrokenAt.Detail)
			}
		})
	}
}
