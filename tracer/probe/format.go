package probe

// The probes' output: the text a person reads and the JSON a script
// reads. cmd/pathlab only wires flags to these.

import (
	"fmt"
	"io"
	"net/netip"
	"strings"

	"github.com/miekg/dns"
	"github.com/pathlab/pathlab/tracer"
)

func msText(v float64) string { return fmt.Sprintf("%.3f ms", v) }

// ---- dns

// DNSOut is a reply as `probe dns --json` prints it.
type DNSOut struct {
	Server     string   `json:"server"`
	Rcode      string   `json:"rcode"`
	Code       string   `json:"code,omitempty"` // the pathlab code when the answer is not a plain success
	ID         uint16   `json:"id"`
	Flags      []string `json:"flags"`
	Question   []string `json:"question"`
	Answers    []string `json:"answers"`
	Authority  []string `json:"authority"`
	Additional []string `json:"additional"`
	TimeMs     float64  `json:"time_ms"`
	TCP        bool     `json:"tcp,omitempty"`
	Tries      int      `json:"tries"`
	Ignored    int      `json:"ignored,omitempty"`
	Mismatch   []string `json:"mismatch,omitempty"`
	Truncated  bool     `json:"truncated,omitempty"` // the answer is partial: the TCP retry failed
	TCPError   string   `json:"tcp_error,omitempty"`
	Source     string   `json:"source,omitempty"` // "dns", or "files" (/etc/hosts) for names the system resolves locally
	Error      string   `json:"error,omitempty"`
}

// DNSJSON turns a reply into its JSON shape.
func DNSJSON(rep *DNSReply) DNSOut {
	o := DNSOut{Server: rep.Server.String(), Flags: []string{}, Question: []string{}, Answers: []string{}, Authority: []string{},
		Additional: []string{}, TimeMs: ms(rep.RTT), TCP: rep.TCP, Ignored: rep.Ignored, Tries: rep.Tries,
		Mismatch: rep.Mismatch, Truncated: rep.TCPErr != nil, Source: "dns"}
	if rep.TCPErr != nil {
		o.TCPError = errText(rep.TCPErr)
	}
	if code, _ := rep.Verdict(); code != "" {
		o.Code = string(code)
	}
	m := rep.Msg
	if m == nil {
		o.Rcode = "TIMEOUT"
		if rep.Interrupted {
			o.Rcode = "INTERRUPTED"
		} else if len(rep.Mismatch) > 0 {
			o.Rcode = "MISMATCH"
		}
		if rep.Err != nil {
			o.Error = errText(rep.Err)
		}
		return o
	}
	o.Rcode, o.ID, o.Flags = RcodeName(m.Rcode), m.Id, Flags(m)
	for _, q := range m.Question {
		o.Question = append(o.Question, strings.Join(strings.Fields(strings.TrimPrefix(q.String(), ";")), " "))
	}
	o.Answers, o.Authority = RRStrings(m.Answer), RRStrings(m.Ns)
	for _, rr := range m.Extra {
		if rr.Header().Rrtype != dns.TypeOPT {
			o.Additional = append(o.Additional, RRStrings([]dns.RR{rr})...)
		}
	}
	return o
}

