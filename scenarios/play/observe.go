package play

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/miekg/dns"
	"github.com/pathlab/pathlab/tracer"
)

// Simulated times of what the real tools wait for.
const (
	// synTimeout is how long Linux tries a connection before giving up
	// (tcp_syn_retries = 6: 1+2+4+8+16+32+64 s).
	synTimeout = 127 * time.Second
	// albTargetTimeout is how long an application load balancer waits
	// for a target's connection before answering 504.
	albTargetTimeout = 10 * time.Second
)

// net is the network from the current host: the simulated one, capturing
// packets for tcpdump, or the real one in a live shell. The observation
// commands are written over tracer.Network only, so they print the same
// in both.
func (s *Shell) net() (tracer.Network, error) {
	if s.live != nil {
		return pingNet{s.live.Net}, nil
	}
	n, err := s.world.From(s.Host())
	if err != nil {
		return nil, err
	}
	n.Capture = true
	n.Cache, n.Now = s.cache, s.now()
	return n, nil
}

func (s *Shell) print(text string) { fmt.Fprint(s.out, text) }

func (s *Shell) printf(format string, args ...any) { fmt.Fprintf(s.out, format, args...) }

// lookup resolves a host as a client library would: an address as is,
// localhost from /etc/hosts, a name through the resolver.
func (s *Shell) lookup(ctx context.Context, n tracer.Network, host string) ([]netip.Addr, []tracer.Hop, error) {
	if a, err := netip.ParseAddr(host); err == nil {
		return []netip.Addr{a}, nil, nil
	}
	if host == "localhost" || host == s.Host() {
		if host == "localhost" {
			return []netip.Addr{netip.MustParseAddr("127.0.0.1")}, nil, nil
		}
		if self, ok := n.(interface{ Addr() netip.Addr }); ok {
			return []netip.Addr{self.Addr()}, nil, nil
		}
	}
	if _, ok := dns.IsDomainName(host); !ok {
		return nil, nil, nil
	}
	ans, err := n.Resolve(ctx, host, dns.TypeA)
	if err != nil {
		return nil, nil, err
	}
	s.elapsed += ans.RTT + dnsWait(ans.Hops)
	return ans.Addrs, ans.Hops, nil
}

// ---- curl

type curlOpts struct {
	verbose, insecure, head bool
	follow                  bool
	silent, showError       bool
	include                 bool
	maxTime                 time.Duration
	connectTimeout          time.Duration
	output                  string      // -o FILE
	writeOut                string      // -w FORMAT
	headers                 [][2]string // -H
	method                  string      // -X
	resolve                 map[string]netip.Addr
	url                     string
	maxRedirs               int // --max-redirs: 50 unless set; -1 for no limit
}

// curlComplaint is curl's own message for a bad option, printed as curl
// prints it.
type curlComplaint string

func (c curlComplaint) Error() string { return string(c) }

func curlUnknown(opt string) error {
	return curlComplaint(fmt.Sprintf("curl: option %s: is unknown\ncurl: try 'curl --help' or 'curl --manual' for more information", opt))
}

