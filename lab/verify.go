package lab

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"os"
	"os/exec"
	"regexp"
	"sort"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/pathlab/pathlab/simnet"
	"github.com/pathlab/pathlab/simnet/spec"
	"github.com/pathlab/pathlab/tracer"
)

// Side is one side's verdict on a flow, as far as the lab can observe it:
// the stage where the request broke and what the client saw there.
type Side struct {
	Verdict   string `json:"verdict"`
	Stage     string `json:"stage,omitempty"`
	Component string `json:"component,omitempty"`
	Code      string `json:"code,omitempty"`
	// Observed is what a client sees: "NXDOMAIN", "timeout", "refused",
	// "HTTP 504", a TLS code.
	Observed string `json:"observed,omitempty"`
	Detail   string `json:"detail,omitempty"`
}

// FlowResult is one flow compared.
type FlowResult struct {
	From   string `json:"from"`
	Target string `json:"target"`
	Sim    Side   `json:"sim"`
	Lab    Side   `json:"lab"`
	Agree  bool   `json:"agree"`
	// partial is the reply a network ACL judges for a partly denied
	// ephemeral range (partial.go), when the simulation flags one.
	partial *tracer.Flow
}

// Result is a lab's verification.
type Result struct {
	Lab   string       `json:"lab"`
	World string       `json:"world"`
	Flows []FlowResult `json:"flows"`
	Agree int          `json:"agree"`
	Total int          `json:"total"`
}

// VerifyOptions tune Verify.
type VerifyOptions struct {
	// Exe is the program re-executed to probe inside a namespace ("lab
	// probe"); empty means this one.
	Exe string
	// Extra flows to compare beyond the world's reachability (a scenario's
	// headline request and checks).
	Extra [][2]string
	// Parallel probes at once; 0 means 16.
	Parallel int
	// Timeout bounds each step of a probe (a query, a connect, a
	// handshake, a request); 0 means 3s. A silent path costs this much.
	Timeout time.Duration
}

// Verify traces every flow of w in the simulation and probes the same flow
// in the lab st (built from w), and compares what a client observes.
func Verify(ctx context.Context, st *State, w *simnet.World, o VerifyOptions) (*Result, error) {
	flows, err := w.Flows(ctx)
	if err != nil {
		return nil, err
	}
	seen := map[[2]string]bool{}
	var all [][2]string
	for _, f := range append(flows, o.Extra...) {
		if !seen[f] {
			seen[f] = true
			all = append(all, f)
		}
	}
	exe := o.Exe
	if exe == "" {
		if exe, err = os.Executable(); err != nil {
			return nil, err
		}
	}
	names := addrNames(w.Spec())
	par := o.Parallel
	if par <= 0 {
		par = 16
	}
	res := &Result{Lab: st.Name, World: w.Name, Flows: make([]FlowResult, len(all))}
	sem := make(chan struct{}, par)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var errs []error
	for i, f := range all {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			fr := FlowResult{From: f[0], Target: f[1]}
			t, err := tracer.ParseTarget(f[1])
			if err != nil {
				mu.Lock()
				errs = append(errs, err)
				mu.Unlock()
				return
			}
			sim, err := w.Trace(ctx, f[0], t)
			if err != nil {
				mu.Lock()
				errs = append(errs, fmt.Errorf("%s → %s: simulation: %w", f[0], f[1], err))
				mu.Unlock()
				return
			}
			fr.Sim = simSide(sim)
			if reply, ok := partialHop(sim); ok && sim.Verdict == tracer.Delivered {
				fr.partial = &reply
				fr.Sim.Observed = "intermittent"
			}
			lab, err := probeIn(ctx, st, exe, f[0], f[1], o.Timeout)
			if err != nil {
				fr.Lab = Side{Verdict: "error", Detail: err.Error()}
			} else {
				fr.Lab = labSide(lab, names)
			}
			fr.Agree = fr.Sim.Verdict == fr.Lab.Verdict && fr.Sim.Stage == fr.Lab.Stage && fr.Sim.Observed == fr.Lab.Observed
			res.Flows[i] = fr
		}()
	}
	wg.Wait()
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	// A flow that disagrees is probed once more, alone: a busy machine can
	// starve a probe past its timeout, and a real disagreement repeats.
	for i := range res.Flows {
		f := &res.Flows[i]
		if f.partial != nil {
			// One probe sees one draw of the ephemeral port: judged
			// over windows of the range, one flow at a time (partial.go).
			f.Lab = judgePartial(ctx, st, exe, w.Spec(), f, *f.partial, o.Timeout)
			f.Agree = f.Sim.Verdict == f.Lab.Verdict && f.Sim.Stage == f.Lab.Stage && f.Sim.Observed == f.Lab.Observed
			continue
		}
		if f.Agree {
			continue
		}
		if lab, err := probeIn(ctx, st, exe, f.From, f.Target, o.Timeout); err == nil {
			f.Lab = labSide(lab, names)
			f.Agree = f.Sim.Verdict == f.Lab.Verdict && f.Sim.Stage == f.Lab.Stage && f.Sim.Observed == f.Lab.Observed
		}
	}
	for _, f := range res.Flows {
		res.Total++
		if f.Agree {
			res.Agree++
		}
	}
	return res, nil
}