// WriteDNS prints a reply as dig does, and says what went wrong when
// something did (a timeout after every try, replies that did not match,
// a truncated answer whose TCP retry failed).
func WriteDNS(w io.Writer, name string, qtype uint16, rep *DNSReply) {
	fmt.Fprintf(w, "; <<>> pathlab probe dns <<>> @%s %s %s\n", rep.Server.Addr(), name, dns.TypeToString[qtype])
	for _, m := range rep.Mismatch {
		fmt.Fprintf(w, ";; WARNING: %s\n", m)
	}
	if rep.Msg == nil {
		switch {
		case rep.Interrupted:
			fmt.Fprintf(w, ";; interrupted after %d tries: no reply yet\n", rep.Tries)
		case len(rep.Mismatch) > 0:
			fmt.Fprintf(w, ";; no matching reply from %s after %d tries: every reply had the wrong ID or question (%s)\n", rep.Server, rep.Tries, tracer.DNSMismatch)
		default:
			fmt.Fprintf(w, ";; no reply from %s after %d tries: %s\n", rep.Server, rep.Tries, errText(rep.Err))
		}
		return
	}
	fmt.Fprintf(w, ";; Got answer:\n;; ->>HEADER<<- %s", strings.TrimPrefix(rep.Msg.String(), ";; "))
	proto := "UDP"
	if rep.TCP {
		proto = "TCP"
	}
	fmt.Fprintf(w, "\n;; Query time: %.3f msec\n;; SERVER: %s#%d(%s) (%s)\n", ms(rep.RTT), rep.Server.Addr(), rep.Server.Port(), rep.Server.Addr(), proto)
	if rep.Tries > 1 {
		fmt.Fprintf(w, ";; answered on try %d\n", rep.Tries)
	}
	if rep.TCPErr != nil {
		fmt.Fprintf(w, ";; ✗ %s: the answer is truncated (tc) and the retry over TCP failed: %s; the records above are partial\n", tracer.DNSTruncated, errText(rep.TCPErr))
	}
	if code, why := rep.Verdict(); code != "" && code != tracer.DNSTruncated {
		fmt.Fprintf(w, ";; ✗ %s: %s\n", code, why)
	}
}

// WriteDNSTrace prints a trace from the root, level by level.
func WriteDNSTrace(w io.Writer, r *DNSTraceResult) {
	fmt.Fprintf(w, "; <<>> pathlab probe dns +trace <<>> %s %s\n", r.Name, r.Type)
	for _, l := range r.Levels {
		fmt.Fprintf(w, "\n%s\n", l.Zone)
		for _, s := range l.Servers {
			used := ""
			if s.Addr == l.Used {
				used = "  ← used"
			}
			who := s.Addr
			if s.Name != "" {
				who = s.Name + " " + s.Addr
			}
			state := s.Rcode
			if s.Error != "" {
				state = s.Error
			}
			if len(s.Flags) > 0 {
				state += " " + strings.Join(s.Flags, " ")
			}
			what := ""
			switch {
			case s.Referral != "":
				what = "referral to " + s.Referral
			case s.Lame:
				what = "lame"
			case len(s.Answers) > 0:
				what = strings.Join(s.Answers, "; ")
			}
			fmt.Fprintf(w, "  %-28s %-18s %7.3f ms  %s%s\n", who, state, s.RTTms, what, used)
		}
	}
	fmt.Fprintf(w, "\n;; status: %s, %d answers, %.3f ms\n", r.Rcode, len(r.Answers), r.TimeMs)
	for _, a := range r.Answers {
		fmt.Fprintf(w, "%s\n", a)
	}
	for _, i := range r.Issues {
		mark := "!"
		if i.Blocks {
			mark = "✗"
		}
		fmt.Fprintf(w, "%s %s: %s\n", mark, i.Code, i.Detail)
	}
}

// ---- tcp