func parseCurl(args []string) (curlOpts, error) {
	o := curlOpts{maxRedirs: curlMaxRedirs}
	// Short flags combine, as curl's do: -sSL, -vk, -sI.
	var expanded []string
	for _, a := range args {
		if len(a) > 2 && a[0] == '-' && a[1] != '-' && strings.Trim(a[1:], "vksSLIi4") == "" {
			for _, c := range a[1:] {
				expanded = append(expanded, "-"+string(c))
			}
			continue
		}
		expanded = append(expanded, a)
	}
	args = expanded
	for i := 0; i < len(args); i++ {
		a := args[i]
		value := func() (string, error) {
			if i+1 >= len(args) {
				return "", curlComplaint(fmt.Sprintf("curl: option %s: requires parameter\ncurl: try 'curl --help' or 'curl --manual' for more information", a))
			}
			i++
			return args[i], nil
		}
		seconds := func() (time.Duration, error) {
			v, err := value()
			if err != nil {
				return 0, err
			}
			f, err := strconv.ParseFloat(v, 64)
			if err != nil || f <= 0 {
				return 0, curlComplaint(fmt.Sprintf("curl: option %s: expected a proper numerical parameter\ncurl: try 'curl --help' or 'curl --manual' for more information", a))
			}
			return time.Duration(f * float64(time.Second)), nil
		}
		var err error
		switch a {
		case "-v", "--verbose":
			o.verbose = true
		case "-k", "--insecure":
			o.insecure = true
		case "-L", "--location":
			o.follow = true
		case "-s", "--silent":
			o.silent = true
		case "-S", "--show-error":
			o.showError = true
		case "-I", "--head":
			o.head = true
		case "-i", "--include":
			o.include = true
		case "-4", "--ipv4":
		case "-m", "--max-time":
			o.maxTime, err = seconds()
		case "--connect-timeout":
			o.connectTimeout, err = seconds()
		case "--max-redirs":
			var v string
			if v, err = value(); err == nil {
				n, cerr := strconv.Atoi(v)
				if cerr != nil || n < -1 {
					return o, curlComplaint(fmt.Sprintf("curl: option %s: expected a proper numerical parameter\ncurl: try 'curl --help' or 'curl --manual' for more information", a))
				}
				o.maxRedirs = n
			}
		case "-o", "--output":
			o.output, err = value()
		case "-w", "--write-out":
			o.writeOut, err = value()
		case "-X", "--request":
			o.method, err = value()
		case "-H", "--header":
			var h string
			if h, err = value(); err == nil {
				name, val, ok := strings.Cut(h, ":")
				if !ok || strings.TrimSpace(name) == "" {
					continue // curl ignores a header without a colon
				}
				o.headers = append(o.headers, [2]string{strings.TrimSpace(name), strings.TrimSpace(val)})
			}
		case "--resolve":
			var r string
			if r, err = value(); err == nil {
				parts := strings.SplitN(r, ":", 3)
				addr, aerr := netip.ParseAddr(strings.Trim(lastOf(parts), "[]"))
				if len(parts) != 3 || aerr != nil {
					return o, curlComplaint(fmt.Sprintf("curl: (49) Couldn't parse CURLOPT_RESOLVE entry '%s'", r))
				}
				if o.resolve == nil {
					o.resolve = map[string]netip.Addr{}
				}
				o.resolve[strings.ToLower(parts[0])+":"+parts[1]] = addr
			}
		default:
			if strings.HasPrefix(a, "-") && len(a) > 1 {
				return o, curlUnknown(a)
			}
			if o.url != "" {
				return o, badUsage("one URL at a time")
			}
			o.url = a
		}
		if err != nil {
			return o, err
		}
	}
	if o.url == "" {
		return o, curlComplaint("curl: no URL specified!\ncurl: try 'curl --help' or 'curl --manual' for more information")
	}
	if o.connectTimeout > 0 && (o.maxTime == 0 || o.connectTimeout < o.maxTime) {
		o.maxTime = o.connectTimeout
	}
	return o, nil
}

func lastOf(ss []string) string {
	if len(ss) == 0 {
		return ""
	}
	return ss[len(ss)-1]
}

// curlTarget reads curl's URL: a scheme-less URL is http, as curl assumes.
func curlTarget(raw string) (tracer.Target, error) {
	if !strings.Contains(raw, "://") {
		raw = "http://" + raw
	}
	t, err := tracer.ParseTarget(raw)
	if err != nil {
		return t, err
	}
	if t.Scheme != "http" && t.Scheme != "https" {
		return t, fmt.Errorf("curl speaks http and https here, not %s", t.Scheme)
	}
	return t, nil
}

