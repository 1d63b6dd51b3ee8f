package lab

import (
	"bufio"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/google/nftables"
	"github.com/pathlab/pathlab/simnet/spec"
)

// ServeMain runs the servers of one node of the lab in dir; it runs inside
// the node's namespace (the lab starts it with ip netns exec), prints
// READY on stdout once everything listens, and serves until killed.
func ServeMain(dir, node string) error {
	b, err := os.ReadFile(filepath.Join(dir, "world.json"))
	if err != nil {
		return err
	}
	var s spec.WorldSpec
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	sv := &servers{dir: dir, w: &s}
	if err := sv.start(node); err != nil {
		return err
	}
	fmt.Println("READY")
	os.Stdout.Close()
	select {}
}

type servers struct {
	dir string
	w   *spec.WorldSpec
}

func (sv *servers) start(node string) error {
	s := sv.w
	dnsAt := map[netip.Addr]bool{}
	for _, a := range DNSAddrs(s) {
		dnsAt[a] = true
	}
	hostIPs := map[netip.Addr]bool{}
	for _, c := range s.Internet.Clients {
		hostIPs[addrOf(c.IP)] = true
	}
	for _, r := range s.Internet.Resolvers {
		hostIPs[addrOf(r.IP)] = true
	}
	for _, x := range s.Internet.Servers {
		hostIPs[addrOf(x.IP)] = true
	}
	// Name servers at an internet host's own address.
	own := func(ip string) error {
		a := addrOf(ip)
		if dnsAt[a] {
			return serveDNS(a, newAuthServer(s, a))
		}
		return nil
	}
	if node == "_dns" {
		for a := range dnsAt {
			if !hostIPs[a] {
				if err := serveDNS(a, newAuthServer(s, a)); err != nil {
					return err
				}
			}
		}
		return nil
	}
	for _, c := range s.Internet.Clients {
		if c.Name == node {
			return own(c.IP)
		}
	}
	for _, r := range s.Internet.Resolvers {
		if r.Name == node {
			if dnsAt[addrOf(r.IP)] {
				return fmt.Errorf("%s: a resolver and a name server at one address", r.Name)
			}
			return serveDNS(addrOf(r.IP), &recursor{timeout: 400 * time.Millisecond})
		}
	}
	for _, x := range s.Internet.Servers {
		if x.Name == node {
			if err := own(x.IP); err != nil {
				return err
			}
			return sv.services(x.Services)
		}
	}
	for _, v := range s.VPCs {
		if node == "_resolver."+v.Name {
			rc := &recursor{timeout: 400 * time.Millisecond}
			for _, z := range s.DNS.Zones {
				if !z.Private {
					continue
				}
				for _, zv := range z.VPCs {
					if zv == v.Name {
						rc.private = append(rc.private, buildZone(s, z))
					}
				}
			}
			// An interface endpoint's private DNS (endpoint.go).
			rc.private = append(rc.private, endpointZones(&v)...)
			cidr, err := netip.ParsePrefix(v.CIDR)
			if err != nil {
				return err
			}
			b := cidr.Masked().Addr().As4()
			b[3] += 2
			return serveDNS(netip.AddrFrom4(b), rc)
		}
		for _, in := range v.Instances {
			if in.Name == node {
				return sv.instanceServices(&v, in) // hostdns.go
			}
		}
		for _, lb := range v.LoadBalancers {
			for _, nd := range lb.Nodes {
				if LBNodeName(lb.Name, nd.Subnet) == node {
					return sv.balancer(&v, lb, nd)
				}
			}
		}
	}
	if ss, ok := onPremServices(s, node); ok { // vpn.go
		return sv.services(ss)
	}
	return fmt.Errorf("no node %q in world %s", node, s.Name)
}

func bindAddr(bind string, port int) string {
	switch bind {
	case "", "0.0.0.0", "*":
		return ":" + strconv.Itoa(port)
	}
	return net.JoinHostPort(bind, strconv.Itoa(port))
}

