package lab

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/pathlab/pathlab/simnet/spec"
	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netns"
	"golang.org/x/sys/unix"
)

const netnsDir = "/var/run/netns"

// ServeEnv, set in a server process's environment, names the lab
// directory; a test binary's TestMain calls ServeMain when it is set.
const ServeEnv = "PATHLAB_LAB_SERVE"

// Options tune Up.
type Options struct {
	// Exe is the program re-executed as the lab's servers with the
	// arguments "lab serve NODE" and ServeEnv set; empty means this
	// program (os.Executable).
	Exe string
	// Source names what the lab was built from, for status.
	Source string
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// Skip returns why a lab cannot be built here, or "".
func Skip() string {
	if runtime.GOOS != "linux" {
		return "a lab needs Linux network namespaces"
	}
	if os.Geteuid() != 0 {
		return "a lab needs root (network namespaces, veths, nftables); run it with sudo"
	}
	if _, err := exec.LookPath("ip"); err != nil {
		return "a lab needs the ip command (iproute2)"
	}
	return ""
}

// inNS runs fn on an OS thread inside namespace h.
func inNS(h netns.NsHandle, fn func() error) error {
	errc := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		orig, err := netns.Get()
		if err != nil {
			errc <- err
			return
		}
		defer orig.Close()
		if err := netns.Set(h); err != nil {
			errc <- err
			runtime.UnlockOSThread()
			return
		}
		ferr := fn()
		if err := netns.Set(orig); err != nil {
			// The thread stays locked and dies with the goroutine.
			errc <- fmt.Errorf("back to the root namespace: %v", err)
			return
		}
		runtime.UnlockOSThread()
		errc <- ferr
	}()
	return <-errc
}

// newNamed creates a named namespace without moving this thread.
func newNamed(name string) (netns.NsHandle, error) {
	type res struct {
		h   netns.NsHandle
		err error
	}
	c := make(chan res, 1)
	go func() {
		runtime.LockOSThread()
		orig, err := netns.Get()
		if err != nil {
			c <- res{err: err}
			return
		}
		defer orig.Close()
		h, err := netns.NewNamed(name)
		if serr := netns.Set(orig); serr != nil {
			c <- res{h, fmt.Errorf("back to the root namespace: %v", serr)}
			return
		}
		runtime.UnlockOSThread()
		c <- res{h, err}
	}()
	r := <-c
	return r.h, r.err
}

func writeSysctl(key, val string) error {
	return os.WriteFile("/proc/sys/"+strings.ReplaceAll(key, ".", "/"), []byte(val), 0o644)
}

// Up builds world spec s as the lab named name and starts its servers.
func Up(ctx context.Context, s *spec.WorldSpec, name string, o Options) (*State, error) {
	if why := Skip(); why != "" {
		return nil, errors.New(why)
	}
	p, err := PlanFor(s, name)
	if err != nil {
		return nil, err
	}
	if _, err := os.Stat(statePath(name)); err == nil {
		return nil, fmt.Errorf("lab %s is already up; pathlab lab down --name %s removes it, or give another --name", name, name)
	}
	for _, n := range p.Nodes {
		if _, err := os.Stat(filepath.Join(netnsDir, n.NS)); err == nil {
			return nil, fmt.Errorf("namespace %s exists: a lab %s was left behind; pathlab lab down --name %s removes it", n.NS, name, name)
		}
	}
	now := time.Now
	if o.Now != nil {
		now = o.Now
	}
	exe := o.Exe
	if exe == "" {
		if exe, err = os.Executable(); err != nil {
			return nil, err
		}
	}
	clock := now()
	if s.Clock != "" {
		if c, err := time.Parse(time.RFC3339, s.Clock); err == nil {
			clock = c
		}
	}
	st := &State{Name: name, Prefix: p.Prefix, Dir: labDir(name), Source: o.Source, World: s.Name, Phase: "building",
		Started: now(), Offset: now().Sub(clock).Truncate(time.Second), Servers: map[string]int{}}
	if err := os.MkdirAll(st.Dir, 0o755); err != nil {
		return nil, err
	}
	// The state file comes first: whatever happens next, down finds it.
	if err := st.save(); err != nil {
		return nil, err
	}
	fail := func(err error) (*State, error) {
		Down(name)
		return nil, err
	}
	spec, err := json.Marshal(s)
	if err != nil {
		return fail(err)
	}
	if err := os.WriteFile(filepath.Join(st.Dir, "world.json"), spec, 0o644); err != nil {
		return fail(err)
	}
	ca, err := writeCerts(st.Dir, s, st.Offset)
	if err != nil {
		return fail(err)
	}
	st.CA = ca
	if err := build(p, ca); err != nil {
		return fail(err)
	}
	if err := st.save(); err != nil {
		return fail(err)
	}
	if err := startServers(ctx, p, st, exe); err != nil {
		return fail(err)
	}
	st.Phase = "up"
	if err := st.save(); err != nil {
		return fail(err)
	}
	return st, nil
}