func (s *Shell) curl(ctx context.Context, args []string) error {
	o, err := parseCurl(args)
	var complaint curlComplaint
	if errors.As(err, &complaint) {
		s.printf("%s\n", complaint)
		return nil
	}
	if err != nil {
		return err
	}
	for hops := 0; ; hops++ {
		next, err := s.curlOnce(ctx, o)
		if err != nil || next == "" || !o.follow {
			return err
		}
		// curl's --max-redirs (50 by default): the redirect after the
		// last allowed one is error 47.
		if hops == o.maxRedirs || o.maxRedirs < 0 && hops == curlUnlimitedRedirs {
			s.printf("curl: (47) Maximum (%d) redirects followed\n", o.maxRedirs)
			return nil
		}
		next = resolveRedirect(o.url, next)
		if o.verbose {
			s.printf("* Issue another request to this URL: '%s'\n", next)
		}
		o.url = next
	}
}

// curlOnce makes one request and returns the Location of a redirect.
func (s *Shell) curlOnce(ctx context.Context, o curlOpts) (string, error) {
	if scheme, rest, ok := strings.Cut(o.url, ":"); ok && !strings.HasPrefix(rest, "//") && strings.HasPrefix(rest, "/") && scheme != "" && strings.Trim(strings.ToLower(scheme), "abcdefghijklmnopqrstuvwxyz") == "" {
		// htps:/shop: curl reads a scheme it does not know, as curl does.
		s.printf("curl: (1) Protocol \"%s\" not supported\n", scheme)
		return "", nil
	}
	t, err := curlTarget(o.url)
	if err != nil {
		s.printf("curl: (3) URL rejected: %v\n", err)
		return "", nil
	}
	n, err := s.net()
	if err != nil {
		return "", err
	}
	last := &lastRequest{what: "curl " + o.url, from: s.Host(), target: t, world: s.world}
	s.last = last
	var b strings.Builder
	var res curlResult
	res.url = o.url
	start := s.elapsed
	defer func() {
		res.total = s.elapsed - start
		s.print(curlFinish(b.String(), o, &res))
	}()
	v := func(format string, args ...any) {
		if o.verbose {
			fmt.Fprintf(&b, format+"\n", args...)
		}
	}
	var addrs []netip.Addr
	var dnsHops []tracer.Hop
	if a, ok := o.resolve[strings.ToLower(t.Host)+":"+strconv.Itoa(int(t.Port))]; ok {
		v("* Added %s:%d:%s to DNS cache", t.Host, t.Port, a)
		v("* Hostname %s was found in DNS cache", t.Host)
		addrs = []netip.Addr{a}
	} else {
		addrs, dnsHops, err = s.lookup(ctx, n, t.Host)
		if err != nil {
			return "", err
		}
	}
	last.hops = append(last.hops, dnsHops...)
	if len(addrs) == 0 {
		v("* Could not resolve host: %s", t.Host)
		fmt.Fprintf(&b, "curl: (6) Could not resolve host: %s\n", t.Host)
		return "", nil
	}
	var conn *tracer.Conn
	var spent time.Duration
	for _, a := range addrs {
		ap := netip.AddrPortFrom(a, t.Port)
		v("*   Trying %s...", net.JoinHostPort(a.String(), strconv.Itoa(int(t.Port))))
		c, err := n.Dial(ctx, tracer.TCP, ap)
		if err != nil {
			return "", err
		}
		last.hops = append(last.hops, c.Hops...)
		last.conn = c
		switch c.State {
		case tracer.ConnOpen:
			spent += c.RTT
			conn = c
			res.ip, res.port, res.connects = a.String(), int(t.Port), 1
		case tracer.ConnTimeout:
			wait := synTimeout
			if o.maxTime > 0 {
				wait = min(wait, o.maxTime-spent)
			}
			spent += wait
			if o.maxTime > 0 && spent >= o.maxTime {
				s.elapsed += spent
				v("* Connection timed out after %d milliseconds", spent.Milliseconds())
				v("* Closing connection")
				fmt.Fprintf(&b, "curl: (28) Connection timed out after %d milliseconds\n", spent.Milliseconds())
				return "", nil
			}
			v("* connect to %s port %d%s failed: Connection timed out", a, t.Port, fromLocal(c))
		default:
			spent += c.RTT
			v("* connect to %s port %d%s failed: Connection refused", a, t.Port, fromLocal(c))
		}
		if conn != nil {
			break
		}
	}
	s.elapsed += spent
	if conn == nil {
		why := "Couldn't connect to server"
		v("* Failed to connect to %s port %d after %d ms: %s", t.Host, t.Port, spent.Milliseconds(), why)
		v("* Closing connection")
		fmt.Fprintf(&b, "curl: (7) Failed to connect to %s port %d after %d ms: %s\n", t.Host, t.Port, spent.Milliseconds(), why)
		return "", nil
	}
	v("* Connected to %s (%s) port %d", t.Host, conn.Addr.Addr(), t.Port)
	if t.Scheme == "https" {
		v("* ALPN: curl offers h2,http/1.1")
		v("* TLSv1.3 (OUT), TLS handshake, Client hello (1):")
		tr, err := n.Handshake(ctx, conn, t.Host)
		if err != nil {
			return "", err
		}
		last.hops = append(last.hops, tr.Hops...)
		if tr.Certificate == nil {
			code := tracer.TLSHandshakeFailed
			for _, h := range tr.Hops {
				if h.Blocks {
					code = h.Code
				}
			}
			if code == tracer.TLSNoCertificate {
				fmt.Fprintf(&b, "curl: (35) OpenSSL/3.0.13: error:0A00010B:SSL routines::wrong version number\n")
			} else {
				fmt.Fprintf(&b, "curl: (35) Recv failure: Connection reset by peer\n")
			}
			return "", nil
		}
		cert := tr.Certificate
		v("* TLSv1.3 (IN), TLS handshake, Server hello (2):")
		v("* TLSv1.3 (IN), TLS handshake, Certificate (11):")
		v("* SSL connection using %s / %s", tr.Version, tr.Cipher)
		v("* Server certificate:")
		v("*  subject: %s", cert.Subject)
		v("*  start date: %s", cert.NotBefore.UTC().Format("Jan _2 15:04:05 2006 GMT"))
		v("*  expire date: %s", cert.NotAfter.UTC().Format("Jan _2 15:04:05 2006 GMT"))
		var problem string
		for _, h := range tr.Hops {
			if !h.Blocks {
				continue
			}
			switch h.Code {
			case tracer.TLSNameMismatch:
				v("*  subjectAltName does not match %s", t.Host)
				problem = fmt.Sprintf("SSL: no alternative certificate subject name matches target host name '%s'", t.Host)
			case tracer.TLSCertExpired:
				problem = "SSL certificate problem: certificate has expired"
			case tracer.TLSCertNotYetValid:
				problem = "SSL certificate problem: certificate is not yet valid"
			}
		}
		if problem == "" {
			v("*  subjectAltName: host \"%s\" matched cert's \"%s\"", t.Host, matchedName(cert.DNSNames, t.Host))
		}
		v("*  issuer: %s", cert.Issuer)
		if problem != "" && !o.insecure {
			v("* %s", problem)
			v("* Closing connection")
			fmt.Fprintf(&b, "curl: (60) %s\nMore details here: https://curl.se/docs/sslcerts.html\n\n", problem)
			b.WriteString("curl failed to verify the legitimacy of the server and therefore could not\nestablish a secure connection to it. To learn more about this situation and\nhow to fix it, please visit the web page mentioned above.\n")
			return "", nil
		}
		if problem != "" {
			v("*  SSL certificate verify result: %s, continuing anyway.", strings.TrimPrefix(problem, "SSL certificate problem: "))
		} else {
			v("*  SSL certificate verify ok.")
		}
	}
	method := "GET"
	if o.head {
		method = "HEAD"
	}
	if o.method != "" {
		method = o.method
	}
	host, reqHost := hostHeader(t), t.Host
	var extra [][2]string
	for _, h := range o.headers {
		if strings.EqualFold(h[0], "Host") {
			host, reqHost = h[1], h[1] // virtual hosting: the server reads this name
			continue
		}
		extra = append(extra, h)
	}
	v("> %s %s HTTP/1.1", method, t.Path)
	v("> Host: %s", host)
	v("> User-Agent: curl/8.5.0")
	v("> Accept: */*")
	for _, h := range extra {
		v("> %s: %s", h[0], h[1])
	}
	v(">")
	resp, err := n.Request(ctx, conn, &tracer.HTTPRequest{Method: method, Scheme: t.Scheme, Host: reqHost, Path: t.Path, Header: extra})
	if err != nil {
		return "", err
	}
	last.hops = append(last.hops, resp.Hops...)
	last.status = resp.Status
	s.elapsed += resp.TTFB
	if resp.Status == 0 {
		v("* Empty reply from server")
		v("* Closing connection")
		fmt.Fprintf(&b, "curl: (52) Empty reply from server\n")
		return "", nil
	}
	if resp.Status == http.StatusGatewayTimeout {
		s.elapsed += albTargetTimeout
	}
	body := resp.Body
	header := resp.Header
	if body == "" && resp.Status >= 400 {
		body = errorPage(resp.Status, resp.StatusText)
		header = append(append([][2]string{}, header...), [2]string{"Content-Type", "text/html"})
	}
	if !slices.ContainsFunc(header, func(h [2]string) bool { return strings.EqualFold(h[0], "Content-Length") }) {
		header = append(header, [2]string{"Content-Length", strconv.Itoa(len(body))})
	}
	v("< %s %d %s", resp.Proto, resp.Status, resp.StatusText)
	for _, h := range header {
		v("< %s: %s", h[0], h[1])
	}
	v("<")
	res.status, res.size = resp.Status, len(body)
	if o.head {
		res.size = 0
	}
	if o.include && !o.verbose && !o.head {
		fmt.Fprintf(&b, "%s %d %s\n", resp.Proto, resp.Status, resp.StatusText)
		for _, h := range header {
			fmt.Fprintf(&b, "%s: %s\n", h[0], h[1])
		}
		b.WriteString("\n")
	}
	if o.output != "" {
		s.writeFile(o.output, body)
		body = ""
	}
	if o.head {
		if !o.verbose {
			fmt.Fprintf(&b, "%s %d %s\n", resp.Proto, resp.Status, resp.StatusText)
			for _, h := range header {
				fmt.Fprintf(&b, "%s: %s\n", h[0], h[1])
			}
		}
		return resp.Location(), nil
	}
	b.WriteString(body)
	if body != "" && !strings.HasSuffix(body, "\n") {
		b.WriteString("\n")
	}
	v("* Connection #0 to host %s left intact", t.Host)
	if resp.Status >= 300 && resp.Status < 400 {
		return resp.Location(), nil
	}
	return "", nil
}