// services starts a host's running services.
func (sv *servers) services(ss []spec.ServiceSpec) error {
	for _, svc := range ss {
		if !svc.IsRunning() {
			continue
		}
		addr := bindAddr(svc.Bind, svc.Port)
		switch protoOf(svc.Protocol) {
		case "udp":
			pc, err := net.ListenPacket("udp4", addr)
			if err != nil {
				return fmt.Errorf("service %s: %w", svc.Name, err)
			}
			go echoUDP(pc)
		default:
			ln, err := net.Listen("tcp4", addr)
			if err != nil {
				return fmt.Errorf("service %s: %w", svc.Name, err)
			}
			if svc.HTTP == nil {
				go plainTCP(ln, svc)
				continue
			}
			svc := svc
			h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				code, ok := svc.HTTP[r.URL.Path]
				if !ok {
					code = http.StatusNotFound
				}
				writePage(w, code, svc.Name)
			})
			srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, ErrorLog: nil}
			if svc.TLS != "" {
				cert := loadCert(sv.dir, svc.TLS)
				srv.TLSConfig = &tls.Config{GetCertificate: func(*tls.ClientHelloInfo) (*tls.Certificate, error) {
					if cert == nil {
						return nil, errors.New("no certificate")
					}
					return cert, nil
				}}
				go srv.Serve(tls.NewListener(ln, srv.TLSConfig))
				continue
			}
			go srv.Serve(ln)
		}
	}
	return nil
}

func echoUDP(pc net.PacketConn) {
	buf := make([]byte, 65536)
	for {
		n, a, err := pc.ReadFrom(buf)
		if err != nil {
			return
		}
		pc.WriteTo(buf[:n], a)
	}
}

// plainTCP accepts connections and holds them open; SSH says hello as
// sshd does.
func plainTCP(ln net.Listener, svc spec.ServiceSpec) {
	for {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		go func() {
			defer c.Close()
			if svc.Port == 22 || strings.Contains(svc.Name, "ssh") {
				io.WriteString(c, "SSH-2.0-OpenSSH_9.2p1 pathlab-lab\r\n")
			}
			c.SetDeadline(time.Now().Add(30 * time.Second))
			io.Copy(io.Discard, c)
		}()
	}
}

// target is a balancer's target as the node sees it.
type target struct {
	name string
	addr netip.AddrPort
}

type targetGroup struct {
	spec    spec.TargetGroupSpec
	targets []target
	hcProto string
	hcPort  int
	hcPath  string
	matcher string
	mu      sync.Mutex
	healthy []bool
	reasons []string // ELB's reason code of an unhealthy target
	// unused are the targets this node sends nothing to (zones.go).
	unused []string
}

func (sv *servers) targetGroups(v *spec.VPCSpec, lb spec.LoadBalancerSpec, nd spec.LBNodeSpec) map[string]*targetGroup {
	inst := map[string]netip.Addr{}
	for _, in := range v.Instances {
		// Only the targets this node sends to, by zone (zones.go).
		if nodeSends(v, lb, nd, in.Subnet) {
			inst[in.Name] = addrOf(in.PrivateIP)
		}
	}
	out := map[string]*targetGroup{}
	for _, tg := range lb.TargetGroups {
		g := &targetGroup{spec: tg, hcProto: tg.HealthCheck.Protocol, hcPort: tg.HealthCheck.Port, hcPath: tg.HealthCheck.Path, matcher: tg.HealthCheck.Matcher}
		if g.hcProto == "" {
			g.hcProto = tg.Protocol
		}
		if g.hcPort == 0 {
			g.hcPort = tg.Port
		}
		if g.hcPath == "" {
			g.hcPath = "/"
		}
		if g.matcher == "" {
			g.matcher = "200"
		}
		for _, t := range tg.Targets {
			if a, ok := inst[t]; ok {
				g.targets = append(g.targets, target{name: t, addr: netip.AddrPortFrom(a, uint16(tg.Port))})
			} else if zoneUnused(v, lb, t) {
				g.unused = append(g.unused, t)
			}
		}
		g.healthy = make([]bool, len(g.targets))
		g.reasons = make([]string, len(g.targets))
		out[tg.Name] = g
	}
	return out
}

func matches(matcher string, code int) bool {
	for _, part := range strings.Split(matcher, ",") {
		lo, hi, isRange := strings.Cut(strings.TrimSpace(part), "-")
		l, err := strconv.Atoi(lo)
		if err != nil {
			continue
		}
		h := l
		if isRange {
			if h, err = strconv.Atoi(hi); err != nil {
				continue
			}
		}
		if code >= l && code <= h {
			return true
		}
	}
	return false
}

const backendTimeout = 800 * time.Millisecond

