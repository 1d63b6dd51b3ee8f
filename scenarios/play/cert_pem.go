package play

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"strings"
	"sync"

	"github.com/pathlab/pathlab/tracer"
)

// openssl s_client prints the server's certificate as a PEM block. A real
// server's is printed as it was sent; a world's is made here with
// crypto/x509 from what the world says of it (its names, dates and
// issuer), the same bytes every time: a fixed RSA-2048 key (below, made
// for this purpose and used for nothing else) signs it with
// PKCS#1 v1.5 and SHA-256, which draw no randomness, and its serial
// number is a hash of its fields.

// worldCertKeyPEM is the key of every certificate of the simulated
// worlds. It secures nothing: the certificates exist only to be printed.
const worldCertKeyPEM = `
-----BEGIN RSA PRIVATE KEY-----
MIIEowIBAAKCAQEAjgg/GdPWgIQqSdMc25b8zeakidXYTTClTVY5wPXvV4Fi127F
Xx5MFxbhvum37lbtzv92zKpXhlv3OtOzaE8BMQEaml9wSDqC5usBx0J32+4+bwrB
8PU3gBMyrTiUhGY4qFKFlCrwr701i4CWntyHBafC8FOCQXW4wLTgzviYec6Oim/b
PVFqG+A2LM6UixHRf7eOGD1K+yMi4kKLB+QL0i0HLJutjZwBhwJCi2rsyUYENSI2
h7TB0LMgOy3nebfys1MtSZ2eH9nkFNC8a1g+mXTYPhdMNc5KzF9uzrZzEyBo0wTY
tQpabFXnXZzgTts643N38m0V5JK74fmensrMYwIDAQABAoIBACuOMNeZRGrl3NgF
0xAuBbmYtLWGLA5D0DVer1hSswKJLYf2MrWgI2JjRHgY0SxYYRX89m/9/tg3pKHY
IOjobWubNI7JnLOxqcnpoIJ8CiiaL3A7As2DTXFLsds4Aid194L6x3bwEh46bkyo
8selxgxAbYHoggXT9YO3FEe0KYIUlk4mu3uEpthXFujMRJ9BMUmuAgkjSxED4k4m
rnjH7pB/CIARpdomAeaIKJPi7MDcYavQWun2BdiRgOrORArHjDbXC6Y1OUA25Dax
WJzIPZBl5kQ+H60x/yKf7ZbDKKG0O0eMk+JZhNTOoKZfsyCMOynUCx1nj+eowY4G
meTKVnkCgYEAxfUfxDZ3Y6uRfSutn+YwoDkk08rtpDIhPFFOS0oqzPISVAhX0fIB
KKtboCF2kC/T98Ljvw++tQ2smUGdwzZcWkCuBb8jE1l5ocD7eN3DZ3hsGuf8wlsL
YGk8Iji9m5fV9aAYz+bXWQITtZGtAx6xydsl+/O8JYXMg2Mzm6BZOgkCgYEAt61R
I51v+93IxIic+Q61YULPy//cSb/++STd5hX6ug1FizNezk5BeJJbNJ50KmovqIPS
bWBLf4d3CPLPRCokWE0abRSNhAZMoyQNa+EuoIN121NvvKsYDS+HizJR/UHyT28F
cOTn4aYiNC24rVKC7dGL0WjYumwgwKqJ91v2XgsCgYA5Fpv2pg6AO/ZVNsd3mZbk
XhZ0zc0C0UIsdvYxWE5HlHgcq9tHvJcA94oRABWFN4XVqeqsKwpAhJUGDZpFteOk
U4rcNWcUKXWeZF0hWjMEIAJtMAIAuujpAPBKnjpwKLWXhHgjXNs13Bd7AWv3vl5f
bEfkBUJ5P8DfEzjK5M9WoQKBgQCmWd8hrWYNq4k4ji3012BojRUbwkflt3CafsxF
pWRl+r0gXE8h8/gR1iOqXVQCUheFvJXpH4xhHPQu85HKP4yZOIOVhUbB6t6f5ngN
W21aTJWCJWgObLqkvoY5CEL/ZymozXkVDQwB7vANZ9dZimAwOVczOo0HEgT72biI
gg54jwKBgG4gwvhtlicrdYR/D8t/1vCww82D3zJc7jpzItZ+mRqVp0a1FuGnrg4F
/m73WEvjAhiEvDhmEgcqZ7IXlCDB77TMy4T+W3/K8beAgr9ZUUagqOLu5cjJKHnk
4qmajuELs1EtPHjaqIp+yGM0byMd/mEY8zTUryJNAaTlTZuSbzUk
-----END RSA PRIVATE KEY-----
`

var worldCertKey = sync.OnceValue(func() *rsa.PrivateKey {
	b, _ := pem.Decode([]byte(strings.TrimSpace(worldCertKeyPEM)))
	k, err := x509.ParsePKCS1PrivateKey(b.Bytes)
	if err != nil {
		panic("play: the world certificate key does not parse: " + err.Error())
	}
	return k
})

// certPEM is the certificate's PEM block, ending in a newline.
func certPEM(c *tracer.Certificate) string {
	der := c.Raw
	if len(der) == 0 {
		der = worldCertDER(c)
	}
	if len(der) == 0 {
		return ""
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
}

// worldCertDER makes a simulated certificate's DER from its fields.
func worldCertDER(c *tracer.Certificate) []byte {
	h := sha256.New()
	for _, s := range append([]string{c.Name, c.Subject, c.Issuer, c.NotBefore.UTC().String(), c.NotAfter.UTC().String()}, c.DNSNames...) {
		h.Write([]byte(s))
		h.Write([]byte{0})
	}
	serial := new(big.Int).SetBytes(h.Sum(nil)[:16])
	subject, issuer := dnName(c.Subject), dnName(c.Issuer)
	if c.Issuer == "" {
		issuer = subject
	}
	tmpl := &x509.Certificate{
		SerialNumber: serial, Subject: subject, Issuer: issuer, DNSNames: c.DNSNames,
		NotBefore: c.NotBefore, NotAfter: c.NotAfter,
		KeyUsage:           x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
		ExtKeyUsage:        []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		SignatureAlgorithm: x509.SHA256WithRSA,
	}
	parent := &x509.Certificate{Subject: issuer}
	key := worldCertKey()
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, &key.PublicKey, key)
	if err != nil {
		return nil
	}
	return der
}

// dnName reads a distinguished name as Go writes it (RFC 2253: "CN=a,O=b").
func dnName(dn string) pkix.Name {
	var n pkix.Name
	for _, p := range strings.Split(dn, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(p), "=")
		if !ok {
			continue
		}
		switch strings.ToUpper(strings.TrimSpace(k)) {
		case "CN":
			n.CommonName = v
		case "O":
			n.Organization = append(n.Organization, v)
		case "OU":
			n.OrganizationalUnit = append(n.OrganizationalUnit, v)
		case "C":
			n.Country = append(n.Country, v)
		case "L":
			n.Locality = append(n.Locality, v)
		case "ST":
			n.Province = append(n.Province, v)
		}
	}
	return n
}