// curlMaxRedirs is curl's default --max-redirs; curlUnlimitedRedirs
// bounds --max-redirs -1 in a world that loops.
const (
	curlMaxRedirs       = 50
	curlUnlimitedRedirs = 1000
)

// resolveRedirect reads a Location against the URL it answered, as curl
// does for a relative one (RFC 9110, section 10.2.2).
func resolveRedirect(base, loc string) string {
	if !strings.Contains(base, "://") {
		base = "http://" + base
	}
	b, err := url.Parse(base)
	if err != nil {
		return loc
	}
	l, err := url.Parse(loc)
	if err != nil {
		return loc
	}
	return b.ResolveReference(l).String()
}

// fromLocal is curl's " from ADDR port N" for the source of an attempt,
// when the network knows it.
func fromLocal(c *tracer.Conn) string {
	if !c.Local.IsValid() {
		return ""
	}
	return fmt.Sprintf(" from %s port %d", c.Local.Addr(), c.Local.Port())
}

func hostHeader(t tracer.Target) string {
	if (t.Scheme == "https" && t.Port == 443) || (t.Scheme == "http" && t.Port == 80) {
		return t.Host
	}
	return net.JoinHostPort(t.Host, strconv.Itoa(int(t.Port)))
}

func matchedName(names []string, host string) string {
	for _, n := range names {
		if n == host {
			return n
		}
	}
	for _, n := range names {
		if rest, ok := strings.CutPrefix(n, "*."); ok && strings.HasSuffix(host, "."+rest) {
			return n
		}
	}
	if len(names) > 0 {
		return names[0]
	}
	return host
}

