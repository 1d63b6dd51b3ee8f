package probe

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/pathlab/pathlab/tracer"
)

func TestCheckCertificate(t *testing.T) {
	now := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	caKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	caT := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "test CA"}, IsCA: true,
		BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign, NotBefore: now.AddDate(-1, 0, 0), NotAfter: now.AddDate(1, 0, 0)}
	caDER, _ := x509.CreateCertificate(rand.Reader, caT, caT, &caKey.PublicKey, caKey)
	ca, _ := x509.ParseCertificate(caDER)
	roots := x509.NewCertPool()
	roots.AddCert(ca)
	leaf := func(name string, nb, na time.Time, signer *x509.Certificate, key *ecdsa.PrivateKey) *x509.Certificate {
		k, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		tmpl := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: name}, DNSNames: []string{name},
			NotBefore: nb, NotAfter: na, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
		if signer == nil {
			signer, key = tmpl, k
		}
		der, _ := x509.CreateCertificate(rand.Reader, tmpl, signer, &k.PublicKey, key)
		c, _ := x509.ParseCertificate(der)
		return c
	}
	good := leaf("www.lab.test", now.AddDate(0, -1, 0), now.AddDate(0, 1, 0), ca, caKey)
	for _, tc := range []struct {
		name  string
		certs []*x509.Certificate
		host  string
		want  tracer.Code
	}{
		{"good", []*x509.Certificate{good}, "www.lab.test", ""},
		{"none", nil, "www.lab.test", tracer.TLSNoCertificate},
		{"expired", []*x509.Certificate{leaf("www.lab.test", now.AddDate(0, -2, 0), now.AddDate(0, 0, -1), ca, caKey)}, "www.lab.test", tracer.TLSCertExpired},
		{"not yet valid", []*x509.Certificate{leaf("www.lab.test", now.AddDate(0, 0, 1), now.AddDate(0, 2, 0), ca, caKey)}, "www.lab.test", tracer.TLSCertNotYetValid},
		{"other name", []*x509.Certificate{good}, "shop.lab.test", tracer.TLSNameMismatch},
		{"self-signed", []*x509.Certificate{leaf("www.lab.test", now.AddDate(0, -1, 0), now.AddDate(0, 1, 0), nil, nil)}, "www.lab.test", tracer.TLSUntrusted},
	} {
		code, why := CheckCertificate(tc.certs, tc.host, roots, now)
		if code != tc.want || (code != "" && why == "") {
			t.Errorf("%s: CheckCertificate = %s %q; want %s with a reason", tc.name, code, why, tc.want)
		}
		if selfSigned := strings.Contains(why, "self-signed"); selfSigned != (tc.name == "self-signed") {
			t.Errorf("%s: CheckCertificate reason %q; want it to say self-signed only for a self-signed certificate", tc.name, why)
		}
	}
}
