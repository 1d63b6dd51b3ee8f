package probelab

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/miekg/dns"
)

// writeCerts makes the lab CA, a valid certificate for WebName and an
// expired one, as PEM files in dir.
func writeCerts(dir string) error {
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return err
	}
	now := time.Now()
	caTmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "pathlab lab CA"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour), IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		return err
	}
	ca, _ := x509.ParseCertificate(caDER)
	if err := writePEM(filepath.Join(dir, "ca.pem"), "CERTIFICATE", caDER); err != nil {
		return err
	}
	leaf := func(name string, serial int64, nb, na time.Time) error {
		key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			return err
		}
		tmpl := &x509.Certificate{SerialNumber: big.NewInt(serial), Subject: pkix.Name{CommonName: WebName},
			DNSNames: []string{WebName}, NotBefore: nb, NotAfter: na,
			KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
		if err != nil {
			return err
		}
		kder, err := x509.MarshalECPrivateKey(key)
		if err != nil {
			return err
		}
		if err := writePEM(filepath.Join(dir, name+".pem"), "CERTIFICATE", der); err != nil {
			return err
		}
		return writePEM(filepath.Join(dir, name+".key"), "EC PRIVATE KEY", kder)
	}
	if err := leaf("www", 2, now.Add(-time.Hour), now.Add(23*time.Hour)); err != nil {
		return err
	}
	return leaf("expired", 3, now.Add(-48*time.Hour), now.Add(-24*time.Hour))
}

func writePEM(path, typ string, der []byte) error {
	return os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), 0o644)
}

// zone is what one lab DNS server knows: records it is authoritative for,
// and delegations it refers down to.
type zone struct {
	origin string
	rrs    []dns.RR
	refuse bool
}

func mustRRs(lines ...string) []dns.RR {
	var out []dns.RR
	for _, l := range lines {
		rr, err := dns.NewRR(l)
		if err != nil {
			panic(fmt.Sprintf("probelab: bad record %q: %v", l, err)) // a bug in this file, not input
		}
		out = append(out, rr)
	}
	return out
}

// zones are the lab's DNS servers by address.
func zones() map[string]*zone {
	labZone := func(split string) *zone {
		return &zone{origin: Zone, rrs: mustRRs(
			"lab.test. 300 IN SOA ns1.lab.test. admin.lab.test. 1 3600 600 86400 60",
			"lab.test. 300 IN NS ns1.lab.test.",
			"lab.test. 300 IN NS ns2.lab.test.",
			"ns1.lab.test. 300 IN A "+NS1,
			"ns2.lab.test. 300 IN A "+NS2,
			"www.lab.test. 300 IN A "+Server,
			"alias.lab.test. 300 IN CNAME www.lab.test.",
			"split.lab.test. 300 IN A "+split,
			"lab.test. 300 IN MX 10 www.lab.test.",
			"dangling.lab.test. 300 IN CNAME gone.lab.test.",
		)}
	}
	return map[string]*zone{
		RootDNS: {origin: ".", rrs: mustRRs(
			". 300 IN SOA a.root.test. admin.test. 1 3600 600 86400 60",
			"test. 300 IN NS ns.nic.test.",
			"ns.nic.test. 300 IN A "+TLDDNS,
		)},
		TLDDNS: {origin: "test.", rrs: mustRRs(
			"test. 300 IN SOA ns.nic.test. admin.test. 1 3600 600 86400 60",
			"lab.test. 300 IN NS ns1.lab.test.",
			"lab.test. 300 IN NS ns2.lab.test.",
			"ns1.lab.test. 300 IN A "+NS1,
			"ns2.lab.test. 300 IN A "+NS2,
			"lame.test. 300 IN NS ns.lame.test.",
			"ns.lame.test. 300 IN A "+LameDNS,
			"noglue.test. 300 IN NS ns.noglue.test.",
		)},
		NS1:     labZone(Server),
		NS2:     labZone("10.77.3.99"),
		LameDNS: {refuse: true},
	}
}