// errorPage is the body a balancer or server sends with an error status.
func errorPage(status int, text string) string {
	return fmt.Sprintf("<html>\n<head><title>%d %s</title></head>\n<body>\n<center><h1>%d %s</h1></center>\n</body>\n</html>\n", status, text, status, text)
}

// ---- nc

var serviceNames = map[int]string{22: "ssh", 53: "domain", 80: "http", 443: "https", 5432: "postgresql", 6379: "redis", 8080: "http-alt", 8443: "https-alt", 3306: "mysql"}

func (s *Shell) nc(ctx context.Context, args []string) error {
	var zero, verbose, udp bool
	var wait time.Duration
	var rest []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "-w":
			if i+1 >= len(args) {
				return badUsage("-w needs seconds")
			}
			n, err := strconv.Atoi(args[i+1])
			if err != nil || n <= 0 {
				return badUsage("-w %s: want a number of seconds", args[i+1])
			}
			wait = time.Duration(n) * time.Second
			i++
		case strings.HasPrefix(a, "-") && len(a) > 1:
			for _, c := range a[1:] {
				switch c {
				case 'z':
					zero = true
				case 'v':
					verbose = true
				case 'u':
					udp = true
				case 'n':
				default:
					return badUsage("option -%c is not supported here", c)
				}
			}
		default:
			rest = append(rest, a)
		}
	}
	if len(rest) != 2 {
		return badUsage("give a host and a port")
	}
	if !zero {
		return badUsage("use -z: scan without sending data")
	}
	port, err := strconv.Atoi(rest[1])
	if err != nil || port < 1 || port > 65535 {
		return badUsage("port %q is not a number from 1 to 65535", rest[1])
	}
	host := rest[0]
	n, err := s.net()
	if err != nil {
		return err
	}
	proto := tracer.TCP
	pname := "tcp"
	if udp {
		proto, pname = tracer.UDP, "udp"
	}
	t, _ := tracer.ParseTarget(pname + "://" + net.JoinHostPort(host, strconv.Itoa(port)))
	last := &lastRequest{what: "nc " + strings.Join(args, " "), from: s.Host(), target: t, world: s.world}
	s.last = last
	addrs, hops, err := s.lookup(ctx, n, host)
	if err != nil {
		return err
	}
	last.hops = append(last.hops, hops...)
	if len(addrs) == 0 {
		s.printf("nc: getaddrinfo for host \"%s\" port %d: Name or service not known\n", host, port)
		return nil
	}
	svc := serviceNames[port]
	if svc == "" {
		svc = "*"
	}
	for _, a := range addrs {
		c, err := n.Dial(ctx, proto, netip.AddrPortFrom(a, uint16(port)))
		if err != nil {
			return err
		}
		last.hops = append(last.hops, c.Hops...)
		last.conn = c
		label := fmt.Sprintf("%s (%s)", host, a)
		if host == a.String() {
			label = host
		}
		switch c.State {
		case tracer.ConnOpen:
			s.elapsed += c.RTT
			if verbose {
				s.printf("Connection to %s %d port [%s/%s] succeeded!\n", label, port, pname, svc)
			}
			return nil
		case tracer.ConnTimeout:
			if udp {
				// Silence is all UDP ever gets: nc cannot tell.
				s.elapsed += time.Second
				if verbose {
					s.printf("Connection to %s %d port [udp/%s] succeeded!\n", label, port, svc)
				}
				return nil
			}
			if wait > 0 {
				s.elapsed += wait
				if verbose {
					s.printf("nc: connect to %s port %d (%s) timed out: Operation now in progress\n", label, port, pname)
				}
			} else {
				s.elapsed += synTimeout
				if verbose {
					s.printf("nc: connect to %s port %d (%s) failed: Connection timed out\n", label, port, pname)
				}
			}
		default:
			s.elapsed += c.RTT
			if verbose {
				s.printf("nc: connect to %s port %d (%s) failed: Connection refused\n", label, port, pname)
			}
		}
	}
	return nil
}

