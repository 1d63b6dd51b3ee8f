package play

import (
	"context"
	"fmt"
	"io"
	"net/netip"
	"slices"
	"strings"
	"time"

	"github.com/pathlab/pathlab/tracer"
)

// Live is the real network a live shell observes (pathlab shell --live):
// the same observation commands as in a scenario, with the same output,
// over a tracer.Network made of real packets instead of the simulation.
type Live struct {
	// Net is the network from this host.
	Net tracer.Network
	// Host names this host, for the prompt.
	Host string
	// Via returns the network that asks the DNS server at addr instead of
	// Net's (dig @SERVER); nil refuses dig @SERVER.
	Via func(addr netip.AddrPort) tracer.Network
	// Now is the clock dig's WHEN line reads; nil means time.Now.
	Now func() time.Time
}

// liveCommands are the commands a live shell runs: those that observe
// the network from this host. The others read or change a simulated
// world, which a live shell has not.
var liveCommands = []string{"dig", "curl", "nc", "ping", "traceroute", "nslookup", "host", "telnet", "openssl", "mtr", "tracepath", "hostname", "help", "exit", "quit"}

// NewLive starts a shell over the real network: only the observation
// commands run, and no scenario judges anything.
func NewLive(l Live, out io.Writer, o Options) *Shell {
	if o.Now == nil {
		o.Now = time.Now
	}
	if l.Now == nil {
		l.Now = time.Now
	}
	if l.Host == "" {
		l.Host = "localhost"
	}
	s := &Shell{out: out, opts: o, live: &l, vantage: []string{l.Host}, named: map[int]bool{}}
	s.stats.Start = o.Now()
	return s
}

// liveRefuses reports whether a live shell refuses command name, and says
// so.
func (s *Shell) liveRefuses(name string) bool {
	if s.live == nil || slices.Contains(liveCommands, name) {
		return false
	}
	fmt.Fprintf(s.out, "%s: not available in a live shell: it reads or changes a simulated world (live: %s)\n", name, strings.Join(liveCommands[:len(liveCommands)-3], ", "))
	return true
}

// liveServer is dig's @SERVER in a live shell: an address, or a name this
// host resolves first, as dig does.
func (s *Shell) liveServer(ctx context.Context, server string, port uint16) (tracer.Network, netip.Addr, error) {
	if s.live.Via == nil {
		return nil, netip.Addr{}, fmt.Errorf("@SERVER is not available here")
	}
	a, err := netip.ParseAddr(server)
	if err != nil {
		ans, err := s.live.Net.Resolve(ctx, server, 1 /* A */)
		if err != nil {
			return nil, netip.Addr{}, err
		}
		if len(ans.Addrs) == 0 {
			return nil, netip.Addr{}, fmt.Errorf("couldn't get address for '%s': not found", server)
		}
		a = ans.Addrs[0]
	}
	return s.live.Via(netip.AddrPortFrom(a, port)), a, nil
}

// Intro of a live shell: where it runs and what it can do.
func (s *Shell) liveIntro() {
	fmt.Fprintf(s.out, "Live shell on %s: the commands send real packets from this host.\nType help for the commands, quit to leave.\n\n", s.Host())
}

// liveServerText is dig's SERVER line for the server a live query went
// to (ADDR:PORT), named as the user wrote it.
func liveServerText(server, asked string) string {
	ap, err := netip.ParseAddrPort(server)
	if err != nil {
		return server + " (UDP)"
	}
	name := ap.Addr().String()
	if asked != "" {
		name = asked
	}
	return fmt.Sprintf("%s#%d(%s) (UDP)", ap.Addr(), ap.Port(), name)
}

// pingNet gives a live Network ping: an ICMP "dial" is an echo request,
// made with the Network's ICMP traceroute, whose reaching the host is the
// echo reply. The real Network (tracer/probe) dials TCP and UDP only.
type pingNet struct{ tracer.Network }

func (n pingNet) Dial(ctx context.Context, proto tracer.Proto, addr netip.AddrPort) (*tracer.Conn, error) {
	if proto != tracer.ICMP {
		return n.Network.Dial(ctx, proto, addr)
	}
	start := time.Now()
	rt, err := n.Network.Traceroute(ctx, tracer.ICMP, netip.AddrPortFrom(addr.Addr(), 0), 30)
	if err != nil {
		return nil, err
	}
	c := &tracer.Conn{Proto: tracer.ICMP, Addr: addr, State: tracer.ConnTimeout, Hops: rt.Explain}
	if rt.Reached && len(rt.Hops) > 0 {
		c.State, c.RTT = tracer.ConnOpen, rt.Hops[len(rt.Hops)-1].RTT
	} else {
		c.RTT = time.Since(start)
	}
	return c, nil
}