// ServeDNS answers as an authoritative server: a referral below a zone
// cut, an answer (AA) for names in its zone, NXDOMAIN or NODATA.
func (z *zone) ServeDNS(w dns.ResponseWriter, q *dns.Msg) {
	m := new(dns.Msg)
	m.SetReply(q)
	defer w.WriteMsg(m)
	if z.refuse || len(q.Question) != 1 {
		m.Rcode = dns.RcodeRefused
		return
	}
	name, qtype := dns.CanonicalName(q.Question[0].Name), q.Question[0].Qtype
	if !dns.IsSubDomain(z.origin, name) {
		m.Rcode = dns.RcodeRefused
		return
	}
	// A delegation between the origin and the name: refer down.
	for _, rr := range z.rrs {
		ns, ok := rr.(*dns.NS)
		owner := dns.CanonicalName(rr.Header().Name)
		if !ok || owner == z.origin || !dns.IsSubDomain(owner, name) {
			continue
		}
		m.Ns = append(m.Ns, ns)
		for _, g := range z.rrs {
			if a, ok := g.(*dns.A); ok && strings.EqualFold(a.Hdr.Name, ns.Ns) {
				m.Extra = append(m.Extra, a)
			}
		}
	}
	if len(m.Ns) > 0 {
		return
	}
	m.Authoritative = true
	exists := false
	for _, rr := range z.rrs {
		if dns.CanonicalName(rr.Header().Name) != name {
			continue
		}
		exists = true
		if rr.Header().Rrtype == qtype || (rr.Header().Rrtype == dns.TypeCNAME && qtype != dns.TypeCNAME) {
			m.Answer = append(m.Answer, rr)
			if c, ok := rr.(*dns.CNAME); ok {
				for _, t := range z.rrs {
					if dns.CanonicalName(t.Header().Name) == dns.CanonicalName(c.Target) && t.Header().Rrtype == qtype {
						m.Answer = append(m.Answer, t)
					}
				}
			}
		}
	}
	if len(m.Answer) == 0 {
		if !exists {
			m.Rcode = dns.RcodeNameError
		}
		for _, rr := range z.rrs {
			if _, ok := rr.(*dns.SOA); ok {
				m.Ns = append(m.Ns, rr)
			}
		}
	}
}

