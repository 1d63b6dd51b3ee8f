package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/pathlab/pathlab/tracer"
	"github.com/pathlab/pathlab/tracer/probe"
	"github.com/pathlab/pathlab/tracer/probe/probelab"
)

// diagnoseLab runs diagnose --json in the lab's client namespace.
func diagnoseLab(t *testing.T, l *probelab.Lab, bin string, prefix []string, args ...string) (tracer.Report, string, int) {
	t.Helper()
	full := []string{"diagnose", "--json", "--timeout", "1s"}
	if prefix == nil { // nobody runs only plain TCP targets: no CA needed
		full = append(full, "--cacert", l.CAFile)
	}
	full = append(full, args...)
	out, stderr, code := labRun(t, l, bin, prefix, full...)
	var r tracer.Report
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("diagnose %v: exit %d %v\nstdout: %s\nstderr: %s", args, code, err, out, stderr)
	}
	return r, out, code
}

// TestProbeLabConditions builds each condition of issue 12 in one lab and
// asserts the verdict its evidence supports: no more, no less.
func TestProbeLabConditions(t *testing.T) {
	probelab.Skip(t)
	l := probelab.New(t, "TestProbeHelperProcess")
	self, nobodyBin, nobody := nobodyCopy(t)
	os.Chmod(l.Dir, 0o755)
	os.Chmod(l.CAFile, 0o644)

	t.Run("verdicts", func(t *testing.T) {
		for _, tc := range []struct {
			name      string
			prefix    []string
			target    string
			code      tracer.Code
			component string
			say, not  string
		}{
			// r2 sends no time-exceeded and the host drops the port: the
			// loss is past R1, at the silent TTL 2 or at the host.
			{"silent_router", nil, fmt.Sprintf("%s:%d", probelab.SilentHost, probelab.PortHostDrop), tracer.TCPLost, probelab.SilentHost, "going or coming back", "die"},
			// The SYNs arrive; the replies die on r2: never "SYNs die".
			{"return_blackhole", nil, probelab.ReturnHole + ":80", tracer.TCPLost, probelab.R2, "going or coming back", "die"},
			{"forward_filter", nil, fmt.Sprintf("%s:%d", probelab.Server, probelab.PortDropped), tracer.TCPLost, probelab.R2, "going or coming back", ""},
			// No host owns the address: r2's ARP fails and says so (!H).
			{"host_unreachable", nil, probelab.NoHost + ":80", tracer.ICMPHostUnreachable, probelab.R2, "host unreachable", ""},
			// Unprivileged: the TCP traceroute is made with connect(),
			// so a UDP port unreachable is never read as a TCP reject.
			{"nobody_filtered", nobody, fmt.Sprintf("%s:%d", probelab.Server, probelab.PortDropped), tracer.TCPLost, probelab.R2, "going or coming back", "rejects"},
			{"nobody_prohibited", nobody, fmt.Sprintf("%s:%d", probelab.Server, probelab.PortProhibited), tracer.ICMPAdminProhibited, probelab.R2, "filters", ""},
			{"nobody_return_blackhole", nobody, probelab.ReturnHole + ":80", tracer.TCPLost, probelab.R2, "going or coming back", "rejects"},
			// Large packets vanish past r2: the download stalls after the
			// headers, and DF probes name r2 as the last hop they pass.
			{"mtu_blackhole", nil, "http://" + probelab.MTUHost + probelab.BigPath, tracer.MTUBlackhole, probelab.R2, "black hole", ""},
			{"dangling_cname", nil, "http://dangling.lab.test/", tracer.DNSDanglingCNAME, probelab.NS1 + ":53", "gone.lab.test", ""},
			{"wrong_id", nil, "http://www.lab.test/", tracer.DNSMismatch, probelab.WrongID + ":53", "expected ID", ""},
			{"wrong_question", nil, "http://www.lab.test/", tracer.DNSMismatch, probelab.WrongQ + ":53", "other.lab.test", ""},
			{"truncated_tcp_refused", nil, "http://www.lab.test/", tracer.DNSTruncated, probelab.TruncDNS + ":53", "TCP retry failed", ""},
		} {
			t.Run(tc.name, func(t *testing.T) {
				t.Parallel()
				args := []string{"--server", probelab.NS1, tc.target}
				switch tc.name {
				case "wrong_id":
					args = []string{"--server", probelab.WrongID, "--timeout", "300ms", tc.target}
				case "wrong_question":
					args = []string{"--server", probelab.WrongQ, "--timeout", "300ms", tc.target}
				case "truncated_tcp_refused":
					args = []string{"--server", probelab.TruncDNS, tc.target}
				}
				bin := self
				if tc.prefix != nil {
					bin = nobodyBin
				}
				r, out, code := diagnoseLab(t, l, bin, tc.prefix, args...)
				b := r.BrokenAt
				if code != 1 || b == nil || b.Code != tc.code || b.Component != tc.component || !strings.Contains(b.Detail, tc.say) ||
					(tc.not != "" && strings.Contains(b.Detail, tc.not)) {
					t.Errorf("diagnose %s: exit %d, broken_at %+v; want %s at %s saying %q (and not %q)\n%s", tc.target, code, b, tc.code, tc.component, tc.say, tc.not, out)
				}
			})
		}
	})

	// HTTPS behind the black hole: the verdict must not depend on what
	// the kernel has cached about the path's MTU, so it is asked twice.
	t.Run("mtu_blackhole_https_twice", func(t *testing.T) {
		for i := range 2 {
			r, out, code := diagnoseLab(t, l, self, nil, "--server", probelab.NS1, "--resolve", "www.lab.test:443:"+probelab.MTUHost,
				"https://www.lab.test"+probelab.BigPath)
			if b := r.BrokenAt; code != 1 || b == nil || b.Code != tracer.MTUBlackhole || b.Component != probelab.R2 {
				t.Errorf("run %d: diagnose https behind an MTU black hole: exit %d broken_at %+v; want MTU_BLACKHOLE at %s\n%s", i, code, b, probelab.R2, out)
			}
		}
	})

	// The handshake itself needs full-size segments: it times out, and the
	// timeout is explained as the black hole.
	t.Run("mtu_blackhole_tls_handshake", func(t *testing.T) {
		r, out, code := diagnoseLab(t, l, self, nil, "--server", probelab.NS1, "--resolve", fmt.Sprintf("www.lab.test:%d:%s", probelab.PortBigTLS, probelab.MTUHost),
			fmt.Sprintf("https://www.lab.test:%d/", probelab.PortBigTLS))
		if b := r.BrokenAt; code != 1 || b == nil || b.Stage != "tls" || b.Code != tracer.MTUBlackhole || b.Component != probelab.R2 {
			t.Errorf("diagnose a TLS server whose handshake needs large packets: exit %d broken_at %+v; want tls MTU_BLACKHOLE at %s\n%s", code, b, probelab.R2, out)
		}
	})

	// A browser-sized ClientHello (1.5 kB) does not fit the 1280-byte
	// link and gets no answer; a curl-sized one on a new connection
	// completes: DF probes confirm the black hole after r2. Where the path
	// takes full-size packets, the large hello goes through.
	t.Run("mtu_blackhole_large_hello", func(t *testing.T) {
		r, out, code := diagnoseLab(t, l, self, nil, "--large-hello", "--server", probelab.NS1, "--resolve", "www.lab.test:443:"+probelab.MTUHost,
			"https://www.lab.test/")
		if b := r.BrokenAt; code != 1 || b == nil || b.Stage != "tls" || b.Code != tracer.MTUBlackhole || b.Component != probelab.R2 ||
			!strings.Contains(b.Detail, "curl-sized one on a new connection completed") {
			t.Errorf("diagnose --large-hello behind an MTU black hole: exit %d broken_at %+v; want tls MTU_BLACKHOLE at %s, the small hello's success said\n%s", code, b, probelab.R2, out)
		}
		r, out, code = diagnoseLab(t, l, self, nil, "--server", probelab.NS1, "--resolve", "www.lab.test:443:"+probelab.MTUHost, "https://www.lab.test/")
		if code != 0 || r.Verdict != tracer.Delivered {
			t.Errorf("diagnose with a curl-sized hello behind the same hole: exit %d %s; want delivered (the page is small)\n%s", code, r.Verdict, out)
		}
		r, out, code = diagnoseLab(t, l, self, nil, "--large-hello", "--server", probelab.NS1, "--resolve", "www.lab.test:443:"+probelab.Server, "https://www.lab.test/")
		if code != 0 || r.Verdict != tracer.Delivered {
			t.Errorf("diagnose --large-hello on a 1500-byte path: exit %d %s; want delivered\n%s", code, r.Verdict, out)
		}
	})

	t.Run("top_ports", func(t *testing.T) {
		if _, err := os.Stat(probe.NmapServices); err != nil {
			t.Skipf("nmap's port list is not installed (Debian package nmap-common): %v", err)
		}
		out, _, code := labRun(t, l, self, nil, "probe", "tcp", "--top-ports", "100", probelab.ClosedHost)
		if code != 0 || !strings.Contains(out, "Not shown: 100 closed ports") {
			t.Errorf("probe tcp --top-ports 100 of a closed host (exit %d):\n%s\nwant 100 closed ports summarised", code, out)
		}
	})

	t.Run("asymmetric_return", func(t *testing.T) {
		out, _, code := labRun(t, l, self, nil, "probe", "trace", "--json", "--proto", "icmp", probelab.Asymmetric)
		var tr probe.TraceReport
		if err := json.Unmarshal([]byte(out), &tr); err != nil || code != 0 {
			t.Fatalf("probe trace %s: exit %d %v\n%s", probelab.Asymmetric, code, err, out)
		}
		if len(tr.Hops) != 3 || tr.Hops[2].Back != 6 || !strings.Contains(strings.Join(tr.Notes, " "), "return path may differ") {
			t.Errorf("probe trace %s = %+v; want TTL 3 back 6 and a note on the return path", probelab.Asymmetric, tr)
		}
	})

	// Unprivileged, a TCP traceroute traces with TCP (connect() with
	// IP_TTL) or refuses; it never sends another protocol under a TCP
	// header. An ICMP one, which needs raw sockets, refuses.
	t.Run("nobody_trace_tcp_or_refuse", func(t *testing.T) {
		port := fmt.Sprint(probelab.PortDropped)
		out, stderr, code := labRun(t, l, nobodyBin, nobody, "probe", "trace", "--json", "--proto", "tcp", "--port", port, probelab.Server)
		var tr probe.TraceReport
		if err := json.Unmarshal([]byte(out), &tr); err != nil {
			t.Fatalf("probe trace --proto tcp as nobody: exit %d %v\n%s%s", code, err, out, stderr)
		}
		answered := map[int]string{}
		for _, h := range tr.Hops {
			answered[h.TTL] = h.Address
		}
		if tr.Proto != "tcp" || tr.Method != probe.MethodConnect.String() || tr.Port != probelab.PortDropped || tr.Reached ||
			answered[1] != probelab.R1 || answered[2] != probelab.R2 || answered[3] != "" {
			t.Errorf("probe trace --proto tcp --port %s as nobody = %+v; want tcp by connect(), %s and %s answering, then silence", port, tr, probelab.R1, probelab.R2)
		}
		out, stderr, code = labRun(t, l, nobodyBin, nobody, "probe", "trace", "--proto", "icmp", probelab.Server)
		if code == 0 || !strings.Contains(stderr, "needs raw sockets") || strings.Contains(out, probelab.R1) {
			t.Errorf("probe trace --proto icmp as nobody: exit %d\n%s%s\nwant a refusal that says raw sockets are needed, and no trace", code, out, stderr)
		}
	})

	t.Run("mtu_probe", func(t *testing.T) {
		out, _, code := labRun(t, l, self, nil, "probe", "mtu", "--json", probelab.MTUHost)
		var m probe.MTUResult
		if err := json.Unmarshal([]byte(out), &m); err != nil {
			t.Fatalf("probe mtu: exit %d %v\n%s", code, err, out)
		}
		if code != 1 || !m.Blackhole || m.LastLarge.String() != probelab.R2 || m.LastLargeTTL != 2 {
			t.Errorf("probe mtu %s = %+v (exit %d); want a black hole after %s at TTL 2", probelab.MTUHost, m, code, probelab.R2)
		}
		out, _, code = labRun(t, l, self, nil, "probe", "mtu", "--json", probelab.Server)
		json.Unmarshal([]byte(out), &m)
		if code != 0 || m.PMTU != 1500 || m.Blackhole {
			t.Errorf("probe mtu %s = %+v (exit %d); want path MTU 1500", probelab.Server, m, code)
		}
		// probe http: the stall is a failure with the bytes received.
		out, _, code = labRun(t, l, self, nil, "probe", "http", "--json", "--timeout", "1s", "http://"+probelab.MTUHost+probelab.BigPath)
		var f probe.FetchResult
		json.Unmarshal([]byte(out), &f)
		if code != 1 || f.OK || len(f.Steps) != 1 || !f.Steps[0].BodyStalled || f.Steps[0].Status != 200 {
			t.Errorf("probe http of a body behind an MTU black hole = %s (exit %d); want status 200, body stalled, exit 1", out, code)
		}
	})

	t.Run("slow_link_closed_is_closed", func(t *testing.T) {
		// diagnose, first, while the link is idle: a closed port behind
		// the slow link is refused, never filtered.
		r, out, code := diagnoseLab(t, l, self, nil, "--server", probelab.NS1, probelab.SlowHost+":81")
		if b := r.BrokenAt; code != 1 || b == nil || b.Code != tracer.PortClosed {
			t.Errorf("diagnose a closed port over 1 kbit/s: exit %d broken_at %+v; want PORT_CLOSED\n%s", code, b, out)
		}
		// On the emptied link every SYN and answer waits for its own
		// tokens (0.6 s a SYN): fifteen ports' answers come 0.5-9 s after
		// their SYNs, past the 3 s a port was given alone, even when a
		// slow process start has let the buckets refill a little. Raw
		// SYNs, connect() (root and nobody) must call each port right,
		// however late its answer.
		want := map[uint16]string{80: "open"}
		for p := uint16(81); p <= 94; p++ {
			want[p] = "closed"
		}
		for _, c := range []struct {
			name   string
			prefix []string
			extra  []string
		}{{"raw", nil, nil}, {"connect", nil, []string{"--connect"}}, {"nobody", nobody, nil}} {
			l.EmptySlowLink(t)
			bin := self
			if c.prefix != nil {
				bin = nobodyBin
			}
			args := append(append([]string{"probe", "tcp", "--json"}, c.extra...), probelab.SlowHost+":80-94")
			out, _, _ := labRun(t, l, bin, c.prefix, args...)
			var got []probe.TCPResult
			if err := json.Unmarshal([]byte(out), &got); err != nil {
				t.Fatalf("probe tcp (%s): %v\n%s", c.name, err, out)
			}
			slowest := 0.0
			for _, r := range got {
				slowest = max(slowest, r.RTTms)
				if r.State.String() != want[r.Port] {
					t.Errorf("probe tcp (%s) over the emptied 1 kbit/s link: %d = %s (rtt %.0f ms); want %s", c.name, r.Port, r.State, r.RTTms, want[r.Port])
				}
			}
			t.Logf("probe tcp (%s) over the emptied 1 kbit/s link: slowest answer %.0f ms", c.name, slowest)
			if c.name != "raw" && slowest < 3000 {
				t.Errorf("probe tcp (%s) over the emptied 1 kbit/s link: the slowest answer took %.0f ms, within the 3 s a port was given alone, so the test proves nothing", c.name, slowest)
			}
		}
		// diagnose with a 1 s step, while a 300-byte ping holds the link
		// both ways: the RST comes after 4-5 s. It is the port's answer
		// (PORT_CLOSED), never a loss, as root and as nobody.
		for _, prefix := range [][]string{nil, nobody} {
			l.EmptySlowLink(t)
			l.QueueOnSlowLink(t, 300)
			bin := self
			if prefix != nil {
				bin = nobodyBin
			}
			r, out, code := diagnoseLab(t, l, bin, prefix, probelab.SlowHost+":81")
			if b := r.BrokenAt; code != 1 || b == nil || b.Code != tracer.PortClosed || b.Component != probelab.SlowHost {
				t.Errorf("diagnose --timeout 1s of a closed port behind a busy 1 kbit/s link (nobody %v): exit %d broken_at %+v; want PORT_CLOSED at %s\n%s",
					prefix != nil, code, b, probelab.SlowHost, out)
			}
		}
		// A port the slow host drops: no answer comes, and the traceroutes
		// measure the link as slow against the 1 s step. The verdict says
		// so and blames no router: TCP_TIMEOUT at the host, "no answer
		// within N s on a path measured at M round trip".
		l.EmptySlowLink(t)
		l.QueueOnSlowLink(t, 150)
		r, out, code = diagnoseLab(t, l, self, nil, fmt.Sprintf("%s:%d", probelab.SlowHost, probelab.PortSlowDrop))
		if b := r.BrokenAt; code != 1 || b == nil || b.Code != tracer.TCPTimeout || b.Component != probelab.SlowHost ||
			!strings.Contains(b.Detail, "no answer within") || !strings.Contains(b.Detail, "on a path measured at") {
			t.Errorf("diagnose --timeout 1s of a dropped port behind a busy 1 kbit/s link: exit %d broken_at %+v; want TCP_TIMEOUT at %s, no answer within N s on a path measured at M\n%s",
				code, b, probelab.SlowHost, out)
		}
	})

	t.Run("lossy_dns", func(t *testing.T) {
		fails1 := 0
		for i := range 10 {
			// The first try waits 500 ms (then 1 s, 2 s): long enough for a
			// reply from a loaded machine, so only the drops are losses.
			out, _, code := labRun(t, l, self, nil, "probe", "dns", "--json", "--timeout", "500ms", "--server", probelab.LossyDNS, fmt.Sprintf("n%d.lab.test", i%3))
			var d probe.DNSOut
			json.Unmarshal([]byte(out), &d)
			if code != 0 || d.Rcode != "NOERROR" {
				t.Errorf("probe dns (3 tries) via a server that drops 40%%: exit %d %+v", code, d)
			}
			_, _, code = labRun(t, l, self, nil, "probe", "dns", "--tries", "1", "--timeout", "200ms", "--server", probelab.LossyDNS, "single.lab.test")
			if code != 0 {
				fails1++
			}
		}
		if fails1 == 0 {
			t.Errorf("with --tries 1 no query was lost: the server does not drop, so the test proves nothing")
		}
		r, out, _ := diagnoseLab(t, l, self, nil, "--server", probelab.LossyDNS, "http://www.lab.test/")
		if r.Verdict != tracer.Delivered {
			t.Errorf("diagnose via a lossy DNS server = %s; want delivered\n%s", r.Verdict, out)
		}
	})

	t.Run("dns_mismatch_and_truncation_text", func(t *testing.T) {
		out, _, code := labRun(t, l, self, nil, "probe", "dns", "--tries", "1", "--timeout", "300ms", "--server", probelab.WrongID, "www.lab.test")
		if code != 1 || !strings.Contains(out, "expected ID") || !strings.Contains(out, string(tracer.DNSMismatch)) || strings.Contains(out, "timeout") {
			t.Errorf("probe dns via a wrong-ID server (exit %d):\n%s\nwant exit 1 naming the ID mismatch, not a timeout", code, out)
		}
		out, _, code = labRun(t, l, self, nil, "probe", "dns", "--server", probelab.TruncDNS, "www.lab.test")
		if code != 1 || !strings.Contains(out, string(tracer.DNSTruncated)) || !strings.Contains(out, "tc") || !strings.Contains(out, probelab.Server) {
			t.Errorf("probe dns via a truncating server with TCP refused (exit %d):\n%s\nwant the partial answer, exit 1 and DNS_TRUNCATED", code, out)
		}
	})

	// Rate-limited routers (Linux defaults): 50 back-to-back traces, 0
	// misreports.
	t.Run("rate_limited_back_to_back", func(t *testing.T) {
		l.SetRateLimit(t, true)
		defer l.SetRateLimit(t, false)
		start := time.Now()
		misreports, limited := 0, 0
		for i := range 50 {
			if i%2 == 1 {
				// Another traceroute on the host, as an operator would
				// run: 3 probes per TTL at once drain the routers' buckets
				// faster than a slow (race-built) process start refills
				// them, so the next runs meet empty buckets.
				labTool(t, l, "traceroute", "-n", "-q", "3", "-w", "0.2", "-m", "3", probelab.Server)
			}
			out, _, code := labRun(t, l, self, nil, "probe", "trace", "--json", "--max-hops", "6", probelab.Server)
			var tr probe.TraceReport
			if err := json.Unmarshal([]byte(out), &tr); err != nil {
				t.Fatalf("run %d: %v\n%s", i, err, out)
			}
			var hops []string
			for _, h := range tr.Hops {
				hops = append(hops, h.Address)
			}
			if code != 0 || !tr.Reached || strings.Join(hops, " ") != strings.Join([]string{probelab.R1, probelab.R2, probelab.Server}, " ") {
				misreports++
				t.Errorf("run %d misreported: exit %d %v %s", i, code, hops, tr.Stopped.Reason)
			}
			if len(tr.RateLimited) > 0 {
				limited++
			}
		}
		t.Logf("50 back-to-back traces in %v: %d misreports, %d said rate limiting aloud", time.Since(start), misreports, limited)
		if limited == 0 {
			t.Errorf("no run met a rate limit: the lab's limits are not on, so the test proves nothing")
		}
	})
}

