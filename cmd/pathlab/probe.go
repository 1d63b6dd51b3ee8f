package main

import (
	"context"
	"crypto/x509"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/netip"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"time"

	"github.com/miekg/dns"
	"github.com/pathlab/pathlab/tracer"
	"github.com/pathlab/pathlab/tracer/probe"
	"github.com/spf13/cobra"
)

func init() { register("probe", newProbeCmd) }

func newProbeCmd(e *env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "probe COMMAND",
		Short: "Probe real hosts: DNS, TCP ports, traceroute, HTTP",
		Long: `Probe sends real packets and reports what they show, in the words of the
simulator's reports.

  probe dns    ask a DNS server, or walk the delegations from the root (--trace)
  probe tcp    half-open SYN probes: open, closed or filtered, and who filters
  probe trace  a traceroute that sends every TTL at once and says where the path stops
  probe http   DNS, connect, TLS and first-byte times; the certificate judged
  probe mtu    the path MTU, with DF probes as tracepath, and MTU black holes

Raw sockets need root or CAP_NET_RAW; without them the probes fall back to
connect() and IP_RECVERR (and UDP with IP_RECVERR) and say so; what cannot
be done without them (an ICMP traceroute) is refused, never replaced. Probes are rate-bounded; Ctrl-C prints
what was learned so far.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return usageErr("probe needs a command: dns, tcp, trace, http or mtu; see 'pathlab probe --help'")
		},
	}
	cmd.AddCommand(newProbeDNSCmd(e), newProbeTCPCmd(e), newProbeTraceCmd(e), newProbeHTTPCmd(e), newProbeMTUCmd(e))
	return cmd
}

// interruptible is the context of a probe: Ctrl-C ends it, and the probe
// then returns what it has.
func interruptible() (context.Context, context.CancelFunc) {
	return signal.NotifyContext(context.Background(), os.Interrupt)
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

func checkTimeout(d time.Duration) error {
	if d <= 0 || d > 5*time.Minute {
		return usageErr("--timeout %s: give a duration from 1ms to 5m, such as 2s", d)
	}
	return nil
}

// ---- dns

func newProbeDNSCmd(e *env) *cobra.Command {
	var server string
	var roots []string
	var trace, asJSON bool
	var timeout time.Duration
	var tries int
	cmd := &cobra.Command{
		Use:   "dns [--server ADDR[:PORT]] [--trace [--root ADDR]...] NAME [TYPE]",
		Short: "Ask a DNS server, or walk the delegations from the root",
		Long: `Without --trace, ask one server (--server, or the first nameserver of
/etc/resolv.conf) with recursion desired and print the reply as dig does.

With --trace, walk from the root servers (or --root) down each delegation,
asking all servers of a level at once and going on with the first good
reply; then name the servers that time out, are lame (REFUSED, or not
authoritative for a zone delegated to them), lack glue, or disagree.

A reply is believed only when it comes from the server asked, with the
query's ID and question; each query uses a random ID and source port. A
reply that fails the check is reported ("ID mismatch", as dig warns). The
query is sent up to --tries times (3, as dig), each wait twice the last. A
truncated answer is asked again over TCP; if that fails, the output says
both: the partial answer, and DNS_TRUNCATED.
TYPE is A (default), AAAA, CNAME, MX, NS, TXT, SOA, ...
Exit status: 0 NOERROR, 1 another rcode or no answer, 2 bad input.`,
		Example: `  pathlab probe dns --server 127.0.0.1:5353 www.example.test
  pathlab probe dns --trace --root 10.77.3.10 www.lab.test A`,
		Args: cobra.RangeArgs(1, 2),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkTimeout(timeout); err != nil {
				return err
			}
			if tries < 1 || tries > 10 {
				return usageErr("--tries %d: give 1 to 10", tries)
			}
			name := args[0]
			if _, ok := dns.IsDomainName(name); !ok || strings.ContainsAny(name, " \t") {
				return usageErr("NAME %q is not a domain name", name)
			}
			qtype := dns.TypeA
			if len(args) == 2 {
				t, ok := dns.StringToType[strings.ToUpper(args[1])]
				if !ok {
					return usageErr("TYPE %q is not a DNS record type; use A, AAAA, CNAME, MX, NS, TXT, SOA, ...", args[1])
				}
				qtype = t
			}
			if !trace && len(roots) > 0 {
				return usageErr("--root is for --trace; to ask one server use --server")
			}
			ctx, stop := interruptible()
			defer stop()
			if trace {
				o := probe.TraceDNSOptions{Timeout: timeout}
				for _, r := range roots {
					ap, err := probe.ParseServer(r)
					if err != nil {
						return usageErr("--root: %v; give an address such as 198.41.0.4 or 10.0.0.1:53", err)
					}
					o.Roots = append(o.Roots, ap)
				}
				res, err := probe.TraceDNS(ctx, name, qtype, o)
				if err != nil && res == nil {
					return &exitError{code: 1, err: err}
				}
				if asJSON {
					if err := writeJSON(e.stdout, res); err != nil {
						return err
					}
				} else {
					probe.WriteDNSTrace(e.stdout, res)
				}
				if res.Rcode != "NOERROR" || blocking(res.Issues) {
					return exitCode(1)
				}
				return nil
			}
			var srv netip.AddrPort
			var err error
			if server != "" {
				if srv, err = probe.ParseServer(server); err != nil {
					return usageErr("--server: %v; give an address such as 127.0.0.1 or 127.0.0.1:5353", err)
				}
			} else if srv, err = probe.ResolvConfServer(); err != nil {
				return usageErr("%v", err)
			}
			q := probe.NewQuery(name, qtype, true)
			rep := probe.ExchangeTries(ctx, srv, q, timeout, tries)
			if asJSON {
				if err := writeJSON(e.stdout, probe.DNSJSON(rep)); err != nil {
					return err
				}
			} else {
				probe.WriteDNS(e.stdout, name, qtype, rep)
			}
			if code, _ := rep.Verdict(); code != "" {
				return exitCode(1)
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&server, "server", "", "DNS server ADDR[:PORT] (default: the first nameserver of /etc/resolv.conf)")
	f.BoolVar(&trace, "trace", false, "walk the delegations from the root, like dig +trace")
	f.StringArrayVar(&roots, "root", nil, "root server ADDR[:PORT] for --trace (repeatable; default: the internet's roots)")
	f.DurationVar(&timeout, "timeout", 2*time.Second, "how long to wait for the first try; each retry waits twice the last")
	f.IntVar(&tries, "tries", probe.DefaultTries, "UDP tries per query, as dig +tries")
	f.BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

func blocking(is []probe.DNSIssue) bool {
	for _, i := range is {
		if i.Blocks {
			return true
		}
	}
	return false
}

// ---- tcp

// parseTCPTargets reads HOST:PORTS arguments; PORTS is a list such as
// 22,80,8000-8010. Names are looked up with the system resolver.
func parseTCPTargets(ctx context.Context, args []string) ([]netip.AddrPort, error) {
	var out []netip.AddrPort
	for _, a := range args {
		host, ports, err := net.SplitHostPort(a)
		if err != nil || host == "" || ports == "" {
			return nil, usageErr("target %q: give HOST:PORT (or HOST:PORT,PORT,LOW-HIGH), such as 127.0.0.1:22,80", a)
		}
		addr, err := netip.ParseAddr(host)
		if err != nil {
			ips, lerr := net.DefaultResolver.LookupNetIP(ctx, "ip", host)
			if lerr != nil || len(ips) == 0 {
				return nil, usageErr("target %q: %q is neither an address nor a name that resolves", a, host)
			}
			addr = ips[0]
		}
		for _, p := range strings.Split(ports, ",") {
			lo, hi, ok := strings.Cut(p, "-")
			l, err1 := strconv.ParseUint(lo, 10, 16)
			h := l
			var err2 error
			if ok {
				h, err2 = strconv.ParseUint(hi, 10, 16)
			}
			if err1 != nil || err2 != nil || l == 0 || h < l {
				return nil, usageErr("target %q: port %q is not a port from 1 to 65535 or a range LOW-HIGH", a, p)
			}
			for x := l; x <= h; x++ {
				out = append(out, netip.AddrPortFrom(addr.Unmap(), uint16(x)))
			}
			if len(out) > 65536 {
				return nil, usageErr("more than 65536 ports in one run; split the probe")
			}
		}
	}
	return out, nil
}

func newProbeTCPCmd(e *env) *cobra.Command {
	var connect, asJSON, all bool
	var timeout time.Duration
	var tries, rate, topPorts int
	cmd := &cobra.Command{
		Use:   "tcp [--connect] HOST:PORT...",
		Short: "Half-open SYN probes: open, closed or filtered, and who filters",
		Long: `Send a SYN to each port on a raw socket and read what answers: SYN-ACK
(open), RST (closed), an ICMP error (filtered; its type, code and sender name
the box that filters) or silence after every try (filtered). The kernel
resets the SYN-ACKs itself, so no connection is made.

Without CAP_NET_RAW, or with --connect, connect() is used instead (IPv6 too),
still naming the sender of an ICMP error, and the output says so.
PORT may be a list: HOST:22,80,8000-8010.`,
		Example: `  pathlab probe tcp 127.0.0.1:22 127.0.0.1:80,443
  pathlab probe tcp --json --connect 10.0.0.5:5432`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkTimeout(timeout); err != nil {
				return err
			}
			if tries < 1 || tries > 10 {
				return usageErr("--tries %d: give 1 to 10", tries)
			}
			if rate < 1 || rate > 10000 {
				return usageErr("--rate %d: give 1 to 10000 probes per second", rate)
			}
			ctx, stop := interruptible()
			defer stop()
			if topPorts < 0 || topPorts > 65535 {
				return usageErr("--top-ports %d: give 1 to 65535", topPorts)
			}
			if topPorts > 0 {
				ports, err := probe.TopPorts(topPorts)
				if err != nil {
					return usageErr("--top-ports: %v", err)
				}
				for i, a := range args {
					host := strings.TrimSuffix(a, ":")
					if h, p, err := net.SplitHostPort(a); err == nil && p == "" {
						host = h
					}
					args[i] = net.JoinHostPort(host, ports)
				}
			}
			targets, err := parseTCPTargets(ctx, args)
			if err != nil {
				return err
			}
			res, notes, err := probe.ScanTCP(ctx, targets, probe.TCPOptions{Connect: connect, Tries: tries, Timeout: timeout, Rate: rate})
			if err != nil {
				return &exitError{code: 1, err: err}
			}
			for i := range res {
				if len(notes) > 0 && res[i].Note == "" {
					res[i].Note = strings.Join(notes, "; ")
				}
			}
			if asJSON {
				return writeJSON(e.stdout, res)
			}
			probe.WriteTCP(e.stdout, res, notes, all)
			return nil
		},
	}
	f := cmd.Flags()
	f.BoolVar(&connect, "connect", false, "use connect() instead of raw SYNs")
	f.DurationVar(&timeout, "timeout", time.Second, "how long to wait for a silent port, per try")
	f.IntVar(&tries, "tries", 2, "SYNs per port before it counts as filtered")
	f.IntVar(&rate, "rate", probe.DefaultRate, "at most this many probes per second")
	f.BoolVar(&asJSON, "json", false, "print JSON: one object per target")
	f.BoolVar(&all, "all", false, "list closed ports too (by default more than 25 are summarised, as nmap's \"Not shown\")")
	f.IntVar(&topPorts, "top-ports", 0, "probe the N most common TCP ports (nmap's list) of each HOST given as HOST or HOST:")
	return cmd
}

// ---- trace

func newProbeTraceCmd(e *env) *cobra.Command {
	var proto string
	var port, maxHops, queries int
	var asJSON, unpriv bool
	var minWait time.Duration
	cmd := &cobra.Command{
		Use:   "trace [--proto icmp|udp|tcp] [--port N] [--max-hops N] HOST",
		Short: "Trace the route, every TTL at once, and say where the path stops",
		Long: `Probe the TTLs in waves (5 at once, one probe each) and match each reply
by the packet its ICMP error quotes (never by arrival order). No wave goes
past a target that has answered; the waves end when 5 TTLs past the last
hop that answers are silent. A silent TTL is probed again after a pause of
1.1 s, once routers' ICMP rate limits have refilled (Linux sends a burst of
6, then one a second), and only then called silent; a hop that answered
only after the pause is named as rate-limited. A silently filtered port
costs about 2 s instead of traceroute's 5-second waits per probe.