func build(p *Plan, ca string) error {
	handles := map[string]netns.NsHandle{}
	defer func() {
		for _, h := range handles {
			h.Close()
		}
	}()
	nl := map[string]*netlink.Handle{}
	defer func() {
		for _, h := range nl {
			h.Close()
		}
	}()
	for _, n := range p.Nodes {
		h, err := newNamed(n.NS)
		if err != nil {
			return fmt.Errorf("namespace %s: %w", n.NS, err)
		}
		handles[n.Name] = h
		if err := inNS(h, func() error { return nodeSysctls(n) }); err != nil {
			return fmt.Errorf("%s: sysctls: %w", n.Name, err)
		}
		nh, err := netlink.NewHandleAt(h)
		if err != nil {
			return err
		}
		nl[n.Name] = nh
		lo, err := nh.LinkByName("lo")
		if err != nil {
			return err
		}
		if err := nh.LinkSetUp(lo); err != nil {
			return err
		}
		for _, i := range n.Ifaces {
			if i.Bridge {
				if err := nh.LinkAdd(&netlink.Bridge{LinkAttrs: netlink.LinkAttrs{Name: i.Name}}); err != nil {
					return fmt.Errorf("%s: bridge %s: %w", n.Name, i.Name, err)
				}
			}
		}
	}
	// Veths are created with both ends in their namespaces at once: no
	// link ever exists in the root namespace.
	for _, l := range p.Links {
		la := netlink.LinkAttrs{Name: l.AIf}
		if l.MTU > 0 {
			la.MTU = l.MTU
		}
		v := &netlink.Veth{LinkAttrs: la, PeerName: l.BIf, PeerNamespace: netlink.NsFd(int(handles[l.B]))}
		if err := nl[l.A].LinkAdd(v); err != nil {
			return fmt.Errorf("link %s:%s-%s:%s: %w", l.A, l.AIf, l.B, l.BIf, err)
		}
		if l.MTU > 0 {
			if peer, err := nl[l.B].LinkByName(l.BIf); err == nil {
				nl[l.B].LinkSetMTU(peer, l.MTU)
			}
		}
	}
	for _, n := range p.Nodes {
		h := nl[n.Name]
		for _, i := range n.Ifaces {
			link, err := h.LinkByName(i.Name)
			if err != nil {
				return fmt.Errorf("%s: %s: %w", n.Name, i.Name, err)
			}
			if i.Master != "" {
				br, err := h.LinkByName(i.Master)
				if err != nil {
					return err
				}
				if err := h.LinkSetMaster(link, br); err != nil {
					return err
				}
			}
			for _, a := range i.Addrs {
				ip := net.IP(a.Addr().AsSlice())
				if err := h.AddrAdd(link, &netlink.Addr{IPNet: &net.IPNet{IP: ip, Mask: net.CIDRMask(a.Bits(), 32)}}); err != nil {
					return fmt.Errorf("%s: address %s on %s: %w", n.Name, a, i.Name, err)
				}
			}
			if i.Down {
				continue
			}
			if err := h.LinkSetUp(link); err != nil {
				return err
			}
		}
	}
	for _, n := range p.Nodes {
		h := nl[n.Name]
		for _, r := range n.Routes {
			rt := &netlink.Route{Dst: &net.IPNet{IP: net.IP(r.Dst.Addr().AsSlice()), Mask: net.CIDRMask(r.Dst.Bits(), 32)}, Table: r.Table}
			if r.Table == 0 {
				rt.Table = unix.RT_TABLE_MAIN
			}
			switch {
			case r.Blackhole:
				rt.Type = unix.RTN_BLACKHOLE
			default:
				if r.Via.IsValid() {
					rt.Gw = net.IP(r.Via.AsSlice())
				}
				if r.Dev != "" {
					l, err := h.LinkByName(r.Dev)
					if err != nil {
						return err
					}
					rt.LinkIndex = l.Attrs().Index
					if !r.Via.IsValid() {
						rt.Scope = netlink.SCOPE_LINK
					}
				}
				if r.Src.IsValid() {
					rt.Src = net.IP(r.Src.AsSlice())
				}
			}
			if err := h.RouteAdd(rt); err != nil {
				return fmt.Errorf("%s: route %s via %s dev %q table %d: %w", n.Name, r.Dst, r.Via, r.Dev, r.Table, err)
			}
		}
		for _, r := range n.Rules {
			rule := netlink.NewRule()
			rule.Priority = r.Prio
			rule.Table = r.Table
			rule.IifName = r.IIF
			if r.Src.IsValid() {
				rule.Src = &net.IPNet{IP: net.IP(r.Src.Addr().AsSlice()), Mask: net.CIDRMask(r.Src.Bits(), 32)}
			}
			if r.Proto != 0 {
				rule.IPProto = int(r.Proto)
			}
			if r.Sport != 0 {
				rule.Sport = netlink.NewRulePortRange(r.Sport, r.Sport)
			}
			if r.TOS != 0 {
				rule.Tos = uint(r.TOS)
			}
			if r.Mark != 0 {
				rule.Mark = r.Mark
			}
			rule.Family = unix.AF_INET
			if err := h.RuleAdd(rule); err != nil {
				return fmt.Errorf("%s: rule iif %s table %d: %w", n.Name, r.IIF, r.Table, err)
			}
		}
		if len(n.Tables) > 0 {
			c, err := nftConn(handles[n.Name])
			if err != nil {
				return err
			}
			if err := writeTables(c, n.Tables, false); err != nil {
				return fmt.Errorf("%s: nftables: %w", n.Name, err)
			}
		}
		if len(n.Firewall) > 0 {
			if err := hostFirewall(n); err != nil {
				return err
			}
		}
		if n.Resolver.IsValid() {
			dir := filepath.Join("/etc/netns", n.NS)
			if err := os.MkdirAll(dir, 0o755); err != nil {
				return err
			}
			conf := fmt.Sprintf("# pathlab lab %s: %s's resolver\nnameserver %s\noptions timeout:2 attempts:1\n", p.Lab, n.Name, n.Resolver)
			if err := os.WriteFile(filepath.Join(dir, "resolv.conf"), []byte(conf), 0o644); err != nil {
				return err
			}
			if err := trustStore(dir, ca); err != nil {
				return err
			}
		}
	}
	return nil
}