// ---- ping

func (s *Shell) ping(ctx context.Context, args []string) error {
	count := 4
	replyWait := 10 * time.Second // ping waits this long for the last reply (-W)
	var host string
	for i := 0; i < len(args); i++ {
		switch a := args[i]; {
		case a == "-c":
			if i+1 >= len(args) {
				return badUsage("-c needs a count")
			}
			n, err := strconv.Atoi(args[i+1])
			if err != nil || n < 1 || n > 100 {
				return badUsage("-c %s: want a count from 1 to 100", args[i+1])
			}
			count = n
			i++
		case a == "-W" || a == "-w":
			if i+1 >= len(args) {
				s.printf("ping: option requires an argument -- '%s'\n", a[1:])
				return nil
			}
			f, err := strconv.ParseFloat(args[i+1], 64)
			if err != nil || f < 0 {
				s.printf("ping: invalid argument: '%s'\n", args[i+1])
				return nil
			}
			if a == "-W" {
				replyWait = time.Duration(f * float64(time.Second))
			}
			i++
		case a == "-4" || a == "-n":
		case strings.HasPrefix(a, "-"):
			s.printf("ping: invalid option -- '%s'\n\nUsage\n  ping [options] <destination>\n", optLetter(a))
			return nil
		default:
			if host != "" {
				return badUsage("one host at a time")
			}
			host = a
		}
	}
	if host == "" {
		return badUsage("which host?")
	}
	n, err := s.net()
	if err != nil {
		return err
	}
	last := &lastRequest{what: "ping " + host, from: s.Host(), icmp: true, count: count, world: s.world}
	if tg, err := tracer.ParseTarget("icmp://" + host); err == nil {
		last.target = tg // tcpdump then shows the echoes simnet captures
	}
	s.last = last
	addrs, hops, err := s.lookup(ctx, n, host)
	if err != nil {
		return err
	}
	last.hops = append(last.hops, hops...)
	if len(addrs) == 0 {
		s.printf("ping: %s: Name or service not known\n", host)
		return nil
	}
	a := addrs[0]
	c, err := n.Dial(ctx, tracer.ICMP, netip.AddrPortFrom(a, 0))
	if err != nil {
		return err
	}
	last.hops = append(last.hops, c.Hops...)
	last.conn = c
	var b strings.Builder
	fmt.Fprintf(&b, "PING %s (%s) 56(84) bytes of data.\n", host, a)
	ms := float64(c.RTT.Microseconds()) / 1000
	ttl := 64
	if ms > 5 {
		ttl = 52
	}
	received := 0
	if c.State == tracer.ConnOpen {
		received = count
		for i := 1; i <= count; i++ {
			fmt.Fprintf(&b, "64 bytes from %s: icmp_seq=%d ttl=%d time=%.3g ms\n", a, i, ttl, ms)
		}
	}
	total := time.Duration(count-1)*time.Second + 40*time.Millisecond
	if received == 0 {
		total += replyWait // ping waits for the last reply before it gives up
	}
	s.elapsed += total
	fmt.Fprintf(&b, "\n--- %s ping statistics ---\n", host)
	fmt.Fprintf(&b, "%d packets transmitted, %d received, %d%% packet loss, time %dms\n", count, received, 100*(count-received)/count, (time.Duration(count-1)*time.Second).Milliseconds()+int64(count)*3)
	if received > 0 {
		fmt.Fprintf(&b, "rtt min/avg/max/mdev = %.3f/%.3f/%.3f/0.000 ms\n", ms, ms, ms)
	}
	s.print(b.String())
	return nil
}