Each hop shows its address, round trip (from the kernel's receive time),
ICMP marker (!X prohibited, !H host, !N network unreachable, !F-mtu
fragmentation needed) and "back N" when its reply came back over a
different number of hops; the last line says where the path stops and why.
With --proto tcp the SYNs go to --port (default 80).

Without CAP_NET_RAW, UDP probes go from ordinary sockets and TCP probes are
connect() calls with IP_TTL, their ICMP errors read with IP_RECVERR; the
output says so. An ICMP traceroute without raw sockets is refused.
Exit status: 0 the target answered, 1 it did not, 2 bad input.`,
		Example: `  pathlab probe trace 127.0.0.1
  pathlab probe trace --proto tcp --port 443 10.77.3.2`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			switch proto {
			case "icmp", "udp", "tcp":
			default:
				return usageErr("--proto %q: use icmp, udp or tcp", proto)
			}
			if port < 0 || port > 65535 {
				return usageErr("--port %d: give a port from 1 to 65535", port)
			}
			if maxHops < 1 || maxHops > probe.MaxHopsLimit {
				return usageErr("--max-hops %d: give 1 to %d", maxHops, probe.MaxHopsLimit)
			}
			if queries < 1 || queries > probe.QueriesLimit {
				return usageErr("--queries %d: give 1 to %d", queries, probe.QueriesLimit)
			}
			if minWait < 0 || minWait > time.Minute {
				return usageErr("--min-wait %s: give 0 to 1m", minWait)
			}
			ctx, stop := interruptible()
			defer stop()
			addr, err := hostAddr4(ctx, args[0])
			if err != nil {
				return err
			}
			o := probe.TraceOptions{Proto: proto, Port: uint16(port), MaxHops: maxHops, Queries: queries, Unprivileged: unpriv, MinWait: minWait}
			if !asJSON {
				// The header goes first, so a person (or a test) sees the
				// probe has started before Ctrl-C.
				probe.WriteTraceHeader(e.stdout, addr, o)
			}
			tr, err := probe.Trace(ctx, addr, o)
			if err != nil {
				return &exitError{code: 1, err: err}
			}
			if asJSON {
				if err := writeJSON(e.stdout, tr.Report()); err != nil {
					return err
				}
			} else {
				probe.WriteTrace(e.stdout, tr)
			}
			if !tr.Reached {
				return exitCode(1)
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&proto, "proto", "udp", "probe protocol: icmp, udp or tcp")
	f.IntVar(&port, "port", 0, "tcp: destination port (default 80); udp: first destination port (default 33434)")
	f.IntVar(&maxHops, "max-hops", 30, "largest TTL to probe")
	f.IntVar(&queries, "queries", 2, "most probes per TTL: one in the first wave, more after pauses while it stays silent")
	f.DurationVar(&minWait, "min-wait", 0, "least wait for silent hops after the last reply (default 200ms)")
	f.BoolVar(&unpriv, "unprivileged", false, "probe as a user without CAP_NET_RAW would (UDP, or TCP connect(), with IP_TTL and IP_RECVERR)")
	f.BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

// ---- http

// liveFlags are the flags of the commands that walk a request over the
// live network (probe http, diagnose).
type liveFlags struct {
	server   string
	resolves []string
	cacert   string
	timeout  time.Duration
	large    bool
}

func (l *liveFlags) add(cmd *cobra.Command) {
	f := cmd.Flags()
	f.StringVar(&l.server, "server", "", "DNS server ADDR[:PORT] (default: the first nameserver of /etc/resolv.conf)")
	f.StringArrayVar(&l.resolves, "resolve", nil, "HOST:PORT:ADDR: use ADDR for HOST instead of asking DNS, as curl --resolve (repeatable)")
	f.StringVar(&l.cacert, "cacert", "", "PEM file of CA certificates to trust instead of the system's")
	f.DurationVar(&l.timeout, "timeout", 3*time.Second, "bound on each step (query, connect, handshake, request)")
	f.BoolVar(&l.large, "large-hello", false, "send a browser's TLS ClientHello (about 1.5 kB, with a post-quantum key share) instead of a curl-sized one; when it gets no answer and a small one does, look for an MTU black hole")
}

func (l *liveFlags) network() (*probe.Network, error) {
	if err := checkTimeout(l.timeout); err != nil {
		return nil, err
	}
	n := &probe.Network{Timeout: l.timeout, Explain: true, LargeHello: l.large}
	if l.server != "" {
		if _, err := probe.ParseServer(l.server); err != nil {
			return nil, usageErr("--server: %v; give an address such as 127.0.0.1 or 127.0.0.1:5353", err)
		}
		n.Server = l.server
	}
	for _, r := range l.resolves {
		parts := strings.Split(r, ":")
		if len(parts) < 3 {
			return nil, usageErr("--resolve %q: give HOST:PORT:ADDR, such as www.example.com:443:127.0.0.1", r)
		}
		host, port, addrText := parts[0], parts[1], strings.Trim(strings.Join(parts[2:], ":"), "[]")
		addr, err := netip.ParseAddr(addrText)
		if p, perr := strconv.ParseUint(port, 10, 16); host == "" || perr != nil || p == 0 || err != nil {
			return nil, usageErr("--resolve %q: give HOST:PORT:ADDR with a port from 1 to 65535 and an IP address", r)
		}
		if n.Overrides == nil {
			n.Overrides = map[string]netip.Addr{}
		}
		n.Overrides[strings.ToLower(host)] = addr
	}
	if l.cacert != "" {
		pem, err := readCACert(l.cacert)
		if err != nil {
			return nil, err
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, usageErr("--cacert %s: no PEM certificates in it", l.cacert)
		}
		n.RootCAs = pool
	}
	return n, nil
}

func newProbeHTTPCmd(e *env) *cobra.Command {
	var lf liveFlags
	var asJSON bool
	var redirects int
	cmd := &cobra.Command{
		Use:   "http [--resolve HOST:PORT:ADDR] [--cacert FILE] URL",
		Short: "Fetch a URL: DNS, connect, TLS and first-byte times; the certificate judged",
		Long: `Fetch URL and time each step as curl -w does (cumulative: DNS lookup,
connect, TLS handshake, first byte, total). The certificate is checked for
the name, its validity period and its chain, with the reason when it fails.
Redirects are followed (up to --max-redirects), each with its own timings.
Exit status: 0 a final status below 400, 1 anything else, 2 bad input.`,
		Example: `  pathlab probe http https://www.example.com/
  pathlab probe http --resolve www.lab.test:443:127.0.0.1 --cacert ca.pem https://www.lab.test/`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			n, err := lf.network()
			if err != nil {
				return err
			}
			n.Explain = false
			if redirects < 0 || redirects > 50 {
				return usageErr("--max-redirects %d: give 0 to 50", redirects)
			}
			t, err := tracer.ParseTarget(args[0])
			if err != nil || (t.Scheme != "http" && t.Scheme != "https") {
				return usageErr("URL %q: give an http:// or https:// URL", args[0])
			}
			ctx, stop := interruptible()
			defer stop()
			defer n.Close()
			res, err := probe.Fetch(ctx, n, args[0], redirects)
			if err != nil && !errors.Is(err, context.Canceled) {
				return &exitError{code: 1, err: err}
			}
			if asJSON {
				if err := writeJSON(e.stdout, res); err != nil {
					return err
				}
			} else {
				probe.WriteFetch(e.stdout, res, n.Notes())
			}
			if !res.OK {
				return exitCode(1)
			}
			return nil
		},
	}
	lf.add(cmd)
	cmd.Flags().IntVar(&redirects, "max-redirects", 10, "redirects to follow")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

