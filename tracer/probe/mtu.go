package probe

import (
	"context"
	"fmt"
	"net/netip"
	"sync"
	"time"

	"golang.org/x/sys/unix"
)

// MTUOptions tune a path MTU probe.
type MTUOptions struct {
	MaxHops int           // default 16
	Start   int           // the first packet size tried (default 1500)
	Wait    time.Duration // how long to wait for a round's answers (default 1s)
	Refill  time.Duration // pause before silent probes are sent again (default 1.1s)
}

// MTUHop is what one TTL showed.
type MTUHop struct {
	TTL     int        `json:"ttl"`
	Address netip.Addr `json:"address"`
	// Large is set when a probe of the final size got an answer from
	// this TTL; Small when a small one did.
	Large bool `json:"large"`
	Small bool `json:"small"`
}

// MTUResult is a path MTU probe's result.
type MTUResult struct {
	Dst     netip.Addr `json:"dst"`
	PMTU    int        `json:"pmtu"` // the largest size that reached the target; 0 if none did
	Size    int        `json:"size"` // the size the last round tried
	Reached bool       `json:"reached"`
	// Blackhole is set when small packets reach the target and large
	// ones vanish with no "fragmentation needed" coming back; LastLarge
	// is the last hop that large packets reached.
	Blackhole    bool       `json:"blackhole"`
	LastLarge    netip.Addr `json:"last_large,omitempty"`
	LastLargeTTL int        `json:"last_large_ttl,omitempty"`
	Hops         []MTUHop   `json:"hops"`
	Steps        []string   `json:"steps"` // what each round learned, as tracepath prints it
	Reason       string     `json:"reason"`
	Interrupted  bool       `json:"interrupted,omitempty"`
}

// PathMTU finds the path MTU to dst as tracepath does: UDP probes with DF
// set (IP_PMTUDISC_PROBE, so cached PMTU state does not matter) and
// IP_RECVERR, so no privileges are needed. Each round sends a large and a
// small probe for every TTL at once; "fragmentation needed" (or the local
// EMSGSIZE) lowers the size for the next round. When small probes reach
// the target and large ones vanish silently past some hop, that is an MTU
// black hole, and LastLarge names the last hop large packets reach.
func PathMTU(ctx context.Context, dst netip.Addr, o MTUOptions) (*MTUResult, error) {
	dst = dst.Unmap()
	if !dst.Is4() {
		return nil, fmt.Errorf("probe: the MTU probe is IPv4 only")
	}
	if o.MaxHops <= 0 {
		o.MaxHops = 16
	}
	if o.Start <= 0 {
		o.Start = 1500
	}
	if o.Wait <= 0 {
		o.Wait = time.Second
	}
	if o.Refill <= 0 {
		o.Refill = 1100 * time.Millisecond
	}
	res := &MTUResult{Dst: dst, Hops: []MTUHop{}, Steps: []string{}}
	size := o.Start
	base := uint16(33434 + randUint32()%20000)
	for round := 0; round < 8; round++ {
		res.Size = size
		r, err := mtuRound(ctx, dst, size, base, o)
		if err != nil {
			return nil, err
		}
		base += uint16(2 * o.MaxHops)
		if ctx.Err() != nil {
			res.Interrupted = true
			res.Reason = "interrupted before the path MTU was known"
			return res, nil
		}
		if r.lower > 0 && r.lower < size {
			who := "this host's interface"
			if r.lowerFrom.IsValid() {
				who = r.lowerFrom.String()
			}
			res.Steps = append(res.Steps, fmt.Sprintf("%d bytes: too big for the link after %s, which says pmtu %d", size, who, r.lower))
			size = r.lower
			continue
		}
		res.Hops = r.hops
		dstTTL := 0
		for _, h := range r.hops {
			if h.Address == dst && h.Small && dstTTL == 0 {
				dstTTL = h.TTL
			}
			if h.Address == dst && h.Large {
				res.Reached, res.PMTU = true, size
			}
		}
		switch {
		case res.Reached:
			res.Steps = append(res.Steps, fmt.Sprintf("%d bytes reach %s", size, dst))
			res.Reason = fmt.Sprintf("path MTU %d: %d-byte packets with DF set reach %s", size, size, dst)
		case dstTTL > 0:
			res.Blackhole = true
			for _, h := range r.hops {
				if h.Large && h.TTL < dstTTL {
					res.LastLarge, res.LastLargeTTL = h.Address, h.TTL
				}
			}
			after := "this host"
			if res.LastLarge.IsValid() {
				after = fmt.Sprintf("%s (TTL %d)", res.LastLarge, res.LastLargeTTL)
			}
			res.Steps = append(res.Steps, fmt.Sprintf("%d bytes vanish after %s; small packets reach %s at TTL %d", size, after, dst, dstTTL))
			res.Reason = fmt.Sprintf("MTU black hole: %d-byte packets with DF set pass %s and then vanish with no \"fragmentation needed\" coming back, while small ones reach %s at TTL %d", size, after, dst, dstTTL)
		default:
			res.Reason = fmt.Sprintf("%s does not answer small probes either: the path MTU cannot be told", dst)
		}
		return res, nil
	}
	res.Reason = "the size kept changing; gave up after 8 rounds"
	return res, nil
}

type mtuRoundResult struct {
	hops      []MTUHop
	lower     int
	lowerFrom netip.Addr
}

