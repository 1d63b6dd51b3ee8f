package simnet

import (
	"bytes"
	"fmt"
	"reflect"
	"testing"

	"github.com/miekg/dns"
)

// parsedRR is buildRR through the zone file parser alone: what every
// record was built by before the direct path.
func parsedRR(t *testing.T, rec record) dns.RR {
	t.Helper()
	s := fmt.Sprintf("%s %d IN %s %s", rec.name, rec.ttl, dns.TypeToString[rec.rtype], rec.value)
	if rec.rtype == dns.TypeTXT {
		s = fmt.Sprintf("%s %d IN TXT %q", rec.name, rec.ttl, rec.value)
	}
	rr, err := dns.NewRR(s)
	if err != nil || rr == nil {
		return &dns.TXT{Hdr: dns.RR_Header{Name: rec.name, Rrtype: rec.rtype, Class: dns.ClassINET, Ttl: rec.ttl}, Txt: []string{rec.value}}
	}
	return rr
}

// TestBuildRRAsParsed holds the records buildRR sets directly to what the
// zone file parser makes of the same text: the same type, the same
// presentation, the same wire form.
func TestBuildRRAsParsed(t *testing.T) {
	for _, rec := range []record{
		{name: "www.shop.example.", rtype: dns.TypeA, ttl: 300, value: "203.0.113.10"},
		{name: "WWW.Shop.Example.", rtype: dns.TypeA, ttl: 0, value: "10.0.1.5"},
		{name: "*.apps.example.", rtype: dns.TypeA, ttl: 60, value: "198.51.100.7"},
		{name: "v6.example.", rtype: dns.TypeAAAA, ttl: 300, value: "2001:db8::1"},
		{name: "mapped.example.", rtype: dns.TypeAAAA, ttl: 300, value: "::ffff:192.0.2.1"},
		{name: "wrong.example.", rtype: dns.TypeA, ttl: 300, value: "2001:db8::1"},
		{name: "wrong6.example.", rtype: dns.TypeAAAA, ttl: 300, value: "192.0.2.1"},
		{name: "bad.example.", rtype: dns.TypeA, ttl: 300, value: "not-an-address"},
		{name: "relative", rtype: dns.TypeA, ttl: 300, value: "192.0.2.1"},
		{name: "odd\\032name.example.", rtype: dns.TypeA, ttl: 300, value: "192.0.2.1"},
		{name: "shop.example.", rtype: dns.TypeCNAME, ttl: 300, value: "web-lb-1.elb.example."},
		{name: "shop.example.", rtype: dns.TypeCNAME, ttl: 300, value: "relative-target"},
		{name: "shop.example.", rtype: dns.TypeCNAME, ttl: 300, value: "semi;colon.example."},
		{name: "example.", rtype: dns.TypeNS, ttl: 172800, value: "ns-1.awsdns.example."},
		{name: "example.", rtype: dns.TypeMX, ttl: 300, value: "10 mail.example."},
		{name: "example.", rtype: dns.TypeTXT, ttl: 300, value: `v=spf1 include:"x" -all`},
	} {
		t.Run(fmt.Sprintf("%s %s %s", rec.name, dns.TypeToString[rec.rtype], rec.value), func(t *testing.T) {
			got, want := buildRR(rec), parsedRR(t, rec)
			if reflect.TypeOf(got) != reflect.TypeOf(want) || got.String() != want.String() {
				t.Fatalf("buildRR = %T %q, the parser makes %T %q", got, got, want, want)
			}
			gotWire, wantWire := make([]byte, 512), make([]byte, 512)
			n, err := dns.PackRR(got, gotWire, 0, nil, false)
			if err != nil {
				t.Fatal(err)
			}
			m, err := dns.PackRR(want, wantWire, 0, nil, false)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(gotWire[:n], wantWire[:m]) || !dns.IsDuplicate(got, want) {
				t.Fatalf("wire form %x, the parser's %x", gotWire[:n], wantWire[:m])
			}
		})
	}
}