// ---- mtu

func newProbeMTUCmd(e *env) *cobra.Command {
	var asJSON bool
	var maxHops int
	cmd := &cobra.Command{
		Use:   "mtu [--max-hops N] HOST",
		Short: "Find the path MTU with DF probes, as tracepath, and name an MTU black hole",
		Long: `Send UDP probes with DF set (IP_PMTUDISC_PROBE, so the kernel's cached path
MTU does not matter) and IP_RECVERR, a large and a small one for each TTL at
once. "Fragmentation needed" lowers the size for the next round, as
tracepath does. When small probes reach HOST and large ones vanish past a
hop with no "fragmentation needed" coming back, that is an MTU black hole:
the output names the last hop large packets reach (MTU_BLACKHOLE). Needs no
privileges. Exit status: 0 the path MTU is known, 1 a black hole or no
answer, 2 bad input.`,
		Example: `  pathlab probe mtu 10.77.3.2`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if maxHops < 1 || maxHops > probe.MaxHopsLimit {
				return usageErr("--max-hops %d: give 1 to %d", maxHops, probe.MaxHopsLimit)
			}
			ctx, stop := interruptible()
			defer stop()
			addr, err := hostAddr4(ctx, args[0])
			if err != nil {
				return err
			}
			if !addr.Unmap().Is4() {
				return usageErr("HOST %s: the MTU probe is IPv4 only", addr)
			}
			r, err := probe.PathMTU(ctx, addr, probe.MTUOptions{MaxHops: maxHops})
			if err != nil {
				return &exitError{code: 1, err: err}
			}
			if asJSON {
				if err := writeJSON(e.stdout, r); err != nil {
					return err
				}
			} else {
				probe.WriteMTU(e.stdout, r)
			}
			if !r.Reached {
				return exitCode(1)
			}
			return nil
		},
	}
	cmd.Flags().IntVar(&maxHops, "max-hops", 16, "largest TTL to probe")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

// maxCACert bounds what --cacert reads: a bundle of every public root is
// about 200 KB, so 1 MiB is plenty, and /dev/zero is refused.
const maxCACert = 1 << 20

func readCACert(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, usageErr("--cacert: %v", err)
	}
	defer f.Close()
	pem, err := io.ReadAll(io.LimitReader(f, maxCACert+1))
	if err != nil {
		return nil, usageErr("--cacert %s: %v", path, err)
	}
	if len(pem) > maxCACert {
		return nil, usageErr("--cacert %s: the file is larger than %d KiB; give a PEM file of CA certificates", path, maxCACert>>10)
	}
	return pem, nil
}

// hostAddr4 is the HOST argument of trace and mtu as an address: itself,
// or the first IPv4 address its name resolves to.
func hostAddr4(ctx context.Context, host string) (netip.Addr, error) {
	if a, err := netip.ParseAddr(host); err == nil {
		return a, nil
	}
	ips, err := net.DefaultResolver.LookupNetIP(ctx, "ip4", host)
	if err != nil || len(ips) == 0 {
		return netip.Addr{}, usageErr("HOST %q is neither an address nor a name that resolves", host)
	}
	return ips[0], nil
}