// probeIn runs a probe of target inside host's namespace.
func probeIn(ctx context.Context, st *State, exe, host, target string, timeout time.Duration) (*tracer.Report, error) {
	if timeout <= 0 {
		timeout = 3 * time.Second
	}
	cmd := exec.CommandContext(ctx, "ip", "netns", "exec", st.Prefix+host, exe, "lab", "probe", "--ca", st.CA, "--from", host, "--timeout", timeout.String(), target)
	cmd.Env = append(os.Environ(), ServeEnv+"="+st.Dir)
	out, err := cmd.Output()
	if err != nil && len(out) == 0 {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return nil, fmt.Errorf("probe from %s: %v: %s", host, err, strings.TrimSpace(string(ee.Stderr)))
		}
		return nil, err
	}
	var r tracer.Report
	if err := json.Unmarshal(out, &r); err != nil {
		return nil, fmt.Errorf("probe from %s: %v", host, err)
	}
	return &r, nil
}

var statusRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`HTTP/[0-9.]+ ([0-9]{3})`) })

func httpObserved(r *tracer.Report) string {
	if s := r.Stage(tracer.StageHTTP); s != nil {
		if m := statusRE().FindStringSubmatch(s.Summary); m != nil {
			return "HTTP " + m[1]
		}
	}
	return "no HTTP response"
}

// simSide is what a client would observe of a simulated trace.
func simSide(r *tracer.Report) Side {
	s := Side{Verdict: r.Verdict}
	if r.BrokenAt == nil {
		return s
	}
	b := r.BrokenAt
	s.Stage, s.Component, s.Code, s.Detail = b.Stage, b.Component, string(b.Code), b.Detail
	switch b.Stage {
	case tracer.StageDNS:
		switch b.Code {
		case tracer.DNSNXDomain:
			s.Observed = "NXDOMAIN"
		case tracer.DNSNoData:
			s.Observed = "NODATA"
		default:
			// A lame or silent delegation, a loop: the resolver gives up.
			s.Observed = "SERVFAIL"
			if !strings.HasPrefix(string(b.Code), "DNS_") {
				// The network lost the query to the resolver or its
				// answer (an on-premises host's, simnet/resolve_path.go):
				// the client hears nothing.
				s.Observed = "no answer"
			}
		}
	case tracer.StageTCP, tracer.StageUDP, tracer.StageICMP:
		switch b.Code {
		case tracer.PortClosed, tracer.ServiceDown, tracer.BoundToLoopback:
			s.Observed = "refused"
			if b.Stage == tracer.StageUDP {
				// A datagram to a port nothing listens on is answered
				// with ICMP port unreachable (RFC 1122 3.2.2.1).
				s.Observed = "ICMP port unreachable"
			}
		case tracer.HostFirewallReject:
			s.Observed = "ICMP port unreachable"
		default:
			s.Observed = "timeout"
		}
		if st := r.Stage(b.Stage); st != nil && strings.HasSuffix(st.Summary, " timeout") {
			// A refusal lost on its way back: the client only times out.
			s.Observed = "timeout"
		}
	case tracer.StageTLS:
		s.Observed = tlsObserved(b.Code)
	case tracer.StageHTTP:
		s.Observed = httpObserved(r)
	}
	return s
}

// tlsObserved is what a client sees of a failed handshake: no
// certificate at all, or a certificate it rejects. When a certificate is
// wrong in more than one way, clients name one (curl and Go name the
// expiry before the name), so which reason is named is not compared.
func tlsObserved(c tracer.Code) string {
	switch c {
	case tracer.TLSNoCertificate, tracer.TLSHandshakeFailed:
		return "handshake failed"
	}
	return "certificate rejected"
}

