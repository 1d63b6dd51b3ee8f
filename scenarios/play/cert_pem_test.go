package play

import (
	"bytes"
	"crypto/x509"
	"encoding/pem"
	"os/exec"
	"strings"
	"testing"
)

// TestWorldCertificatePEM: openssl s_client in a world prints a real PEM
// certificate, made from the world's certificate (names, dates, issuer),
// the same bytes in every session; the real openssl reads from it the
// subject, issuer and dates the shell printed.
func TestWorldCertificatePEM(t *testing.T) {
	st, err := libraryScenario(t, "shop-app-loopback").Build()
	if err != nil {
		t.Fatal(err)
	}
	cmd := "openssl s_client -connect shop.example.com:443 -servername shop.example.com"
	var blocks []string
	var text string
	for range 2 {
		_, tr := session(t, st, []string{cmd}, Options{})
		text = commandText(tr, "[browser]$ "+cmd)
		blocks = append(blocks, pemBlock(text))
	}
	if blocks[0] == "" || blocks[0] != blocks[1] {
		t.Fatalf("the PEM block is missing or differs between sessions:\n%s\n---\n%s", blocks[0], blocks[1])
	}
	b, _ := pem.Decode([]byte(blocks[0]))
	if b == nil {
		t.Fatalf("no PEM block in:\n%s", text)
	}
	c, err := x509.ParseCertificate(b.Bytes)
	if err != nil {
		t.Fatalf("the certificate does not parse: %v", err)
	}
	var domains []string
	for _, ct := range st.Broken.Certificates {
		if ct.Name == "shop-cert" {
			domains = ct.Domains
		}
	}
	if len(domains) == 0 || strings.Join(c.DNSNames, " ") != strings.Join(domains, " ") {
		t.Errorf("the certificate names %v; the world's shop-cert %v", c.DNSNames, domains)
	}
	if c.Subject.CommonName != c.DNSNames[0] || c.Issuer.CommonName != "pathlab simulated CA" {
		t.Errorf("subject %q, issuer %q", c.Subject, c.Issuer)
	}
	if !strings.Contains(text, "v:NotBefore: "+opensslTime(c.NotBefore)+"; NotAfter: "+opensslTime(c.NotAfter)+"\n") {
		t.Errorf("the chain's dates are not the certificate's (%s, %s):\n%s", c.NotBefore, c.NotAfter, text)
	}
	if _, err := exec.LookPath("openssl"); err != nil {
		t.Skip("openssl is not installed (Debian package openssl)")
	}
	x := exec.Command("openssl", "x509", "-noout", "-subject", "-issuer")
	x.Stdin = bytes.NewReader([]byte(blocks[0]))
	out, err := x.CombinedOutput()
	if err != nil {
		t.Fatalf("openssl x509: %v\n%s", err, out)
	}
	for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		if !strings.Contains(text, "\n"+l+"\n") {
			t.Errorf("openssl x509 reads %q from the PEM; s_client's output lacks it:\n%s", l, text)
		}
	}
}