// WriteTCP prints a port probe's results as a table. Unless all is set,
// closed ports are summarised in one line, as nmap's "Not shown".
func WriteTCP(w io.Writer, res []TCPResult, notes []string, all bool) {
	for _, n := range notes {
		fmt.Fprintf(w, "note: %s\n", n)
	}
	closed := 0
	for _, r := range res {
		if r.State == PortClosed {
			closed++
		}
	}
	hide := !all && closed > 0 && len(res) > 25
	if hide {
		fmt.Fprintf(w, "Not shown: %d closed ports (RST)\n", closed)
	}
	if hide && closed == len(res) {
		fmt.Fprintf(w, "All %d ports probed are closed: the host answers, nothing listens.\n", closed)
		return
	}
	fmt.Fprintf(w, "%-24s %-12s %-8s %10s  %s\n", "TARGET", "STATE", "METHOD", "RTT", "WHY")
	joined := strings.Join(notes, "; ")
	for _, r := range res {
		if hide && r.State == PortClosed {
			continue
		}
		why := ""
		switch {
		case r.ICMP != nil:
			why = fmt.Sprintf("ICMP type %d code %d (%s) from %s", r.ICMP.Type, r.ICMP.Code, tracer.ICMPCode(r.ICMP.Type, r.ICMP.Code), r.ICMP.Sender)
		case r.State == PortOpen:
			why = "SYN-ACK"
		case r.State == PortClosed:
			why = "RST"
		case r.State == PortInterrupted:
			why = "not answered before the interrupt"
		case r.State == PortUnreachable:
			why = "no host answers at the address (ARP failed)"
		default:
			why = "no answer"
		}
		if r.Note != "" && r.Note != joined && r.Note != "interrupted" {
			why += " (" + r.Note + ")"
		}
		rtt := "-"
		if r.Answered {
			rtt = msText(r.RTTms)
		}
		fmt.Fprintf(w, "%-24s %-12s %-8s %10s  %s\n", r.Addr, r.State, r.Method, rtt, why)
	}
}

// ---- trace

// TraceReport is a traceroute as `probe trace --json` prints it.
type TraceReport struct {
	Target      string           `json:"target"`
	Proto       string           `json:"proto"`
	Port        uint16           `json:"port,omitempty"`
	Method      string           `json:"method"`
	Hops        []TraceHopReport `json:"hops"`
	Reached     bool             `json:"reached"`
	Interrupted bool             `json:"interrupted,omitempty"`
	Stopped     TraceStopReport  `json:"stopped"`
	RateLimited []int            `json:"rate_limited,omitempty"`
	Notes       []string         `json:"notes,omitempty"`
	TimeMs      float64          `json:"time_ms"`
}

// TraceHopReport is one TTL.
type TraceHopReport struct {
	TTL     int     `json:"ttl"`
	Address string  `json:"address"`
	RTTms   float64 `json:"rtt_ms"`
	Marker  string  `json:"marker"`
	Probes  int     `json:"probes"`
	Back    int     `json:"back,omitempty"`
}

// TraceStopReport says where and why the trace ended.
type TraceStopReport struct {
	After       int    `json:"after"`
	FirstSilent int    `json:"first_silent,omitempty"`
	Reason      string `json:"reason"`
}

// Report returns the traceroute's JSON shape.
func (tr *TraceResult) Report() TraceReport {
	out := TraceReport{Target: tr.Dst.String(), Proto: tr.Proto, Method: tr.Method.String(), Hops: []TraceHopReport{},
		Reached: tr.Reached, Interrupted: tr.Interrupted, RateLimited: tr.RateLimited,
		Stopped: TraceStopReport{After: tr.StoppedAfter, FirstSilent: tr.FirstSilent, Reason: tr.Reason},
		Notes:   tr.Notes, TimeMs: ms(tr.Elapsed)}
	if tr.Proto != "icmp" {
		out.Port = tr.Port
	}
	for _, h := range tr.Hops {
		ho := TraceHopReport{TTL: h.TTL, Marker: h.Marker, Probes: h.Probes}
		if !h.Silent() {
			ho.Address, ho.RTTms, ho.Back = h.Address.String(), ms(h.RTT), h.Back
		}
		out.Hops = append(out.Hops, ho)
	}
	return out
}

// WriteTraceHeader prints the line a trace starts with, before any probe
// goes (so a person sees it has started).
func WriteTraceHeader(w io.Writer, dst netip.Addr, o TraceOptions) {
	o = o.withDefaults()
	portText := ""
	switch {
	case o.Proto == "tcp" && o.Port == 0:
		portText = " port 80"
	case o.Proto != "icmp" && o.Port != 0:
		portText = fmt.Sprintf(" port %d", o.Port)
	}
	fmt.Fprintf(w, "trace to %s, %d hops max, %s%s, %d TTLs a wave, silent TTLs probed again after %s (up to %d probes)\n",
		dst, o.MaxHops, o.Proto, portText, o.Wave, o.Refill, o.Queries)
}