// labSide is what the lab's probe observed.
func labSide(r *tracer.Report, names map[netip.Addr]string) Side {
	s := Side{Verdict: r.Verdict}
	if st := r.Stage(tracer.StageUDP); r.BrokenAt == nil && st != nil && len(st.Hops) > 0 && st.Hops[len(st.Hops)-1].Code == tracer.Sent {
		// UDP silence proves nothing on a real network, but the lab's UDP
		// services echo every datagram: silence there is a drop.
		return Side{Verdict: tracer.Broken, Stage: tracer.StageUDP, Observed: "timeout", Detail: "no answer; the lab's UDP services echo every datagram"}
	}
	if r.BrokenAt == nil {
		return s
	}
	b := r.BrokenAt
	s.Stage, s.Component, s.Code, s.Detail = b.Stage, b.Component, string(b.Code), b.Detail
	if a, err := netip.ParseAddr(b.Component); err == nil {
		if n, ok := names[a]; ok {
			s.Component = n
		}
	}
	switch b.Stage {
	case tracer.StageDNS:
		switch b.Code {
		case tracer.DNSNXDomain, tracer.DNSDanglingCNAME:
			// A dangling alias: the client gets the CNAME and NXDOMAIN
			// for its target (RFC 6604), as dig shows.
			s.Observed = "NXDOMAIN"
		case tracer.DNSNoData:
			s.Observed = "NODATA"
		case tracer.DNSServFail:
			s.Observed = "SERVFAIL"
		case tracer.DNSTimeout:
			s.Observed = "no answer"
		default:
			s.Observed = string(b.Code)
		}
	case tracer.StageTCP, tracer.StageUDP, tracer.StageICMP:
		switch b.Code {
		case tracer.PortClosed:
			s.Observed = "refused"
		case tracer.ICMPPortUnreachable:
			s.Observed = "ICMP port unreachable"
		case tracer.TCPTimeout, tracer.TCPFiltered, tracer.HostUnresponsive:
			s.Observed = "timeout"
		default:
			s.Observed = string(b.Code)
		}
	case tracer.StageTLS:
		s.Observed = tlsObserved(b.Code)
	case tracer.StageHTTP:
		s.Observed = httpObserved(r)
	}
	return s
}

// addrNames maps the world's addresses to the names of what holds them.
func addrNames(s *spec.WorldSpec) map[netip.Addr]string {
	return addrOwners(s, true, func(lb, _ string) string { return lb })
}

// addrOwners maps the world's private and public addresses to what holds
// them: clients, servers, the internet's resolvers (when asked), instances,
// NAT gateways, and balancer nodes named by node(balancer, subnet).
func addrOwners(s *spec.WorldSpec, resolvers bool, node func(lb, subnet string) string) map[netip.Addr]string {
	m := map[netip.Addr]string{}
	put := func(ip, name string) {
		if a, err := netip.ParseAddr(ip); err == nil {
			m[a] = name
		}
	}
	for _, c := range s.Internet.Clients {
		put(c.IP, c.Name)
	}
	for _, r := range s.Internet.Resolvers {
		if resolvers {
			put(r.IP, r.Name)
		}
	}
	for _, x := range s.Internet.Servers {
		put(x.IP, x.Name)
	}
	for _, v := range s.VPCs {
		for _, in := range v.Instances {
			put(in.PrivateIP, in.Name)
			for _, a := range in.SecondaryPrivateIPs {
				put(a, in.Name)
			}
			put(in.PublicIP, in.Name)
		}
		for _, lb := range v.LoadBalancers {
			for _, nd := range lb.Nodes {
				put(nd.PrivateIP, node(lb.Name, nd.Subnet))
				put(nd.PublicIP, node(lb.Name, nd.Subnet))
			}
		}
		for _, n := range v.NATGateways {
			put(n.PrivateIP, n.Name)
			put(n.PublicIP, n.Name)
		}
	}
	return m
}

// WriteText prints the agreement table.
func (r *Result) WriteText(w io.Writer) error {
	fmt.Fprintf(w, "lab %s (world %s): %d of %d flows agree\n\n", r.Lab, r.World, r.Agree, r.Total)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "\tFROM\tTARGET\tSIMULATION\tLAB")
	flows := append([]FlowResult(nil), r.Flows...)
	sort.SliceStable(flows, func(i, j int) bool { return !flows[i].Agree && flows[j].Agree })
	for _, f := range flows {
		mark := "ok"
		if !f.Agree {
			mark = "DIFF"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", mark, f.From, f.Target, f.Sim.short(), f.Lab.short())
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, f := range flows {
		if f.Agree {
			continue
		}
		fmt.Fprintf(w, "\n%s → %s\n  simulation: %s\n  lab:        %s\n", f.From, f.Target, f.Sim.long(), f.Lab.long())
	}
	return nil
}

func (s Side) short() string {
	if s.Verdict == tracer.Delivered {
		if s.Observed != "" {
			return "delivered (" + s.Observed + ")"
		}
		return "delivered"
	}
	if s.Verdict == "error" {
		return "error"
	}
	if s.Stage == tracer.StageTLS {
		return fmt.Sprintf("%s: %s", s.Stage, s.Code)
	}
	return fmt.Sprintf("%s: %s", s.Stage, s.Observed)
}

func (s Side) long() string {
	if s.Verdict == tracer.Delivered && s.Detail == "" {
		return s.short()
	}
	out := s.short()
	if s.Component != "" || s.Code != "" {
		out += fmt.Sprintf(" (%s %s)", s.Component, s.Code)
	}
	if s.Detail != "" {
		out += ": " + s.Detail
	}
	return out
}

// WriteJSON prints the result as the contract says.
func (r *Result) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}
