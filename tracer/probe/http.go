package probe

import (
	"bufio"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/pathlab/pathlab/tracer"
)

// CheckCertificate judges the chain a server presented for name at now:
// presence, validity period, name, then the chain to roots (nil: the
// system's). It returns "" when the certificate is good, or the code and
// a reason a person can act on.
func CheckCertificate(certs []*x509.Certificate, name string, roots *x509.CertPool, now time.Time) (tracer.Code, string) {
	if len(certs) == 0 {
		return tracer.TLSNoCertificate, "the server presented no certificate"
	}
	leaf := certs[0]
	day := "2006-01-02 15:04 MST"
	if now.After(leaf.NotAfter) {
		return tracer.TLSCertExpired, fmt.Sprintf("certificate for %s expired on %s (now %s)",
			certNames(leaf), leaf.NotAfter.UTC().Format(day), now.UTC().Format(day))
	}
	if now.Before(leaf.NotBefore) {
		return tracer.TLSCertNotYetValid, fmt.Sprintf("certificate for %s is valid only from %s (now %s)",
			certNames(leaf), leaf.NotBefore.UTC().Format(day), now.UTC().Format(day))
	}
	if err := leaf.VerifyHostname(name); err != nil {
		return tracer.TLSNameMismatch, fmt.Sprintf("certificate covers %s, not %s", certNames(leaf), name)
	}
	inter := x509.NewCertPool()
	for _, c := range certs[1:] {
		inter.AddCert(c)
	}
	_, err := leaf.Verify(x509.VerifyOptions{Roots: roots, Intermediates: inter, CurrentTime: now, DNSName: name})
	if err == nil {
		return "", ""
	}
	var inv x509.CertificateInvalidError
	if errors.As(err, &inv) && inv.Reason == x509.Expired {
		return tracer.TLSCertExpired, fmt.Sprintf("a certificate in the chain is outside its validity period: %v", err)
	}
	var ua x509.UnknownAuthorityError
	if errors.As(err, &ua) && len(certs) == 1 && bytesEqual(leaf.RawIssuer, leaf.RawSubject) && leaf.CheckSignature(leaf.SignatureAlgorithm, leaf.RawTBSCertificate, leaf.Signature) == nil {
		return tracer.TLSUntrusted, fmt.Sprintf("certificate for %s is self-signed (issuer and subject are both %q), and it is not a trusted root (give it with --cacert to trust it)",
			certNames(leaf), leaf.Subject.String())
	}
	if errors.As(err, &ua) {
		return tracer.TLSUntrusted, fmt.Sprintf("certificate for %s is signed by %q, which is not a trusted root (give its CA with --cacert)",
			certNames(leaf), leaf.Issuer.String())
	}
	return tracer.TLSUntrusted, fmt.Sprintf("certificate chain does not verify: %v", err)
}

func certNames(c *x509.Certificate) string {
	if len(c.DNSNames) > 0 {
		return strings.Join(c.DNSNames, ", ")
	}
	if len(c.IPAddresses) > 0 {
		ss := make([]string, len(c.IPAddresses))
		for i, a := range c.IPAddresses {
			ss[i] = a.String()
		}
		return strings.Join(ss, ", ")
	}
	return c.Subject.CommonName
}

func certificate(c *x509.Certificate) *tracer.Certificate {
	return &tracer.Certificate{Subject: c.Subject.String(), DNSNames: append([]string{}, c.DNSNames...),
		Issuer: c.Issuer.String(), NotBefore: c.NotBefore, NotAfter: c.NotAfter, Raw: c.Raw}
}

// firstByte records when the first byte of a response arrives.
type firstByte struct {
	r  io.Reader
	at time.Time
}

func (f *firstByte) Read(p []byte) (int, error) {
	n, err := f.r.Read(p)
	if n > 0 && f.at.IsZero() {
		f.at = time.Now()
	}
	return n, err
}

// maxBody bounds how much of a response body is kept; maxTransfer how
// much is read (the rest is counted and dropped), so that a large
// download is followed to its end as curl does.
const (
	maxBody     = 64 << 10
	maxTransfer = 64 << 20
)

// bodyResult is how the body's transfer went.
type bodyResult struct {
	Bytes   int64 // received
	Want    int64 // Content-Length, or -1
	Err     error // the error that ended it early, if any
	Stalled bool  // no byte arrived for the whole timeout
}

// idleConn re-arms the read deadline before each read, so a transfer
// that keeps moving is never cut, and one that stops for timeout is.
type idleConn struct {
	c       net.Conn
	timeout time.Duration
	limit   time.Time // the context's deadline, if any
}

func (i *idleConn) Read(p []byte) (int, error) {
	d := time.Now().Add(i.timeout)
	if !i.limit.IsZero() && i.limit.Before(d) {
		d = i.limit
	}
	i.c.SetReadDeadline(d)
	return i.c.Read(p)
}