func nodeSysctls(n *Node) error {
	set := [][2]string{
		{"net.ipv6.conf.all.disable_ipv6", "1"},
		{"net.ipv6.conf.default.disable_ipv6", "1"},
		{"net.ipv4.conf.all.rp_filter", "0"},
		{"net.ipv4.conf.default.rp_filter", "0"},
		{"net.ipv4.conf.all.accept_redirects", "0"},
		{"net.ipv4.conf.default.accept_redirects", "0"},
		{"net.ipv4.conf.all.send_redirects", "0"},
		{"net.ipv4.conf.default.send_redirects", "0"},
		// Answer every probe: no ICMP rate limits inside the lab.
		{"net.ipv4.icmp_ratelimit", "0"},
	}
	if n.Forward {
		set = append(set, [2]string{"net.ipv4.ip_forward", "1"})
	}
	if n.PortRange != "" {
		set = append(set, [2]string{"net.ipv4.ip_local_port_range", n.PortRange})
	}
	if n.ReflectTOS {
		set = append(set, [2]string{"net.ipv4.tcp_reflect_tos", "1"})
	}
	for _, kv := range set {
		if err := writeSysctl(kv[0], kv[1]); err != nil {
			return err
		}
	}
	// Bridged traffic must not meet the routed filters (br_netfilter may
	// be loaded on the machine).
	if n.Kind == KindRouter {
		for _, k := range []string{"net.bridge.bridge-nf-call-iptables", "net.bridge.bridge-nf-call-arptables"} {
			writeSysctl(k, "0")
		}
	}
	return nil
}

