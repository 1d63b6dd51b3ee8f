package play

import (
	"context"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/pathlab/pathlab/tracer"
)

// mtr --report and tracepath walk the path with the Network's traceroute,
// as traceroute does, and print what mtr-tiny and iputils' tracepath
// print.

// pathProbe resolves host and traces the path to it with proto probes.
func (s *Shell) pathProbe(ctx context.Context, what, host string, proto tracer.Proto, port int) (netip.Addr, *tracer.Route, bool, error) {
	n, err := s.net()
	if err != nil {
		return netip.Addr{}, nil, false, err
	}
	last := &lastRequest{what: what, from: s.Host(), world: s.world}
	s.last = last
	addrs, hops, err := s.lookup(ctx, n, host)
	if err != nil {
		return netip.Addr{}, nil, false, err
	}
	last.hops = append(last.hops, hops...)
	if len(addrs) == 0 {
		return netip.Addr{}, nil, false, nil
	}
	rt, err := n.Traceroute(ctx, proto, netip.AddrPortFrom(addrs[0], uint16(port)), 30)
	if err != nil {
		return addrs[0], nil, true, err
	}
	last.hops = append(last.hops, rt.Explain...)
	return addrs[0], rt, true, nil
}

func (s *Shell) mtr(ctx context.Context, args []string) error {
	count, numeric, report := 10, false, false
	proto, port := tracer.ICMP, 0
	var host string
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch a {
		case "-r", "--report", "-w", "--report-wide":
			report = true
		case "-n", "--no-dns":
			numeric = true
		case "-T", "--tcp":
			proto, port = tracer.TCP, 80
		case "-u", "--udp":
			proto, port = tracer.UDP, 33434
		case "-c", "--report-cycles", "-P", "--port":
			if i+1 >= len(args) {
				s.printf("mtr: option requires an argument -- '%s'\n", optLetter(a))
				return nil
			}
			i++
			v, err := strconv.Atoi(args[i])
			if err != nil || v < 1 || (a == "-P" || a == "--port") && v > 65535 {
				s.printf("mtr: invalid argument: '%s'\n", args[i])
				return nil
			}
			if a == "-c" || a == "--report-cycles" {
				count = v
			} else {
				port = v
			}
		default:
			if strings.HasPrefix(a, "-") {
				s.printf("mtr: unrecognized option '%s'\n", a)
				return nil
			}
			host = a
		}
	}
	if host == "" {
		return badUsage("mtr --report [-n] [-c COUNT] [-T [-P PORT]] HOST")
	}
	if !report {
		s.printf("mtr: the interactive display is not available here; mtr --report gives the same figures\n")
		return nil
	}
	dst, rt, found, err := s.pathProbe(ctx, "mtr "+strings.Join(args, " "), host, proto, port)
	if err != nil {
		return err
	}
	if !found {
		s.printf("mtr: Failed to resolve host: %s: Name or service not known\n", host)
		return nil
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Start: %s\n", s.now().Format("2006-01-02T15:04:05-0700"))
	fmt.Fprintf(&b, "HOST: %-27s Loss%%   Snt   Last   Avg  Best  Wrst StDev\n", s.Host())
	row := func(ttl int, name string, loss float64, ms float64) {
		text := fmt.Sprintf("%.1f%%", loss)
		if len(text) > 5 {
			text = text[:5]
		}
		fmt.Fprintf(&b, "%3d.|-- %-25s %5s %5d %6.1f %5.1f %5.1f %5.1f %5.1f\n", ttl, name, text, count, ms, ms, ms, ms, 0.0)
	}
	last := 0
	for _, h := range rt.Hops {
		last = h.TTL
		if h.Address == "" {
			row(h.TTL, "???", 100, 0)
			continue
		}
		name := h.Address
		if !numeric && h.Name != "" {
			name = h.Name
		}
		ms := float64(h.RTT.Microseconds()) / 1000
		row(h.TTL, name, 0, ms)
		s.elapsed += time.Duration(count) * h.RTT
	}
	if !rt.Reached && last < 30 {
		row(last+1, "???", 100, 0)
	}
	s.elapsed += time.Duration(count) * time.Second
	_ = dst
	s.print(b.String())
	return nil
}