// check runs one health check of every target.
func (g *targetGroup) check() {
	var wg sync.WaitGroup
	res := make([]bool, len(g.targets))
	why := make([]string, len(g.targets))
	for i, t := range g.targets {
		wg.Add(1)
		go func() {
			defer wg.Done()
			a := netip.AddrPortFrom(t.addr.Addr(), uint16(g.hcPort))
			var err error
			switch g.hcProto {
			case "http", "https":
				var code int
				code, err = backendGet(a, g.hcProto, "", g.hcPath)
				res[i] = err == nil && matches(g.matcher, code)
				if err == nil && !res[i] {
					why[i] = "Target.ResponseCodeMismatch"
				}
			default:
				var c net.Conn
				c, err = net.DialTimeout("tcp4", a.String(), backendTimeout)
				if err == nil {
					c.Close()
					res[i] = true
				}
			}
			if err != nil {
				// ELB's reason codes (ELB User Guide, "Target health
				// status"): no answer in time, or the check failed.
				why[i] = "Target.FailedHealthChecks"
				var ne net.Error
				if errors.As(err, &ne) && ne.Timeout() {
					why[i] = "Target.Timeout"
				}
			}
		}()
	}
	wg.Wait()
	g.mu.Lock()
	g.healthy, g.reasons = res, why
	g.mu.Unlock()
}

// backendGet opens a connection to a target and asks for path; a dial
// error is returned as is (timeout or refused).
func backendGet(a netip.AddrPort, proto, host, path string) (int, error) {
	d := net.Dialer{Timeout: backendTimeout}
	c, err := d.Dial("tcp4", a.String())
	if err != nil {
		return 0, err
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(2 * time.Second))
	if proto == "https" {
		tc := tls.Client(c, &tls.Config{InsecureSkipVerify: true, ServerName: host})
		if err := tc.Handshake(); err != nil {
			return 0, err
		}
		c = tc
	}
	if host == "" {
		host = a.Addr().String()
	}
	fmt.Fprintf(c, "GET %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: ELB-HealthChecker/2.0\r\nConnection: close\r\n\r\n", path, host)
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		return 0, err
	}
	resp.Body.Close()
	return resp.StatusCode, nil
}

// balancer runs a balancer node: an application balancer's listeners as
// a reverse proxy with health checks, or a network balancer's as DNAT to
// a healthy target.
func (sv *servers) balancer(v *spec.VPCSpec, lb spec.LoadBalancerSpec, nd spec.LBNodeSpec) error {
	groups := sv.targetGroups(v, lb, nd)
	for _, g := range groups {
		g.check()
	}
	sv.writeHealth(lb, nd, groups) // health.go
	if lb.Type == "network" {
		return sv.nlb(lb, nd, groups)
	}
	go sv.checkHealth(lb, nd, groups, func() {})
	for _, li := range lb.Listeners {
		ln, err := net.Listen("tcp4", bindAddr("", li.Port))
		if err != nil {
			return err
		}
		h := &alb{li: li, groups: groups}
		srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
		if li.Protocol == "https" || li.Protocol == "tls" {
			// The default certificate, or one of the listener's list by
			// the client's SNI name (rules.go).
			cfg := &tls.Config{GetCertificate: listenerCerts(sv.dir, sv.w, li)}
			go srv.Serve(tls.NewListener(ln, cfg))
			continue
		}
		go srv.Serve(ln)
	}
	return nil
}

type alb struct {
	li     spec.ListenerSpec
	groups map[string]*targetGroup
	rr     atomic.Uint32
}

func lbError(w http.ResponseWriter, code int) {
	w.Header().Set("Server", "awselb/2.0")
	w.Header().Set("Content-Type", "text/html")
	w.WriteHeader(code)
	fmt.Fprintf(w, "<html><body><center><h1>%d %s</h1></center></body></html>\n", code, http.StatusText(code))
}

func (a *alb) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	act := listenerAction(a.li, r) // rules.go
	switch {
	case act.short != "":
		w.Header().Set("Server", "awselb/2.0")
		host := r.Host
		if h, _, err := net.SplitHostPort(host); err == nil {
			host = h
		}
		http.Redirect(w, r, act.short+"://"+host+r.URL.RequestURI(), http.StatusMovedPermanently)
		return
	case act.redirect != nil:
		writeRedirect(w, r, act.redirect, a.li.Port)
		return
	case act.fixed != nil:
		writeFixed(w, act.fixed)
		return
	}
	a.forward(w, r, a.groups[act.forward])
}