// hostFirewall loads a host's firewall with iptables-restore, so that
// iptables -L inside the lab shows it as the simulated shell does. Replies
// of accepted connections pass (the firewall tracks connections).
func hostFirewall(n *Node) error {
	var b strings.Builder
	b.WriteString("*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n")
	b.WriteString("-A INPUT -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT\n")
	b.WriteString("-A OUTPUT -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT\n")
	for _, r := range n.Firewall {
		chain := "INPUT"
		if r.Chain == "output" {
			chain = "OUTPUT"
		}
		line := "-A " + chain
		proto := protoOf(r.Protocol)
		if proto != "" {
			line += " -p " + proto
		}
		if r.Source != "" {
			line += " -s " + r.Source
		}
		if r.Destination != "" {
			line += " -d " + r.Destination
		}
		if !r.Port.IsZero() && (proto == "tcp" || proto == "udp") {
			lo, hi := portsOf(r.Port)
			if lo == hi {
				line += fmt.Sprintf(" --dport %d", lo)
			} else {
				line += fmt.Sprintf(" --dport %d:%d", lo, hi)
			}
		}
		switch r.Action {
		case "accept":
			line += " -j ACCEPT"
		case "drop":
			line += " -j DROP"
		case "reject":
			line += " -j REJECT --reject-with icmp-port-unreachable"
		}
		b.WriteString(line + "\n")
	}
	b.WriteString("COMMIT\n")
	cmd := exec.Command("ip", "netns", "exec", n.NS, "iptables-restore")
	cmd.Stdin = strings.NewReader(b.String())
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("%s: host firewall: iptables-restore: %v: %s", n.Name, err, out)
	}
	return nil
}

// startServers starts one server process per node that serves, inside
// its namespace, and waits until each says it is ready.
func startServers(ctx context.Context, p *Plan, st *State, exe string) error {
	var mu sync.Mutex
	var wg sync.WaitGroup
	var errs []error
	for _, n := range p.Nodes {
		if !n.Serves {
			continue
		}
		logf, err := os.Create(filepath.Join(st.Dir, n.Name+".log"))
		if err != nil {
			return err
		}
		cmd := exec.Command("ip", "netns", "exec", n.NS, exe, "lab", "serve", n.Name)
		cmd.Env = append(os.Environ(), ServeEnv+"="+st.Dir, "PATHLAB_LAB_NODE="+n.Name)
		cmd.Stderr = logf
		cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
		out, err := cmd.StdoutPipe()
		if err != nil {
			logf.Close()
			return err
		}
		if err := cmd.Start(); err != nil {
			logf.Close()
			return fmt.Errorf("%s: starting its servers: %w", n.Name, err)
		}
		logf.Close()
		mu.Lock()
		st.Servers[n.Name] = cmd.Process.Pid
		mu.Unlock()
		wg.Add(1)
		go func(n *Node, cmd *exec.Cmd, out io.ReadCloser) {
			defer wg.Done()
			ready := make(chan error, 1)
			go func() {
				line, err := bufio.NewReader(out).ReadString('\n')
				if err == nil && strings.TrimSpace(line) != "READY" {
					err = fmt.Errorf("said %q", strings.TrimSpace(line))
				}
				ready <- err
			}()
			var err error
			select {
			case err = <-ready:
			case <-time.After(15 * time.Second):
				err = errors.New("not ready after 15s")
			case <-ctx.Done():
				err = ctx.Err()
			}
			// The server lives on after this process: it must never
			// block on a pipe nobody reads.
			out.Close()
			go cmd.Wait()
			if err != nil {
				log, _ := os.ReadFile(filepath.Join(st.Dir, n.Name+".log"))
				mu.Lock()
				errs = append(errs, fmt.Errorf("%s: servers did not start: %v\n%s", n.Name, err, log))
				mu.Unlock()
			}
		}(n, cmd, out)
	}
	// Save the PIDs before waiting: a kill now leaves them findable.
	mu.Lock()
	err := st.save()
	mu.Unlock()
	wg.Wait()
	if err != nil {
		return err
	}
	return errors.Join(errs...)
}