type mtuEvent struct {
	ttl   int
	large bool
	e     ExtError
	port  bool // the target answered (port unreachable, or a reply)
}

func mtuRound(ctx context.Context, dst netip.Addr, size int, base uint16, o MTUOptions) (mtuRoundResult, error) {
	var out mtuRoundResult
	cctx, cancel := context.WithCancel(ctx)
	defer cancel()
	events := make(chan mtuEvent, 4*o.MaxHops)
	var wg sync.WaitGroup
	defer wg.Wait()
	defer cancel()
	hops := make([]MTUHop, o.MaxHops+1)
	send := func(ttl int, large bool, port uint16) error {
		s, err := newErrSocket(dst, unix.SOCK_DGRAM)
		if err != nil {
			return err
		}
		if err := unix.SetsockoptInt(s.fd, unix.SOL_IP, unix.IP_MTU_DISCOVER, unix.IP_PMTUDISC_PROBE); err != nil {
			s.Close()
			return fmt.Errorf("probe: IP_MTU_DISCOVER: %w", err)
		}
		if err := s.setTTL(ttl); err != nil {
			s.Close()
			return err
		}
		if err := s.connect(netip.AddrPortFrom(dst, port)); err != nil {
			return err
		}
		n := 12
		if large {
			n = size - 28
		}
		if _, err := s.f.Write(make([]byte, n)); err != nil {
			// EMSGSIZE: too big for this host's own interface.
			if e, ok := s.readErr(); ok && e.Info > 0 {
				// EMSGSIZE from this host: ee_info is the interface's MTU.
				events <- mtuEvent{ttl: ttl, large: large, e: ExtError{Type: 3, Code: 4, Info: e.Info}}
			} else if mtu, err := unix.GetsockoptInt(s.fd, unix.SOL_IP, unix.IP_MTU); err == nil && mtu < size {
				events <- mtuEvent{ttl: ttl, large: large, e: ExtError{Type: 3, Code: 4, Info: uint32(mtu)}}
			}
			s.Close()
			return nil
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer s.Close()
			ev, ok := waitRecvErrRaw(cctx, s)
			if !ok {
				return
			}
			me := mtuEvent{ttl: ttl, large: large, e: ev}
			me.port = ev.Offender == dst && ev.Type == 3 && ev.Code == 3 || !ev.Offender.IsValid()
			select {
			case events <- me:
			case <-cctx.Done():
			}
		}()
		return nil
	}
	port := base
	sendAll := func(onlySilent bool) error {
		for ttl := 1; ttl <= o.MaxHops; ttl++ {
			for _, large := range []bool{true, false} {
				if onlySilent && ((large && hops[ttl].Large) || (!large && hops[ttl].Small)) {
					continue
				}
				if err := send(ttl, large, port); err != nil {
					return err
				}
				port++
			}
		}
		return nil
	}
	take := func(ev mtuEvent) {
		h := &hops[ev.ttl]
		h.TTL = ev.ttl
		if ev.e.Type == 3 && ev.e.Code == 4 && ev.large {
			if out.lower == 0 || int(ev.e.Info) < out.lower {
				out.lower, out.lowerFrom = int(ev.e.Info), ev.e.Offender
			}
			return
		}
		if ev.port {
			h.Address = dst
		} else if !h.Address.IsValid() {
			h.Address = ev.e.Offender
		}
		if ev.large {
			h.Large = true
		} else {
			h.Small = true
		}
	}
	collect := func(d time.Duration) {
		t := time.NewTimer(d)
		defer t.Stop()
		for {
			select {
			case ev := <-events:
				take(ev)
			case <-t.C:
				return
			case <-ctx.Done():
				return
			}
		}
	}
	if err := sendAll(false); err != nil {
		return out, err
	}
	collect(o.Wait)
	if out.lower == 0 && ctx.Err() == nil {
		// Probe silent ones again once rate limits have refilled.
		collect(o.Refill - o.Wait)
		if err := sendAll(true); err != nil {
			return out, err
		}
		collect(o.Wait)
	}
	// Keep the TTLs up to the target.
	end := o.MaxHops
	for ttl := 1; ttl <= o.MaxHops; ttl++ {
		hops[ttl].TTL = ttl
		if hops[ttl].Address == dst {
			end = ttl
			break
		}
	}
	out.hops = append([]MTUHop(nil), hops[1:end+1]...)
	return out, nil
}

// waitRecvErrRaw waits for the socket's error queue (or a reply, which
// is reported as an error with no offender).
func waitRecvErrRaw(ctx context.Context, s *errSocket) (ExtError, bool) {
	stop := context.AfterFunc(ctx, func() { s.f.SetReadDeadline(time.Unix(1, 0)) })
	defer stop()
	rc, err := s.f.SyscallConn()
	if err != nil {
		return ExtError{}, false
	}
	var e ExtError
	var got bool
	rc.Read(func(fd uintptr) bool {
		var b [64]byte
		var oob [512]byte
		_, oobn, _, _, err := unix.Recvmsg(int(fd), b[:], oob[:], unix.MSG_ERRQUEUE|unix.MSG_DONTWAIT)
		if err == nil {
			if x, ok := ParseErrQueue(oob[:oobn]); ok && x.ICMP() {
				e, got = x, true
				return true
			}
			return false
		}
		if _, _, err := unix.Recvfrom(int(fd), b[:], unix.MSG_DONTWAIT); err == nil {
			got = true
			return true
		}
		return false
	})
	return e, got
}
