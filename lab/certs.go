package lab

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"os"
	"path/filepath"
	"time"

	"github.com/pathlab/pathlab/simnet/spec"
)

// CAFile is the lab CA's certificate under a lab's directory: clients that
// trust it (curl --cacert, the lab's probes) trust the lab's servers.
const CAFile = "ca.pem"

// writeCerts issues the world's certificates from a new lab CA. Validity
// dates are the world's, shifted by offset (real time minus the world's
// clock), so that a certificate is as valid now as the world says it is
// at its clock.
func writeCerts(dir string, s *spec.WorldSpec, offset time.Duration) (string, error) {
	certDir := filepath.Join(dir, "certs")
	if err := os.MkdirAll(certDir, 0o700); err != nil {
		return "", err
	}
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return "", err
	}
	now := time.Now()
	caTmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "pathlab lab CA (" + s.Name + ")", Organization: []string{"pathlab"}},
		NotBefore:             now.Add(-20 * 365 * 24 * time.Hour),
		NotAfter:              now.Add(20 * 365 * 24 * time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		return "", err
	}
	ca, _ := x509.ParseCertificate(caDER)
	caPath := filepath.Join(dir, CAFile)
	if err := os.WriteFile(caPath, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER}), 0o644); err != nil {
		return "", err
	}
	for i, c := range s.Certificates {
		nb, err1 := time.Parse(time.RFC3339, c.NotBefore)
		na, err2 := time.Parse(time.RFC3339, c.NotAfter)
		if err1 != nil || err2 != nil {
			continue
		}
		key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			return "", err
		}
		cn := c.Name
		if len(c.Domains) > 0 {
			cn = c.Domains[0]
		}
		tmpl := &x509.Certificate{
			SerialNumber: big.NewInt(int64(i + 2)),
			Subject:      pkix.Name{CommonName: cn},
			DNSNames:     c.Domains,
			NotBefore:    nb.Add(offset),
			NotAfter:     na.Add(offset),
			KeyUsage:     x509.KeyUsageDigitalSignature,
			ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
		if err != nil {
			return "", err
		}
		kb, err := x509.MarshalECPrivateKey(key)
		if err != nil {
			return "", err
		}
		if err := os.WriteFile(filepath.Join(certDir, c.Name+".pem"), pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644); err != nil {
			return "", err
		}
		if err := os.WriteFile(filepath.Join(certDir, c.Name+".key"), pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb}), 0o600); err != nil {
			return "", err
		}
	}
	return caPath, nil
}

// loadCert loads a certificate of the world by name; nil when the world
// has none of that name.
func loadCert(dir, name string) *tls.Certificate {
	if name == "" {
		return nil
	}
	c, err := tls.LoadX509KeyPair(filepath.Join(dir, "certs", name+".pem"), filepath.Join(dir, "certs", name+".key"))
	if err != nil {
		return nil
	}
	return &c
}
