package play

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

var (
	maskDigits = regexp.MustCompile(`\d+(\.\d+)?`)
	// curl 7.88 (Debian 12) and the curl 8.5 the shell imitates differ in
	// these words only.
	maskCurl = strings.NewReplacer(" (#0)", "", "* Closing connection 0", "* Closing connection")
)

// closedPort returns a loopback port nothing listens on.
func closedPort(t *testing.T) int {
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Skipf("no loopback here: %v", err)
	}
	p := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	return p
}

// selfSigned is an RSA certificate for www.lab.test, signed by itself.
func selfSigned(t *testing.T) tls.Certificate {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "www.lab.test"}, DNSNames: []string{"www.lab.test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}

// TestConnFormatsMatchRealTools runs curl, nc, telnet and openssl
// s_client against loopback servers, really and in a live shell, and
// compares their lines with numbers masked.
func TestConnFormatsMatchRealTools(t *testing.T) {
	web := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		w.Write([]byte("hello\n"))
	}))
	defer web.Close()
	tlsSrv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	tlsSrv.TLS = &tls.Config{Certificates: []tls.Certificate{selfSigned(t)}, MinVersion: tls.VersionTLS13}
	tlsSrv.StartTLS()
	defer tlsSrv.Close()
	webAddr := strings.TrimPrefix(web.URL, "http://")
	webPort := webAddr[strings.LastIndexByte(webAddr, ':')+1:]
	tlsAddr := strings.TrimPrefix(tlsSrv.URL, "https://")
	closed := strconv.Itoa(closedPort(t))
	cases := []struct {
		pkg, tool, args string
		keep            func(string) bool // the lines compared
		sorted          bool              // compare the lines as a set: the order of headers, or of stderr and stdout, differs
	}{
		{"curl", "curl", "-s -o /dev/null -w %{http_code}\\n " + web.URL + "/", nil, false},
		{"curl", "curl", "-sI " + web.URL + "/", func(l string) bool { return !strings.HasPrefix(l, "Date:") && l != "" }, true},
		{"curl", "curl", "-v -s -o /dev/null " + web.URL + "/", func(l string) bool {
			return strings.HasPrefix(l, "*") && !strings.Contains(l, "Closing") || strings.HasPrefix(l, "> GET") || strings.HasPrefix(l, "> Host") || strings.HasPrefix(l, "< HTTP")
		}, false},
		{"curl", "curl", "-sS http://127.0.0.1:" + closed + "/", nil, false},
		{"curl", "curl", "--bogus " + web.URL, nil, false},
		{"netcat-openbsd", "nc", "-zv 127.0.0.1 " + webPort, nil, false},
		{"netcat-openbsd", "nc", "-zv 127.0.0.1 " + closed, nil, false},
		{"telnet", "telnet", "127.0.0.1 " + closed, nil, true},
		{"telnet", "telnet", "127.0.0.1 " + webPort, func(l string) bool {
			return !strings.Contains(l, "Connection closed") && !strings.Contains(l, "telnet>") && l != "^]"
		}, true},
		// The live shell prints the server's own certificate: its PEM
		// block matches the real openssl's byte for byte.
		{"openssl", "openssl", "s_client -connect " + tlsAddr + " -servername www.lab.test", nil, false},
	}
	for _, tc := range cases {
		t.Run(tc.tool+" "+tc.args, func(t *testing.T) {
			args := strings.Fields(tc.args)
			real := realToolStdin(t, tc.pkg, tc.tool, args...)
			sh, out := liveShell(netip.MustParseAddrPort("127.0.0.1:1"))
			line := tc.tool + " " + strings.ReplaceAll(tc.args, "%{http_code}\\n", "'%{http_code}\\n'")
			sh.Exec(context.Background(), line)
			r, o := strings.ReplaceAll(maskCurl.Replace(real), "\r", ""), out.String()
			if tc.tool == "openssl" {
				r = cutAt(r, "Verify return code")
				o = cutAt(o, "Verify return code")
				if pr, po := pemBlock(r), pemBlock(o); pr == "" || pr != po {
					t.Errorf("openssl: the PEM blocks differ\nreal:\n%s\nours:\n%s", pr, po)
				}
			}
			r, o = keepLines(r, tc.keep), keepLines(o, tc.keep)
			r, o = maskDigits.ReplaceAllString(r, "N"), maskDigits.ReplaceAllString(o, "N")
			if tc.sorted {
				r, o = sortedBody(strings.TrimSpace(r), 0), sortedBody(strings.TrimSpace(o), 0)
			}
			if strings.TrimSpace(r) == "" {
				t.Fatalf("%s: the real tool printed nothing to compare", line)
			}
			if d := lineDiff(r, o); d != "" {
				t.Errorf("%s: the shell differs from the real tool at %s\nreal:\n%s\nours:\n%s", line, d, r, o)
			}
		})
	}
}

// realToolStdin runs a tool with an empty stdin; stderr and stdout are
// read as one, stderr first for openssl (whose verify lines go there
// before CONNECTED reaches stdout).
func realToolStdin(t *testing.T, pkg, name string, args ...string) string {
	t.Helper()
	return realTool(t, pkg, name, args...)
}

func cutAt(s, marker string) string {
	if i := strings.Index(s, marker); i >= 0 {
		if j := strings.IndexByte(s[i:], '\n'); j >= 0 {
			return s[:i+j+1]
		}
	}
	return s
}

func keepLines(s string, keep func(string) bool) string {
	if keep == nil {
		return s
	}
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if keep(l) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// TestPathFormatsMatchRealTools runs ping, mtr --report and tracepath to
// 127.0.0.1, really and in a live shell (raw sockets: root). On loopback
// (MTU 65536) tracepath prints no [LOCALHOST] line; the namespaces of
// TestTracepathMatchesRealTool hold the links that do.
func TestPathFormatsMatchRealTools(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("the live shell's ping and traceroutes need raw sockets: root")
	}
	cases := []struct{ pkg, tool, args string }{
		{"iputils-ping", "ping", "-c 1 127.0.0.1"},
		{"mtr-tiny", "mtr", "--report -n -c 1 127.0.0.1"},
		{"iputils-tracepath", "tracepath", "-n 127.0.0.1"},
	}
	for _, tc := range cases {
		t.Run(tc.tool, func(t *testing.T) {
			real := realTool(t, tc.pkg, tc.tool, strings.Fields(tc.args)...)
			sh, out := liveShell(netip.MustParseAddrPort("127.0.0.1:1"))
			sh.Exec(context.Background(), tc.tool+" "+tc.args)
			mask := func(s string) string {
				s = regexp.MustCompile(`HOST: \S+ *`).ReplaceAllString(s, "HOST: H ")
				s = regexp.MustCompile(`Start: \S+`).ReplaceAllString(s, "Start: T")
				return maskDigits.ReplaceAllString(s, "N")
			}
			r, o := mask(real), mask(out.String())
			if d := lineDiff(r, o); d != "" {
				t.Errorf("%s %s: the shell differs from the real tool at %s\nreal:\n%s\nours:\n%s", tc.tool, tc.args, d, real, out.String())
			}
		})
	}
}

// pemBlock is the first PEM certificate block in s.
func pemBlock(s string) string {
	i := strings.Index(s, "-----BEGIN CERTIFICATE-----\n")
	j := strings.Index(s, "-----END CERTIFICATE-----\n")
	if i < 0 || j < i {
		return ""
	}
	return s[i : j+len("-----END CERTIFICATE-----\n")]
}