// Serve runs the lab's servers in the current namespace until stdin
// closes, printing READY on stdout once all of them listen. The lab's
// helper test calls it when HelperEnv is "servers".
func Serve() {
	dir := os.Getenv("PROBELAB_DIR")
	fail := func(err error) {
		fmt.Fprintf(os.Stderr, "probelab servers: %v\n", err)
		os.Exit(3)
	}
	var wg sync.WaitGroup
	var dnsServers []*dns.Server
	for addr, z := range zones() {
		for _, netw := range []string{"udp", "tcp"} {
			started := make(chan struct{})
			s := &dns.Server{Addr: net.JoinHostPort(addr, "53"), Net: netw, Handler: z,
				NotifyStartedFunc: func() { close(started) }}
			errc := make(chan error, 1)
			wg.Add(1)
			go func() { defer wg.Done(); errc <- s.ListenAndServe() }()
			select {
			case <-started:
			case err := <-errc:
				fail(fmt.Errorf("dns %s/%s: %v", addr, netw, err))
			}
			dnsServers = append(dnsServers, s)
		}
	}
	// The misbehaving DNS servers.
	for addr, h := range map[string]dns.HandlerFunc{LossyDNS: lossy(), WrongID: wrongID, WrongQ: wrongQ, TruncDNS: truncate} {
		started := make(chan struct{})
		s := &dns.Server{Addr: net.JoinHostPort(addr, "53"), Net: "udp", Handler: h, NotifyStartedFunc: func() { close(started) }}
		errc := make(chan error, 1)
		wg.Add(1)
		go func() { defer wg.Done(); errc <- s.ListenAndServe() }()
		select {
		case <-started:
		case err := <-errc:
			fail(fmt.Errorf("dns %s: %v", addr, err))
		}
		dnsServers = append(dnsServers, s)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/old" {
			http.Redirect(w, r, "/", http.StatusMovedPermanently)
			return
		}
		if r.URL.Path == BigPath {
			// Headers first, in a small packet of their own; then the
			// body in full-size segments.
			w.Header().Set("Content-Length", strconv.Itoa(BigSize))
			w.WriteHeader(http.StatusOK)
			w.(http.Flusher).Flush()
			chunk := make([]byte, 32<<10)
			for sent := 0; sent < BigSize; sent += len(chunk) {
				if _, err := w.Write(chunk); err != nil {
					return
				}
			}
			return
		}
		if r.URL.Path != "/" {
			http.NotFound(w, r)
			return
		}
		io.WriteString(w, "hello from the lab\n")
	})
	var servers []*http.Server
	serve := func(port int, cert string, addrs ...string) {
		addr := Server
		if len(addrs) > 0 {
			addr = addrs[0]
		}
		ln, err := net.Listen("tcp4", net.JoinHostPort(addr, strconv.Itoa(port)))
		if err != nil {
			fail(err)
		}
		s := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
		servers = append(servers, s)
		if cert != "" {
			name := strings.TrimSuffix(cert, "+big")
			kp, err := tls.LoadX509KeyPair(filepath.Join(dir, name+".pem"), filepath.Join(dir, name+".key"))
			if err != nil {
				fail(err)
			}
			if name != cert {
				// A chain padded with the CA, so the server's first flight
				// (about 2 kB) needs full-size segments.
				caPEM, err := os.ReadFile(filepath.Join(dir, "ca.pem"))
				if err != nil {
					fail(err)
				}
				b, _ := pem.Decode(caPEM)
				if b == nil {
					fail(fmt.Errorf("no CA in ca.pem"))
				}
				for range 4 {
					kp.Certificate = append(kp.Certificate, b.Bytes)
				}
			}
			ln = tls.NewListener(ln, &tls.Config{Certificates: []tls.Certificate{kp}})
		}
		wg.Add(1)
		go func() { defer wg.Done(); s.Serve(ln) }()
	}
	serve(PortHTTP, "")
	serve(PortHTTPS, "www")
	serve(PortExpired, "expired")
	serve(PortDropped, "")
	serve(PortProhibited, "")
	serve(PortHTTP, "", ReturnHole)
	serve(PortHTTP, "", Asymmetric)
	serve(PortHTTP, "", MTUHost)
	serve(PortHTTPS, "www", MTUHost)
	serve(PortBigTLS, "www+big", MTUHost)
	serve(PortHTTP, "", SlowHost)
	fmt.Println("READY")
	io.Copy(io.Discard, os.Stdin)
	for _, s := range dnsServers {
		s.Shutdown()
	}
	for _, s := range servers {
		s.Close()
	}
	wg.Wait()
	os.Exit(0)
}

func answerA(q *dns.Msg) *dns.Msg {
	m := new(dns.Msg)
	m.SetReply(q)
	m.Authoritative = true
	if len(q.Question) == 1 && q.Question[0].Qtype == dns.TypeA {
		rr, _ := dns.NewRR(q.Question[0].Name + " 300 IN A " + Server)
		m.Answer = append(m.Answer, rr)
	}
	return m
}

// lossy drops 2 of every 5 queries for each question (the first two of
// each five), so that 3 tries always get an answer and 1 often does not.
func lossy() dns.HandlerFunc {
	var mu sync.Mutex
	seen := map[string]int{}
	return func(w dns.ResponseWriter, q *dns.Msg) {
		key := ""
		if len(q.Question) == 1 {
			key = strings.ToLower(q.Question[0].String())
		}
		mu.Lock()
		n := seen[key]
		seen[key]++
		mu.Unlock()
		if n%5 < 2 {
			return
		}
		w.WriteMsg(answerA(q))
	}
}

func wrongID(w dns.ResponseWriter, q *dns.Msg) {
	m := answerA(q)
	m.Id = q.Id + 1
	w.WriteMsg(m)
}

func wrongQ(w dns.ResponseWriter, q *dns.Msg) {
	m := answerA(q)
	if len(m.Question) == 1 {
		m.Question[0].Name = "other.lab.test."
	}
	w.WriteMsg(m)
}

// truncate answers over UDP with one record and TC set; nothing listens
// on TCP, so the retry is refused.
func truncate(w dns.ResponseWriter, q *dns.Msg) {
	m := answerA(q)
	m.Truncated = true
	w.WriteMsg(m)
}
