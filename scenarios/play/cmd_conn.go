package play

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/pathlab/pathlab/tracer"
)

// telnet and openssl s_client open a connection over the same Network as
// curl and nc, and print what inetutils-telnet and OpenSSL 3 print.

// dialFirst resolves host and dials its addresses in turn until one
// answers; it records the attempt for tcpdump.
func (s *Shell) dialFirst(ctx context.Context, what, host string, port int) (addrs []netip.Addr, conn *tracer.Conn, tried []*tracer.Conn, err error) {
	n, err := s.net()
	if err != nil {
		return nil, nil, nil, err
	}
	t, _ := tracer.ParseTarget("tcp://" + net.JoinHostPort(host, strconv.Itoa(port)))
	last := &lastRequest{what: what, from: s.Host(), target: t, world: s.world}
	s.last = last
	addrs, hops, err := s.lookup(ctx, n, host)
	if err != nil {
		return nil, nil, nil, err
	}
	last.hops = append(last.hops, hops...)
	for _, a := range addrs {
		c, err := n.Dial(ctx, tracer.TCP, netip.AddrPortFrom(a, uint16(port)))
		if err != nil {
			return addrs, nil, tried, err
		}
		last.hops = append(last.hops, c.Hops...)
		last.conn = c
		tried = append(tried, c)
		if c.State == tracer.ConnOpen {
			s.elapsed += c.RTT
			return addrs, c, tried, nil
		}
		if c.State == tracer.ConnTimeout {
			s.elapsed += synTimeout
		} else {
			s.elapsed += c.RTT
		}
	}
	return addrs, nil, tried, nil
}

// connError is the errno text of a failed attempt, as strerror says it.
func connError(c *tracer.Conn) string {
	switch c.State {
	case tracer.ConnTimeout:
		return "Connection timed out"
	case tracer.ConnUnreachable:
		if c.ICMP != nil && c.ICMP.Type == 3 && (c.ICMP.Code == 1 || c.ICMP.Code == 10 || c.ICMP.Code == 13) {
			return "No route to host"
		}
		if c.ICMP != nil && c.ICMP.Type == 3 && c.ICMP.Code == 0 {
			return "Network is unreachable"
		}
		return "No route to host"
	}
	return "Connection refused"
}

func (s *Shell) telnet(ctx context.Context, args []string) error {
	var rest []string
	for _, a := range args {
		if strings.HasPrefix(a, "-") && len(a) > 1 {
			s.printf("telnet: invalid option -- '%c'\nTry 'telnet --help' or 'telnet --usage' for more information.\n", a[1])
			return nil
		}
		rest = append(rest, a)
	}
	if len(rest) == 0 || len(rest) > 2 {
		return badUsage("telnet HOST [PORT]")
	}
	port := 23
	if len(rest) == 2 {
		p, err := strconv.Atoi(rest[1])
		if err != nil || p < 1 || p > 65535 {
			if svc := portOfService(rest[1]); svc > 0 {
				p = svc
			} else {
				s.printf("telnet: could not resolve %s/%s: Servname not supported for ai_socktype\n", rest[0], rest[1])
				return nil
			}
		}
		port = p
	}
	host := rest[0]
	addrs, conn, tried, err := s.dialFirst(ctx, "telnet "+strings.Join(args, " "), host, port)
	if err != nil {
		return err
	}
	if len(addrs) == 0 {
		s.printf("telnet: could not resolve %s/%d: Name or service not known\n", host, port)
		return nil
	}
	var b strings.Builder
	for i := range tried {
		fmt.Fprintf(&b, "Trying %s...\n", addrs[i])
	}
	if conn == nil {
		fmt.Fprintf(&b, "telnet: Unable to connect to remote host: %s\n", connError(tried[len(tried)-1]))
		s.print(b.String())
		return nil
	}
	// A learner at a terminal would type the escape and quit: the
	// transcript shows it.
	fmt.Fprintf(&b, "Connected to %s.\nEscape character is '^]'.\n^]\ntelnet> quit\nConnection closed.\n", host)
	s.print(b.String())
	return nil
}

// portOfService reads a service name as getservbyname would.
func portOfService(name string) int {
	for p, n := range serviceNames {
		if n == name {
			return p
		}
	}
	return 0
}

// opensslOpts are s_client's options.
type opensslOpts struct {
	host       string
	port       int
	serverName string
	noSNI      bool
	showCerts  bool
	brief      bool
}