// TestDiagnoseLocalhost: localhost comes from /etc/hosts (or RFC 6761),
// never from a DNS server, and the report says where it came from.
func TestDiagnoseLocalhost(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fmt.Fprintln(w, "ok") }))
	defer srv.Close()
	_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
	var out, errb bytes.Buffer
	// A DNS server that does not exist: asking it would fail.
	code := run([]string{"diagnose", "--json", "--timeout", "1s", "--server", "127.0.0.1:1", "http://localhost:" + port + "/"},
		&env{stdin: strings.NewReader(""), stdout: &out, stderr: &errb, getenv: func(string) string { return "" }})
	var r tracer.Report
	if err := json.Unmarshal(out.Bytes(), &r); err != nil {
		t.Fatalf("diagnose localhost: exit %d %v\n%s%s", code, err, out.String(), errb.String())
	}
	if code != 0 || r.Verdict != tracer.Delivered {
		t.Fatalf("diagnose http://localhost:%s/ = %s (exit %d); want delivered\n%s", port, r.Verdict, code, out.String())
	}
	if d := r.Stages[0].Hops[0].Detail; !strings.Contains(d, "/etc/hosts") && !strings.Contains(d, "RFC 6761") {
		t.Errorf("the DNS stage does not say where localhost came from: %q", d)
	}
}
