package simnet

import (
	"strings"
	"testing"

	"github.com/pathlab/pathlab/simnet/spec"
	"github.com/pathlab/pathlab/tracer"
)

// hubWith is the built-in hub world with the edits applied.
func hubWith(t *testing.T, edits ...string) *World {
	t.Helper()
	s := builtinWorldSpec(t, "hub")
	for _, l := range edits {
		e, err := spec.ParseEdit(l)
		if err != nil {
			t.Fatalf("%q: %v", l, err)
		}
		if _, err := e.Apply(s); err != nil {
			t.Fatalf("%q: %v", l, err)
		}
	}
	w, err := Compile(s)
	if err != nil {
		t.Fatalf("compile with %v: %v", edits, err)
	}
	return w
}

// TestHybrid holds the transit gateway, VPN and endpoint steps to the AWS
// documentation, one documented behaviour per case (cited beside it).
// want is "delivered" or "STAGE COMPONENT CODE" of broken_at; detail, when
// given, must appear in some hop of the trace.
func TestHybrid(t *testing.T) {
	const api = "http://api.corp.internal:8080/"
	tests := []struct {
		name   string
		edits  []string
		from   string
		target string
		want   string
		detail string
	}{
		// The world as built: every flow its header promises.
		{"web headline", nil, "browser", "https://www.example.com/", "delivered", ""},
		// TGW guide, "Transit gateway route tables": a packet entering by an
		// attachment is routed by the table associated with it; spokes
		// reach each other through the inspection attachment.
		{"spoke to spoke through inspection", nil, "app-1", api, "delivered", "the table of att-app: on to attachment att-inspect"},
		// TGW guide, "Example: Centralized outbound routing to the internet".
		{"spoke to internet through egress NAT", nil, "app-2", "https://api.partner.example.net/", "delivered", "public 203.0.113.40"},
		// Site-to-Site VPN guide: a VPN attachment to a transit gateway;
		// on-premises hosts are vantage points.
		{"office over VPN attachment", nil, "office-pc", "http://10.20.2.10:8080/", "delivered", "through tunnel 1 of vpn-office"},
		{"office to a spoke", nil, "office-pc", "http://10.10.10.10:8080/", "delivered", ""},
		// Site-to-Site VPN guide: a VPN to a virtual private gateway; the
		// VPC table takes its routes by route propagation.
		{"data centre over VGW", nil, "dc-db", "http://10.20.2.10:8080/", "delivered", "vgw-shared"},
		{"VPC to data centre by propagated route", nil, "api-1", "tcp://172.16.5.10:5432", "delivered", "172.16.0.0/16 → vgw-shared (propagated)"},
		// PrivateLink guide, gateway endpoints: a route to the service's
		// prefix list; the source address stays private.
		{"S3 through gateway endpoint", nil, "api-1", "https://s3.us-east-1.amazonaws.com/", "delivered", "the source stays 10.20.2.10"},
		// PrivateLink guide, interface endpoints: private DNS answers the
		// service's public name with the endpoint's addresses.
		{"Secrets Manager through interface endpoint", nil, "api-1", "https://secretsmanager.us-east-1.amazonaws.com/", "delivered", "over PrivateLink"},
		// Private DNS applies in the endpoint's VPC only: elsewhere the
		// public name resolves to the public address (here reached by NAT).
		{"private DNS only in the endpoint's VPC", nil, "app-1", "https://secretsmanager.us-east-1.amazonaws.com/", "delivered", "public 203.0.113.40"},
		{"isolated VPC has no internet", nil, "api-1", "https://api.partner.example.net/", "tcp rt-shared NO_ROUTE", ""},

		// TGW guide, "How transit gateways work": resources in a zone reach
		// the transit gateway only if the attachment has a subnet in that
		// zone.
		{"zone without attachment subnet", []string{"attachment att-app subnet remove app-tgw-b"}, "app-2", api, "tcp att-app TGW_ZONE_NOT_ATTACHED", `zone "b"`},
		{"other zone still works", []string{"attachment att-app subnet remove app-tgw-b"}, "app-1", api, "delivered", ""},
		// TGW route tables: no matching route drops the packet.
		{"no route in associated table", []string{"route tgw-rt-spokes remove 0.0.0.0/0"}, "app-1", api, "tcp tgw-rt-spokes TGW_NO_ROUTE", ""},
		// An attachment with no association has no table to route by.
		{"attachment not associated", []string{"attachment att-app disassociate"}, "app-1", api, "tcp att-app TGW_NO_ROUTE", "associated with no route table"},
		// TGW route tables: a blackhole static route drops; static routes
		// take precedence over propagated routes for the same prefix.
		{"static blackhole beats propagated", []string{"route tgw-rt-inspect add 10.20.0.0/16 via blackhole"}, "app-1", api, "tcp tgw-rt-inspect TGW_BLACKHOLE", "a blackhole route"},
		// A static route to an attachment that is deleted is a blackhole.
		{"static route to deleted attachment", []string{"attachment att-egress state deleted"}, "app-2", "https://api.partner.example.net/", "tcp tgw-rt-inspect TGW_BLACKHOLE", "deleted"},
		// VPC route tables: a route to a transit gateway whose attachment
		// is gone shows blackhole.
		{"VPC route to TGW without attachment", []string{"attachment att-app state deleted"}, "app-1", api, "tcp rt-app-private ROUTE_BLACKHOLE", ""},
		// TGW route propagation: without it the table lacks the VPC's
		// range; here the default route sends it to egress, whose NAT
		// subnet sends 10/8 back to the gateway: a loop.
		{"propagation left off", []string{"propagation tgw-rt-inspect disable att-shared"}, "app-1", api, "tcp rt-insp-tgw-b ROUTE_LOOP", ""},
		// TGW guide, "Appliance in a shared services VPC": without appliance
		// mode each direction stays in its own zone, so a flow between
		// zones meets two appliances.
		{"appliance mode off", []string{"attachment att-inspect appliance-mode off"}, "app-1", api, "tcp att-inspect TGW_ASYMMETRIC_RETURN", "reaches fw-2"},
		// The return through the wrong table: the responder's attachment
		// is associated with the inspection table and its replies bypass
		// the appliance that saw the request: the SYN-ACK reaches the
		// client, the appliance drops what follows (as Linux conntrack
		// does, lab verify hub-0010).
		{"return through the wrong table", []string{"attachment att-shared associate tgw-rt-inspect"}, "app-1", api, "http fw-1 TGW_ASYMMETRIC_RETURN", "misses it"},
		// ... and the request skipping the appliance its reply crosses.
		{"request through the wrong table", []string{"attachment att-app associate tgw-rt-inspect"}, "app-1", api, "tcp fw-1 TGW_ASYMMETRIC_RETURN", "never saw"},

		// Site-to-Site VPN guide: two tunnels for redundancy; one is enough.
		{"one tunnel down", []string{"vpn vpn-office tunnel 1 down"}, "office-pc", "http://10.20.2.10:8080/", "delivered", "through tunnel 2"},
		{"both tunnels down", []string{"vpn vpn-office tunnel 1 down", "vpn vpn-office tunnel 2 down"}, "office-pc", "http://10.20.2.10:8080/", "tcp vpn-office VPN_TUNNEL_DOWN", ""},
		{"tunnels down on the way back", []string{"vpn vpn-dc tunnel 1 down", "vpn vpn-dc tunnel 2 down"}, "api-1", "tcp://172.16.5.10:5432", "tcp vpn-dc VPN_TUNNEL_DOWN", ""},
		// An on-premises host reaches an internet resolver the way it
		// reaches the internet: its query crosses the VPN (lab verify of
		// VPN_TUNNEL_DOWN found the simulation answering it regardless).
		{"the office's DNS crosses the VPN", []string{"vpn vpn-office tunnel 1 down", "vpn vpn-office tunnel 2 down"}, "office-pc", "https://api.partner.example.net/", "dns vpn-office VPN_TUNNEL_DOWN", "query to resolver public-resolver is lost"},
		{"the office's DNS through the hub", nil, "office-pc", "https://api.partner.example.net/", "delivered", ""},
		{"the data centre has no way to an internet resolver", nil, "dc-db", "https://api.partner.example.net/", "dns dc NO_ROUTE", "query to resolver"},
		{"connection deleted", []string{"vpn vpn-office state deleted"}, "office-pc", "http://10.20.2.10:8080/", "tcp vpn-office VPN_TUNNEL_DOWN", "the connection is deleted"},
		{"VPN attachment deleted", []string{"attachment att-office state deleted"}, "office-pc", "http://10.20.2.10:8080/", "tcp att-office TGW_BLACKHOLE", ""},
		// VPC route tables: without propagation (or a static route) the
		// subnet has no route to the on-premises network.
		{"route propagation off", []string{"propagation rt-shared disable vgw-shared"}, "dc-db", "http://10.20.2.10:8080/", "tcp rt-shared NO_RETURN_ROUTE", ""},
		{"static route instead of propagation", []string{"propagation rt-shared disable vgw-shared", "route rt-shared add 172.16.0.0/16 via vgw-shared"}, "dc-db", "http://10.20.2.10:8080/", "delivered", ""},
		// Static routing: AWS sends into the tunnels only the connection's
		// static routes.
		{"static route too narrow", []string{"vpn vpn-dc route remove 172.16.0.0/16", "vpn vpn-dc route add 172.16.9.0/24"}, "api-1", "tcp://172.16.5.10:5432", "tcp rt-shared NO_ROUTE", ""},
		// Site-to-Site VPN tunnels carry at most 1446 bytes; when the
		// ICMP that path MTU discovery needs is dropped, large packets
		// vanish (MTU_BLACKHOLE), as for a peering.
		{"tunnel MTU with PMTUD", nil, "office-pc", "http://10.20.2.10:8080/", "delivered", "exceed VPN connection vpn-office's MTU 1400"},
		{"tunnel MTU blackhole", []string{"nacl acl-shared add ingress rule 50 deny icmp all 0.0.0.0/0"}, "office-pc", "http://10.20.2.10:8080/", "http vpn-office MTU_BLACKHOLE", ""},

		// Gateway endpoints: without the prefix-list route an isolated
		// subnet has no way to the service.
		{"prefix-list route missing", []string{"route rt-shared remove pl-s3"}, "api-1", "https://s3.us-east-1.amazonaws.com/", "tcp rt-shared NO_ROUTE", ""},
		// Managed prefix lists as security group destinations.
		{"prefix list in a security group", []string{"sg sg-api remove egress all all to 0.0.0.0/0", "sg sg-api add egress tcp 443 to pl-s3"}, "api-1", "https://s3.us-east-1.amazonaws.com/", "delivered", "to pl-s3"},
		{"prefix list covers only its service", []string{"sg sg-api remove egress all all to 0.0.0.0/0", "sg sg-api add egress tcp 443 to pl-s3"}, "api-1", "https://secretsmanager.us-east-1.amazonaws.com/", "tcp sg-api SG_NO_EGRESS_RULE", ""},
		// Interface endpoints: private DNS off resolves the public address.
		{"private DNS off", []string{"endpoint vpce-secrets private-dns off"}, "api-1", "https://secretsmanager.us-east-1.amazonaws.com/", "tcp rt-shared NO_ROUTE", ""},
		// Interface endpoints have security groups of their own.
		{"endpoint security group", []string{"sg sg-vpce remove ingress tcp 443 from 10.20.0.0/16"}, "api-1", "https://secretsmanager.us-east-1.amazonaws.com/", "tcp sg-vpce SG_NO_INGRESS_RULE", ""},
		// An endpoint that is not available carries nothing.
		{"endpoint pending", []string{"endpoint vpce-secrets state pending"}, "api-1", "tcp://10.20.2.50:443", "tcp vpce-secrets ENDPOINT_NOT_AVAILABLE", ""},
		{"gateway endpoint failed", []string{"endpoint vpce-s3 state failed"}, "api-1", "https://s3.us-east-1.amazonaws.com/", "tcp vpce-s3 ENDPOINT_NOT_AVAILABLE", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := hubWith(t, tt.edits...)
			r := trace(t, w, tt.from, tt.target)
			if got := brokenAt(r); got != tt.want {
				var b strings.Builder
				r.WriteText(&b, tracer.TextOptions{})
				t.Fatalf("broken_at = %s; want %s\n%s", got, tt.want, b.String())
			}
			if tt.detail == "" {
				return
			}
			for _, s := range r.Stages {
				for _, h := range s.Hops {
					if strings.Contains(h.Text(), tt.detail) || strings.Contains(h.Rule, tt.detail) {
						return
					}
				}
			}
			var b strings.Builder
			r.WriteText(&b, tracer.TextOptions{})
			t.Errorf("no hop says %q:\n%s", tt.detail, b.String())
		})
	}
}