func parseSClient(args []string) (opensslOpts, string) {
	o := opensslOpts{port: 443}
	for i := 0; i < len(args); i++ {
		a := "-" + strings.TrimLeft(args[i], "-")
		next := func() (string, bool) {
			if i+1 >= len(args) {
				return "", false
			}
			i++
			return args[i], true
		}
		switch a {
		case "-connect":
			v, ok := next()
			if !ok {
				return o, "s_client: Option -connect needs a value\ns_client: Use -help for summary.\n"
			}
			h, p, err := net.SplitHostPort(v)
			if err != nil {
				h, p = v, "443"
			}
			n, err := strconv.Atoi(p)
			if err != nil || n < 1 || n > 65535 {
				return o, fmt.Sprintf("s_client: Invalid port number %q\n", p)
			}
			o.host, o.port = h, n
		case "-servername":
			v, ok := next()
			if !ok {
				return o, "s_client: Option -servername needs a value\ns_client: Use -help for summary.\n"
			}
			o.serverName = v
		case "-noservername":
			o.noSNI = true
		case "-showcerts":
			o.showCerts = true
		case "-brief":
			o.brief = true
		case "-CAfile", "-CApath", "-verify", "-verify_return_error", "-quiet", "-tls1_2", "-tls1_3":
			if a == "-CAfile" || a == "-CApath" || a == "-verify" {
				if _, ok := next(); !ok {
					return o, fmt.Sprintf("s_client: Option %s needs a value\ns_client: Use -help for summary.\n", a)
				}
			}
		default:
			return o, fmt.Sprintf("s_client: Unknown option: %s\ns_client: Use -help for summary.\n", args[i])
		}
	}
	if o.host == "" {
		return o, "s_client: -connect HOST:PORT is needed here (no server on localhost:4433)\n"
	}
	if o.serverName == "" && !o.noSNI {
		if _, err := netip.ParseAddr(o.host); err != nil {
			o.serverName = o.host // s_client sends the -connect host as SNI
		}
	}
	return o, ""
}

// verifyCode is OpenSSL's verify result for a handshake's outcome.
func verifyCode(tr *tracer.TLSResult) (int, string) {
	for _, h := range tr.Hops {
		switch h.Code {
		case tracer.TLSCertExpired:
			return 10, "certificate has expired"
		case tracer.TLSCertNotYetValid:
			return 9, "certificate is not yet valid"
		case tracer.TLSUntrusted:
			if tr.Certificate != nil && tr.Certificate.Issuer == tr.Certificate.Subject {
				return 18, "self-signed certificate"
			}
			return 20, "unable to get local issuer certificate"
		}
	}
	return 0, "ok"
}

// dnText is a distinguished name as OpenSSL 3 prints it: "CN = name".
func dnText(dn string) string {
	if dn == "" {
		return ""
	}
	parts := strings.Split(dn, ",")
	// Go writes a name in RFC 2253's order, last RDN first; OpenSSL in
	// the certificate's.
	slices.Reverse(parts)
	for i, p := range parts {
		k, v, ok := strings.Cut(strings.TrimSpace(p), "=")
		if ok {
			parts[i] = strings.TrimSpace(k) + " = " + strings.TrimSpace(v)
		} else {
			parts[i] = "CN = " + strings.TrimSpace(p)
		}
	}
	return strings.Join(parts, ", ")
}

func opensslTime(t time.Time) string { return t.UTC().Format("Jan _2 15:04:05 2006 GMT") }