// WriteTrace prints the hops and the verdict.
func WriteTrace(w io.Writer, tr *TraceResult) {
	for _, n := range tr.Notes {
		fmt.Fprintf(w, "note: %s\n", n)
	}
	for _, h := range tr.Hops {
		if h.Silent() {
			fmt.Fprintf(w, "%2d  *\n", h.TTL)
			continue
		}
		extra := ""
		if h.Back > 0 && h.Back != h.TTL {
			extra = fmt.Sprintf(" back %d", h.Back)
		}
		if h.AfterPause {
			extra += " (after a pause: rate-limited)"
		}
		fmt.Fprintf(w, "%2d  %-16s %10s %s%s\n", h.TTL, h.Address, msText(ms(h.RTT)), h.Marker, extra)
	}
	fmt.Fprintf(w, "stopped after TTL %d: %s (%.0f ms, %s)\n", tr.StoppedAfter, tr.Reason, ms(tr.Elapsed), tr.Method)
}

// ---- mtu

// WriteMTU prints a path MTU probe.
func WriteMTU(w io.Writer, r *MTUResult) {
	fmt.Fprintf(w, "path MTU to %s (DF probes from %d bytes, as tracepath)\n", r.Dst, r.Size)
	for _, s := range r.Steps {
		fmt.Fprintf(w, "  %s\n", s)
	}
	for _, h := range r.Hops {
		addr := "*"
		if h.Address.IsValid() {
			addr = h.Address.String()
		}
		mark := func(b bool) string {
			if b {
				return "yes"
			}
			return "no"
		}
		fmt.Fprintf(w, "%2d  %-16s large %-3s small %s\n", h.TTL, addr, mark(h.Large), mark(h.Small))
	}
	code := ""
	if r.Blackhole {
		code = string(tracer.MTUBlackhole) + ": "
	}
	fmt.Fprintf(w, "%s%s\n", code, r.Reason)
}

// ---- http

// WriteFetch prints a fetch's steps with curl -w style timings.
func WriteFetch(w io.Writer, res *FetchResult, notes []string) {
	for _, n := range notes {
		fmt.Fprintf(w, "note: %s\n", n)
	}
	for _, s := range res.Steps {
		fmt.Fprintf(w, "GET %s", s.URL)
		if s.Addr != "" {
			fmt.Fprintf(w, " → %s", s.Addr)
		}
		t := s.Timings
		fmt.Fprint(w, "\n ")
		if t.DNSms > 0 {
			fmt.Fprintf(w, " dns %s ", msText(t.DNSms))
		}
		if t.Connectms > 0 {
			fmt.Fprintf(w, " connect %s", msText(t.Connectms))
		}
		if t.TLSms > 0 {
			fmt.Fprintf(w, "  tls %s", msText(t.TLSms))
		}
		if t.FirstByteMs > 0 {
			fmt.Fprintf(w, "  first byte %s", msText(t.FirstByteMs))
		}
		fmt.Fprintf(w, "  total %s\n", msText(t.TotalMs))
		if c := s.Certificate; c != nil {
			fmt.Fprintf(w, "  %s, certificate for %s, issuer %s, valid %s to %s\n", s.TLSVersion, strings.Join(c.DNSNames, ", "),
				c.Issuer, c.NotBefore.UTC().Format("2006-01-02"), c.NotAfter.UTC().Format("2006-01-02"))
		}
		if s.Status > 0 {
			fmt.Fprintf(w, "  %s %d %s", s.Proto, s.Status, s.StatusText)
			if s.Location != "" {
				fmt.Fprintf(w, " → %s", s.Location)
			}
			if s.BodyStalled {
				fmt.Fprint(w, " (headers only: the body did not arrive whole)")
			}
			fmt.Fprintln(w)
		}
		if s.Code != "" {
			fmt.Fprintf(w, "  ✗ %s: %s\n", s.Code, s.Detail)
		}
	}
}