// TestHybridRefused: specs of the extensions that AWS would not accept are
// refused with a message naming what is wrong.
func TestHybridRefused(t *testing.T) {
	tests := []struct {
		name string
		edit func(s *spec.WorldSpec)
		want string
	}{
		// TGW guide: one subnet per Availability Zone in an attachment.
		{"two subnets of one zone", func(s *spec.WorldSpec) { s.TransitGateways[0].Attachments[0].Subnets = []string{"app-a", "app-tgw-a"} }, `are both in zone "a"`},
		// One attachment of a VPC to a transit gateway.
		{"VPC attached twice", func(s *spec.WorldSpec) {
			s.TransitGateways[0].Attachments = append(s.TransitGateways[0].Attachments, spec.TGWAttachmentSpec{Name: "att-app2", VPC: "app", Subnets: []string{"app-a"}})
		}, "is attached to tgw-hub already"},
		// An attachment is associated with at most one route table.
		{"two associations", func(s *spec.WorldSpec) {
			s.TransitGateways[0].RouteTables[1].Associations = append(s.TransitGateways[0].RouteTables[1].Associations, "att-app")
		}, "is associated with tgw-rt-spokes already"},
		{"route to no attachment", func(s *spec.WorldSpec) { s.TransitGateways[0].RouteTables[0].Routes[0].Target = "att-nope" }, "is not an attachment of transit gateway tgw-hub"},
		{"bad attachment state", func(s *spec.WorldSpec) { s.TransitGateways[0].Attachments[0].State = "sleeping" }, "is not available, pending, deleted or failed"},
		// Site-to-Site VPN: the networks it joins may not overlap.
		{"on-premises overlaps a VPC", func(s *spec.WorldSpec) { s.OnPremises[0].CIDRs = []string{"10.10.0.0/16"} }, "overlaps VPC app"},
		{"VPN ending nowhere", func(s *spec.WorldSpec) { s.TransitGateways[0].Attachments = s.TransitGateways[0].Attachments[:4] }, "ends nowhere on the AWS side"},
		{"customer gateway on a private address", func(s *spec.WorldSpec) { s.OnPremises[0].CustomerGateway.IP = "10.9.9.9" }, "by a public address"},
		{"VPN MTU above AWS's", func(s *spec.WorldSpec) { s.VPNConnections[0].MTU = 1500 }, "outside 576-1446"},
		{"tunnel state", func(s *spec.WorldSpec) { s.VPNConnections[0].Tunnels = []spec.TunnelSpec{{State: "sideways"}} }, "is not up or down"},
		// VPC route propagation names a virtual private gateway of the VPC.
		{"propagation from a gateway of another VPC", func(s *spec.WorldSpec) { s.VPCs[0].RouteTables[0].Propagations = []string{"vgw-shared"} }, "is attached to VPC shared, not app"},
		// PrivateLink: only gateway endpoints are route targets, and their
		// route's destination is the service's prefix list.
		{"route to an interface endpoint", func(s *spec.WorldSpec) {
			s.VPCs[1].RouteTables[0].Routes = append(s.VPCs[1].RouteTables[0].Routes, spec.RouteSpec{Destination: "52.94.0.0/16", Target: "vpce-secrets"})
		}, "only gateway endpoints are route targets"},
		{"gateway endpoint route by CIDR", func(s *spec.WorldSpec) {
			s.VPCs[1].RouteTables[0].Routes = append(s.VPCs[1].RouteTables[0].Routes, spec.RouteSpec{Destination: "52.216.0.0/16", Target: "vpce-s3"})
		}, "has its prefix list (pl-s3) as destination"},
		{"prefix list not covering its server", func(s *spec.WorldSpec) { s.PrefixLists[0].CIDRs = []string{"3.5.0.0/19"} }, "does not cover server s3-api"},
		{"endpoint of no server", func(s *spec.WorldSpec) { s.VPCs[1].Endpoints[0].Server = "nobody" }, "is not an internet server"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := builtinWorldSpec(t, "hub")
			tt.edit(s)
			_, err := Compile(s)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Compile: %v; want an error saying %q", err, tt.want)
			}
		})
	}
}
