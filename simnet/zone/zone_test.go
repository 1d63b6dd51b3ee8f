package zone

import (
	"testing"

	"github.com/miekg/dns"
)

func mustRR(t *testing.T, s string) dns.RR {
	t.Helper()
	rr, err := dns.NewRR(s)
	if err != nil {
		t.Fatal(err)
	}
	return rr
}

func testZone(t *testing.T) *Zone {
	z := New("Example.com", false, "ns1.example.com")
	for _, s := range []string{
		"www.example.com. 300 IN A 203.0.113.10",
		"www.example.com. 300 IN A 203.0.113.11",
		"shop.example.com. 300 IN CNAME www.example.com.",
		"out.example.com. 300 IN CNAME api.partner.example.net.",
		"a.b.example.com. 300 IN TXT \"deep\"",
		"example.com. 300 IN MX 10 mail.example.com.",
	} {
		z.Add(mustRR(t, s))
	}
	return z
}

func TestLookup(t *testing.T) {
	z := testZone(t)
	tests := []struct {
		name  string
		qtype uint16
		want  Result
		n     int
	}{
		{"www.example.com.", dns.TypeA, Success, 2},
		{"WWW.Example.COM.", dns.TypeA, Success, 2},
		{"www.example.com.", dns.TypeAAAA, NoData, 0},
		{"shop.example.com.", dns.TypeA, Alias, 1},
		{"shop.example.com.", dns.TypeCNAME, Success, 1},
		{"b.example.com.", dns.TypeA, NoData, 0}, // an empty non-terminal exists
		{"nope.example.com.", dns.TypeA, NameError, 0},
		{"example.com.", dns.TypeMX, Success, 1},
	}
	for _, tt := range tests {
		got, rrs := z.Lookup(tt.name, tt.qtype)
		if got != tt.want || len(rrs) != tt.n {
			t.Errorf("Lookup(%s, %s) = %s with %d records; want %s with %d", tt.name, dns.TypeToString[tt.qtype], got, len(rrs), tt.want, tt.n)
		}
	}
}

func TestReply(t *testing.T) {
	z := testZone(t)
	ask := func(name string, qtype uint16) *dns.Msg {
		q := new(dns.Msg)
		q.SetQuestion(name, qtype)
		q.Id = 4242
		return z.Reply(q)
	}
	m := ask("shop.example.com.", dns.TypeA)
	if !m.Authoritative || m.Id != 4242 || m.Rcode != dns.RcodeSuccess || len(m.Answer) != 3 {
		t.Errorf("in-zone alias: %v", m)
	}
	m = ask("out.example.com.", dns.TypeA)
	if len(m.Answer) != 1 || m.Answer[0].Header().Rrtype != dns.TypeCNAME {
		t.Errorf("an alias that leaves the zone ends the answer: %v", m)
	}
	m = ask("nope.example.com.", dns.TypeA)
	if m.Rcode != dns.RcodeNameError || len(m.Ns) != 1 || m.Ns[0].Header().Rrtype != dns.TypeSOA {
		t.Errorf("NXDOMAIN carries the SOA: %v", m)
	}
	m = ask("www.example.com.", dns.TypeTXT)
	if m.Rcode != dns.RcodeSuccess || len(m.Answer) != 0 || len(m.Ns) != 1 {
		t.Errorf("NODATA: NOERROR, no answer, the SOA: %v", m)
	}
	if soa := z.SOA().(*dns.SOA); soa.Ns != "ns1.example.com." || soa.Hdr.Name != "example.com." {
		t.Errorf("SOA = %v", soa)
	}
	q := new(dns.Msg)
	if m := z.Reply(q); m.Rcode != dns.RcodeFormatError {
		t.Errorf("no question: rcode %d; want FORMERR", m.Rcode)
	}
}

func FuzzLookup(f *testing.F) {
	f.Add("www.example.com.", uint16(1))
	f.Add(".", uint16(5))
	f.Add("", uint16(0))
	z := New("example.com.", false, "")
	z.Add(&dns.CNAME{Hdr: dns.RR_Header{Name: "loop.example.com.", Rrtype: dns.TypeCNAME, Class: dns.ClassINET}, Target: "loop.example.com."})
	f.Fuzz(func(t *testing.T, name string, qtype uint16) {
		z.Lookup(name, qtype)
		q := new(dns.Msg)
		q.SetQuestion(dns.Fqdn(name), qtype)
		if m := z.Reply(q); len(m.Answer) > MaxChain+1 {
			t.Fatalf("reply follows %d aliases", len(m.Answer))
		}
	})
}