// Down removes the named lab: its server processes and every process
// inside its namespaces, the namespaces (and with them every link, route,
// rule and filter), the resolver files and the state. It is idempotent and
// needs nothing but the name: it finds what is left by the namespaces'
// prefix when the state file is gone or stale.
func Down(name string) error {
	if err := ValidName(name); err != nil {
		return err
	}
	prefix := PrefixOf(name)
	var errs []error
	if st, err := Load(name); err == nil {
		for _, pid := range st.Servers {
			if isLabServer(pid, st.Dir) {
				syscall.Kill(pid, syscall.SIGKILL)
			}
		}
	}
	entries, _ := os.ReadDir(netnsDir)
	var nss []string
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), prefix) {
			nss = append(nss, e.Name())
		}
	}
	inodes := map[uint64]bool{}
	for _, ns := range nss {
		var s unix.Stat_t
		if unix.Stat(filepath.Join(netnsDir, ns), &s) == nil {
			inodes[s.Ino] = true
		}
	}
	// Every process inside the lab's namespaces (servers, shells), and
	// every server on its way there: a lab up killed while it started a
	// server leaves an `ip netns exec` that has not yet entered its
	// namespace, and whose PID the state file does not hold. Its
	// environment names the lab's directory.
	var victims []int
	dir := labDir(name)
	procs, _ := os.ReadDir("/proc")
	for _, pe := range procs {
		pid, err := strconv.Atoi(pe.Name())
		if err != nil || pid == os.Getpid() {
			continue
		}
		var s unix.Stat_t
		if len(inodes) > 0 && unix.Stat(fmt.Sprintf("/proc/%d/ns/net", pid), &s) == nil && inodes[s.Ino] || isLabServer(pid, dir) {
			syscall.Kill(pid, syscall.SIGKILL)
			victims = append(victims, pid)
		}
	}
	deadline := time.Now().Add(2 * time.Second)
	for _, pid := range victims {
		for time.Now().Before(deadline) {
			if syscall.Kill(pid, 0) != nil || isZombie(pid) {
				break
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
	for _, ns := range nss {
		if err := netns.DeleteNamed(ns); err != nil && !errors.Is(err, os.ErrNotExist) {
			// A kill while the namespace was being created can leave its
			// file without the mount on it: remove the file alone.
			path := filepath.Join(netnsDir, ns)
			unix.Unmount(path, unix.MNT_DETACH)
			if rerr := os.Remove(path); rerr != nil && !errors.Is(rerr, os.ErrNotExist) {
				errs = append(errs, fmt.Errorf("namespace %s: %v; %v", ns, err, rerr))
			}
		}
	}
	etc, _ := os.ReadDir("/etc/netns")
	for _, e := range etc {
		if strings.HasPrefix(e.Name(), prefix) {
			os.RemoveAll(filepath.Join("/etc/netns", e.Name()))
		}
	}
	os.RemoveAll(labDir(name))
	if err := os.Remove(statePath(name)); err != nil && !errors.Is(err, os.ErrNotExist) {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

func isZombie(pid int) bool {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return true
	}
	s := string(b)
	if i := strings.LastIndexByte(s, ')'); i >= 0 && i+2 < len(s) {
		return s[i+2] == 'Z'
	}
	return false
}

// isLabServer reports whether pid is a server of the lab in dir (a PID
// may have been reused since the state file was written).
func isLabServer(pid int, dir string) bool {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/environ", pid))
	if err != nil {
		return false
	}
	return strings.Contains(string(b), ServeEnv+"="+dir+"\x00")
}

// Namespaces lists the lab's namespaces that exist.
func Namespaces(name string) []string {
	prefix := PrefixOf(name)
	entries, _ := os.ReadDir(netnsDir)
	var out []string
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), prefix) {
			out = append(out, e.Name())
		}
	}
	return out
}

// Command returns a command that runs inside host's namespace of a lab,
// with the host's resolver in its /etc/resolv.conf.
func Command(ctx context.Context, lab, host string, args ...string) *exec.Cmd {
	return exec.CommandContext(ctx, "ip", append([]string{"netns", "exec", PrefixOf(lab) + host}, args...)...)
}

// addrOf parses an address or returns the zero value.
func addrOf(s string) netip.Addr { a, _ := netip.ParseAddr(s); return a }

// trustStore gives a lab host the system's roots and the lab CA, as
// /etc/ssl under ip netns exec: curl, openssl and Go trust the lab's
// servers there without --cacert.
func trustStore(dir, ca string) error {
	caPEM, err := os.ReadFile(ca)
	if err != nil {
		return err
	}
	certs := filepath.Join(dir, "ssl", "certs")
	if err := os.MkdirAll(certs, 0o755); err != nil {
		return err
	}
	bundle, _ := os.ReadFile("/etc/ssl/certs/ca-certificates.crt")
	if err := os.WriteFile(filepath.Join(certs, "ca-certificates.crt"), append(bundle, caPEM...), 0o644); err != nil {
		return err
	}
	if cnf, err := os.ReadFile("/etc/ssl/openssl.cnf"); err == nil {
		if err := os.WriteFile(filepath.Join(dir, "ssl", "openssl.cnf"), cnf, 0o644); err != nil {
			return err
		}
	}
	return nil
}