func (s *Shell) openssl(ctx context.Context, args []string) error {
	if len(args) == 0 || args[0] != "s_client" {
		if len(args) == 0 {
			return badUsage("openssl s_client -connect HOST:PORT [-servername NAME] [-showcerts] [-brief]")
		}
		s.printf("Invalid command '%s'; type \"help\" for a list.\n", args[0])
		return nil
	}
	o, complaint := parseSClient(args[1:])
	if complaint != "" {
		s.print(complaint)
		return nil
	}
	addrs, conn, tried, err := s.dialFirst(ctx, "openssl "+strings.Join(args, " "), o.host, o.port)
	if err != nil {
		return err
	}
	if len(addrs) == 0 {
		s.printf("BIO_lookup_ex:system lib:getaddrinfo() failure: Name or service not known\nconnect:errno=0\n")
		return nil
	}
	if conn == nil {
		errno := map[string]int{"Connection refused": 111, "Connection timed out": 110, "No route to host": 113, "Network is unreachable": 101}
		why := connError(tried[len(tried)-1])
		s.printf("40E7A1C2B67F0000:error:8000006F:system library:BIO_connect:%s:../crypto/bio/bio_sock2.c:117:calling connect()\n40E7A1C2B67F0000:error:10000067:BIO routines:BIO_connect:connect error:../crypto/bio/bio_sock2.c:119:\nconnect:errno=%d\n", why, errno[why])
		return nil
	}
	n, err := s.net()
	if err != nil {
		return err
	}
	tr, err := n.Handshake(ctx, conn, o.serverName)
	if err != nil {
		return err
	}
	if s.last != nil {
		s.last.hops = append(s.last.hops, tr.Hops...)
	}
	var b strings.Builder
	defer func() { s.print(b.String()) }()
	if tr.Certificate == nil {
		fmt.Fprintf(&b, "CONNECTED(00000003)\n40E7A1C2B67F0000:error:0A00010B:SSL routines:ssl3_get_record:wrong version number:../ssl/record/ssl3_record.c:354:\n---\nno peer certificate available\n---\nNo client certificate CA names sent\n---\nSSL handshake has read 5 bytes and written 314 bytes\nVerification: OK\n---\nNew, (NONE), Cipher is (NONE)\nSecure Renegotiation IS NOT supported\nCompression: NONE\nExpansion: NONE\nNo ALPN negotiated\nEarly data was not sent\nVerify return code: 0 (ok)\n---\n")
		return nil
	}
	cert := tr.Certificate
	code, text := verifyCode(tr)
	subject, issuer := dnText(cert.Subject), dnText(cert.Issuer)
	if code != 0 {
		fmt.Fprintf(&b, "depth=0 %s\nverify error:num=%d:%s\nverify return:1\n", subject, code, text)
	} else if issuer != "" && issuer != subject {
		fmt.Fprintf(&b, "depth=1 %s\nverify return:1\n", issuer)
	}
	fmt.Fprintf(&b, "depth=0 %s\nverify return:1\n", subject)
	version, cipher := orDefault(tr.Version, "TLSv1.3"), orDefault(tr.Cipher, "TLS_AES_128_GCM_SHA256")
	if o.brief {
		fmt.Fprintf(&b, "CONNECTION ESTABLISHED\nProtocol version: %s\nCiphersuite: %s\n", version, cipher)
		if code != 0 {
			fmt.Fprintf(&b, "Verification error: %s\n", text)
		} else {
			b.WriteString("Verification: OK\n")
		}
		fmt.Fprintf(&b, "Peer certificate: %s\nHash used: SHA256\nSignature type: RSA-PSS\nVerification: %s\nServer Temp Key: X25519, 253 bits\nDONE\n", subject, map[bool]string{true: "OK", false: text}[code == 0])
		return nil
	}
	fmt.Fprintf(&b, "CONNECTED(00000003)\n---\nCertificate chain\n 0 s:%s\n   i:%s\n   a:PKEY: rsaEncryption, 2048 (bit); sigalg: RSA-SHA256\n   v:NotBefore: %s; NotAfter: %s\n---\n",
		subject, issuer, opensslTime(cert.NotBefore), opensslTime(cert.NotAfter))
	fmt.Fprintf(&b, "Server certificate\n%ssubject=%s\nissuer=%s\n---\n", certPEM(cert), subject, issuer)
	b.WriteString("No client certificate CA names sent\nPeer signing digest: SHA256\nPeer signature type: RSA-PSS\nServer Temp Key: X25519, 253 bits\n---\n")
	b.WriteString("SSL handshake has read 4263 bytes and written 398 bytes\n")
	if code != 0 {
		fmt.Fprintf(&b, "Verification error: %s\n", text)
	} else {
		b.WriteString("Verification: OK\n")
	}
	fmt.Fprintf(&b, "---\nNew, %s, Cipher is %s\nServer public key is 2048 bit\nSecure Renegotiation IS NOT supported\nCompression: NONE\nExpansion: NONE\nNo ALPN negotiated\nEarly data was not sent\nVerify return code: %d (%s)\n---\nDONE\n", version, cipher, code, text)
	return nil
}