// ---- traceroute

func (s *Shell) traceroute(ctx context.Context, args []string) error {
	proto := tracer.UDP
	port := 33434
	portSet, numeric := false, false
	var host string
	for i := 0; i < len(args); i++ {
		switch a := args[i]; {
		case a == "-T":
			proto = tracer.TCP
		case a == "-I":
			proto = tracer.ICMP
		case a == "-n":
			numeric = true
		case a == "-p":
			if i+1 >= len(args) {
				return badUsage("-p needs a port")
			}
			n, err := strconv.Atoi(args[i+1])
			if err != nil || n < 1 || n > 65535 {
				return badUsage("-p %s: want a port from 1 to 65535", args[i+1])
			}
			port, portSet = n, true
			i++
		case strings.HasPrefix(a, "-"):
			return badUsage("option %s is not supported here", a)
		default:
			if host != "" {
				return badUsage("one host at a time")
			}
			host = a
		}
	}
	if host == "" {
		return badUsage("which host?")
	}
	if proto == tracer.TCP && !portSet {
		port = 80
	}
	n, err := s.net()
	if err != nil {
		return err
	}
	last := &lastRequest{what: "traceroute " + strings.Join(args, " "), from: s.Host(), world: s.world}
	if proto == tracer.TCP {
		last.target, _ = tracer.ParseTarget("tcp://" + net.JoinHostPort(host, strconv.Itoa(port)))
	}
	s.last = last
	addrs, hops, err := s.lookup(ctx, n, host)
	if err != nil {
		return err
	}
	last.hops = append(last.hops, hops...)
	if len(addrs) == 0 {
		s.printf("%s: Name or service not known\nCannot handle \"host\" cmdline arg `%s' on position 1 (argc 1)\n", host, host)
		return nil
	}
	a := addrs[0]
	rt, err := n.Traceroute(ctx, proto, netip.AddrPortFrom(a, uint16(port)), 30)
	if err != nil {
		return err
	}
	last.hops = append(last.hops, rt.Explain...)
	var b strings.Builder
	fmt.Fprintf(&b, "traceroute to %s (%s), 30 hops max, 60 byte packets\n", host, a)
	lastTTL := 0
	for _, h := range rt.Hops {
		lastTTL = h.TTL
		if h.Address == "" {
			fmt.Fprintf(&b, "%2d  * * *\n", h.TTL)
			s.elapsed += 3 * dnsTimeout
			continue
		}
		ms := float64(h.RTT.Microseconds()) / 1000
		name := h.Address
		if !numeric {
			name = fmt.Sprintf("%s (%s)", h.Address, h.Address)
		} else {
			name = h.Address
		}
		fmt.Fprintf(&b, "%2d  %s  %.3f ms  %.3f ms  %.3f ms\n", h.TTL, name, ms, ms*1.02, ms*0.98)
		s.elapsed += h.RTT * 3
	}
	if !rt.Reached && lastTTL < 30 {
		fmt.Fprintf(&b, "%2d  * * *\n    ... (every hop up to 30 stays silent)\n", lastTTL+1)
		s.elapsed += time.Duration(30-lastTTL) * 3 * dnsTimeout
	}
	s.print(b.String())
	return nil
}