// forward passes the request to a healthy target of tg (all of them when
// none is: fail open), and answers 502, 503 or 504 as ELB does.
func (a *alb) forward(w http.ResponseWriter, r *http.Request, tg *targetGroup) {
	if tg == nil || len(tg.targets) == 0 {
		lbError(w, http.StatusServiceUnavailable)
		return
	}
	tg.mu.Lock()
	var cands []target
	for i, t := range tg.targets {
		if tg.healthy[i] {
			cands = append(cands, t)
		}
	}
	tg.mu.Unlock()
	if len(cands) == 0 {
		cands = tg.targets // fail open
	}
	var firstErr error
	for _, t := range cands {
		code, err := backendGet(t.addr, tg.spec.Protocol, r.Host, r.URL.RequestURI())
		if err == nil {
			writePage(w, code, t.name)
			return
		}
		if firstErr == nil {
			firstErr = err
		}
	}
	var ne net.Error
	if errors.As(firstErr, &ne) && ne.Timeout() {
		lbError(w, http.StatusGatewayTimeout)
		return
	}
	if errors.Is(firstErr, syscall.ETIMEDOUT) {
		lbError(w, http.StatusGatewayTimeout)
		return
	}
	lbError(w, http.StatusBadGateway)
}

// nlb passes each listener's connections to a target by DNAT, keeping the
// client's address: the first healthy target, or the first of all when
// none is (fail open); the health checks keep it current.
func (sv *servers) nlb(lb spec.LoadBalancerSpec, nd spec.LBNodeSpec, groups map[string]*targetGroup) error {
	c, err := nftables.New()
	if err != nil {
		return err
	}
	tos := uint8(4)
	for i, n := range lb.Nodes {
		if n.Subnet == nd.Subnet {
			tos = uint8(4 * (i + 1))
		}
	}
	tlsReady := false
	for _, li := range lb.Listeners {
		if li.Protocol != "tls" {
			continue
		}
		if !tlsReady {
			if err := tlsTransparent(); err != nil {
				return err
			}
			tlsReady = true
		}
		if err := sv.nlbTLS(nd, li, groups[li.TargetGroup], tos); err != nil {
			return err
		}
	}
	apply := func() error {
		var tables []*Table
		for _, li := range lb.Listeners {
			if li.Protocol == "tls" {
				continue // ended at the node (nlbtls.go)
			}
			g := groups[li.TargetGroup]
			if g == nil || len(g.targets) == 0 {
				// No target to pass the connection to (none in the node's
				// zone with cross-zone off, or none registered): the
				// connection goes unanswered, no reset.
				tables = append(tables, nlbSilentTable(uint16(li.Port)))
				continue
			}
			g.mu.Lock()
			pick := g.targets[0]
			for i, t := range g.targets {
				if g.healthy[i] {
					pick = t
					break
				}
			}
			g.mu.Unlock()
			tables = append(tables, nlbTable(addrOf(nd.PrivateIP), uint16(li.Port), pick.addr, tos))
		}
		return writeTables(c, tables, true)
	}
	if err := apply(); err != nil {
		return err
	}
	go sv.checkHealth(lb, nd, groups, func() { apply() })
	return nil
}

// checkHealth checks a balancer node's targets every 2 s, for ever: it
// writes what it saw for lab status and play --lab, then runs after
// (a network balancer's new DNAT tables).
func (sv *servers) checkHealth(lb spec.LoadBalancerSpec, nd spec.LBNodeSpec, groups map[string]*targetGroup, after func()) {
	for {
		time.Sleep(2 * time.Second)
		for _, g := range groups {
			g.check()
		}
		sv.writeHealth(lb, nd, groups)
		after()
	}
}

// writePage answers as a web server does: a page larger than one packet,
// so that a path that loses full-size packets (an MTU blackhole) shows in
// the lab as it does in the world.
func writePage(w http.ResponseWriter, code int, from string) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(code)
	fmt.Fprintf(w, "%d %s from %s (pathlab lab)\n", code, http.StatusText(code), from)
	fmt.Fprintf(w, "%s\n", strings.Repeat(" ", 3000))
}