// request writes req on c and reads the response head and the body (the
// first maxBody kept). A body that stops arriving for timeout, or ends
// before its Content-Length, is reported in the bodyResult.
func request(ctx context.Context, c net.Conn, req *tracer.HTTPRequest, timeout time.Duration) (*tracer.HTTPResponse, bodyResult, error) {
	var br bodyResult
	limit, _ := ctx.Deadline()
	c.SetWriteDeadline(time.Now().Add(timeout))
	stop := context.AfterFunc(ctx, func() { c.SetDeadline(time.Unix(1, 0)) })
	defer stop()
	method, path := req.Method, req.Path
	if method == "" {
		method = "GET"
	}
	if path == "" {
		path = "/"
	}
	hr, err := http.NewRequest(method, req.Scheme+"://"+req.Host+path, nil)
	if err != nil {
		return nil, br, err
	}
	hr.Host = req.Host
	hr.Header.Set("User-Agent", "pathlab-probe")
	hr.Close = true
	start := time.Now()
	if err := hr.Write(c); err != nil {
		return &tracer.HTTPResponse{}, br, nil
	}
	fb := &firstByte{r: &idleConn{c: c, timeout: timeout, limit: limit}}
	resp, err := http.ReadResponse(bufio.NewReader(fb), hr)
	out := &tracer.HTTPResponse{}
	if !fb.at.IsZero() {
		out.TTFB = fb.at.Sub(start)
	}
	if err != nil {
		if ctx.Err() != nil {
			return nil, br, ctx.Err()
		}
		return out, br, nil
	}
	defer resp.Body.Close()
	var body strings.Builder
	br.Want = resp.ContentLength
	n1, err := io.Copy(&body, io.LimitReader(resp.Body, maxBody))
	br.Bytes = n1
	if err == nil && n1 == maxBody {
		var n2 int64
		n2, err = io.Copy(io.Discard, io.LimitReader(resp.Body, maxTransfer-maxBody))
		br.Bytes += n2
	}
	if err != nil {
		if ctx.Err() != nil {
			return nil, br, ctx.Err()
		}
		br.Err = err
		var ne net.Error
		br.Stalled = errors.As(err, &ne) && ne.Timeout()
	}
	out.Status = resp.StatusCode
	out.StatusText = http.StatusText(resp.StatusCode)
	out.Proto = resp.Proto
	out.Body = body.String()
	for k, vs := range resp.Header {
		for _, v := range vs {
			out.Header = append(out.Header, [2]string{k, v})
		}
	}
	return out, br, nil
}

// bodyHop is the blocking hop for a body that stalled or was cut short;
// ok is false when the body arrived whole.
func bodyHop(host string, br bodyResult, timeout time.Duration) (tracer.Hop, bool) {
	if br.Err == nil {
		return tracer.Hop{}, false
	}
	want := ""
	if br.Want >= 0 {
		want = fmt.Sprintf(" of %d", br.Want)
	}
	d := fmt.Sprintf("the body stopped after %d%s bytes: nothing more arrived for %s", br.Bytes, want, timeout)
	if !br.Stalled {
		d = fmt.Sprintf("the body was cut short after %d%s bytes (%v)", br.Bytes, want, br.Err)
	}
	if br.Stalled && br.Bytes < 4096 {
		d += "; small packets passed (the headers) and full-size ones did not: an MTU black hole is likely"
	}
	return tracer.Hop{Component: host, Kind: tracer.KindHTTPServer, Direction: tracer.Return, Action: tracer.ActStall, Code: tracer.HTTPBodyStalled, Blocks: true, Detail: d}, true
}

// tlsHandshake runs a TLS client handshake over c for serverName and
// judges the certificate with CheckCertificate. The handshake itself
// skips Go's verification so that a bad certificate is reported with its
// reason instead of a bare error.
func tlsHandshake(ctx context.Context, c net.Conn, serverName string, roots *x509.CertPool, now time.Time, timeout time.Duration) (*tls.Conn, tracer.Code, string, error) {
	return tlsHandshakeHello(ctx, c, serverName, roots, now, timeout, false)
}

// tlsHandshakeHello is tlsHandshake with a choice of ClientHello: large
// offers Go's default key shares, post-quantum X25519MLKEM768 first, as
// today's browsers do (about 1.5 kB, more than one segment on a path
// below 1500 bytes).
func tlsHandshakeHello(ctx context.Context, c net.Conn, serverName string, roots *x509.CertPool, now time.Time, timeout time.Duration, large bool) (*tls.Conn, tracer.Code, string, error) {
	// Classic key shares only: with Go's default post-quantum share the
	// ClientHello is about 1.5 kB, larger than one segment on a small-MTU
	// path; curl's is about 517 bytes. These keep it near that.
	cfg := &tls.Config{ServerName: serverName, InsecureSkipVerify: true, NextProtos: []string{"http/1.1"},
		CurvePreferences: []tls.CurveID{tls.X25519, tls.CurveP256, tls.CurveP384}}
	if large {
		cfg.CurvePreferences = []tls.CurveID{tls.X25519MLKEM768, tls.X25519, tls.CurveP256, tls.CurveP384}
	}
	tc := tls.Client(c, cfg)
	hctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	if err := tc.HandshakeContext(hctx); err != nil {
		if ctx.Err() != nil {
			return nil, "", "", ctx.Err()
		}
		return nil, tracer.TLSHandshakeFailed, fmt.Sprintf("TLS handshake with %s failed: %v", serverName, err), nil
	}
	code, why := CheckCertificate(tc.ConnectionState().PeerCertificates, serverName, roots, now)
	return tc, code, why, nil
}

func tlsVersion(v uint16) string {
	switch v {
	case tls.VersionTLS10:
		return "TLSv1.0"
	case tls.VersionTLS11:
		return "TLSv1.1"
	case tls.VersionTLS12:
		return "TLSv1.2"
	case tls.VersionTLS13:
		return "TLSv1.3"
	}
	return fmt.Sprintf("0x%04x", v)
}

func bytesEqual(a, b []byte) bool { return string(a) == string(b) }
