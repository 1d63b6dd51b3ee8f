package simnet

import (
	"context"
	"fmt"
	"net/netip"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/miekg/dns"
	"github.com/pathlab/pathlab/tracer"
)

// Flow is one request of a world's reachability: from a client or an
// instance to a listener, a service or a DNS name.
type Flow struct {
	From   string `json:"from"`
	Target string `json:"target"`
	// Delivered and BrokenAt are the trace's verdict.
	Delivered bool          `json:"delivered"`
	BrokenAt  *tracer.Break `json:"broken_at"`
	// Absent: the world has no such vantage point (the flow exists only
	// in the other world of a diff).
	Absent bool `json:"absent,omitempty"`
}

// Flows lists the requests worth trying in the world, without tracing
// them: from every internet client and every instance to every DNS name it
// can see (public zones; private zones of its VPC) for each listener or
// service behind the name, and to every listener and service it could
// reach by address that no name covers. An instance does not try its own
// services.
func (w *World) Flows(ctx context.Context) ([][2]string, error) {
	var out [][2]string
	for _, src := range w.flowSources() {
		targets, err := w.flowTargets(ctx, src)
		if err != nil {
			return nil, err
		}
		for _, t := range targets {
			out = append(out, [2]string{src, t})
		}
	}
	return out, nil
}

// flowSources are the clients, then the instances, in file order.
func (w *World) flowSources() []string {
	var out []string
	for _, c := range w.spec.Internet.Clients {
		out = append(out, c.Name)
	}
	for _, v := range w.spec.VPCs {
		for _, in := range v.Instances {
			out = append(out, in.Name)
		}
	}
	return out
}

// endpoint is a port something listens on, and the URL scheme to try it
// with.
type endpoint struct {
	port   uint16
	scheme string // https, http, tcp, udp
}

func (e endpoint) url(host string) string {
	h := host
	if strings.Contains(host, ":") {
		h = "[" + host + "]"
	}
	switch e.scheme {
	case "https", "http":
		if (e.scheme == "https" && e.port == 443) || (e.scheme == "http" && e.port == 80) {
			return e.scheme + "://" + h + "/"
		}
		return e.scheme + "://" + h + ":" + strconv.Itoa(int(e.port)) + "/"
	}
	return e.scheme + "://" + h + ":" + strconv.Itoa(int(e.port))
}

// endpoints lists what answers at an interface: a balancer's listeners, a
// host's services.
func endpoints(i *iface) []endpoint {
	var out []endpoint
	switch {
	case i.kind == kindLBNode && i.lb != nil:
		for _, li := range i.lb.listeners {
			e := endpoint{port: li.port, scheme: "tcp"}
			switch li.proto {
			case "https", "http":
				e.scheme = li.proto
			}
			out = append(out, e)
		}
	case i.host != nil:
		for _, s := range i.host.services {
			e := endpoint{port: s.port, scheme: s.proto.String()}
			if s.proto == protoTCP && s.http != nil {
				e.scheme = "http"
				if s.tlsName != "" {
					e.scheme = "https"
				}
			}
			out = append(out, e)
		}
	}
	return out
}

// flowTargets lists the targets worth trying from the named source.
func (w *World) flowTargets(ctx context.Context, src string) ([]string, error) {
	n, err := w.From(src)
	if err != nil {
		return nil, err
	}
	self := n.from
	covered := map[string]bool{} // address/port pairs a name already reaches
	var out []string
	add := func(i *iface, a netip.Addr, host string) {
		if i == nil || i == self || (self.host != nil && i.host == self.host) {
			return
		}
		for _, e := range endpoints(i) {
			key := netip.AddrPortFrom(a, e.port).String() + "/" + e.scheme
			if host == a.String() && covered[key] {
				continue
			}
			covered[key] = true
			out = append(out, e.url(host))
		}
	}
	// By name: every owner of an address record or alias the source can
	// see, as it resolves it.
	for _, name := range w.visibleNames(self) {
		a, err := n.Resolve(ctx, name, dns.TypeA)
		if err != nil {
			return nil, err
		}
		if len(a.Addrs) == 0 {
			continue
		}
		addr := a.Addrs[0]
		add(w.ifaceAt(self.vpc, addr), addr, strings.TrimSuffix(name, "."))
	}
	// By address: what no name covers.
	var byAddr []*iface
	if self.vpc != nil {
		vpcs := []*vpc{self.vpc}
		for _, p := range w.peerings {
			if o := p.other(self.vpc); o != nil && p.active {
				vpcs = append(vpcs, o)
			}
		}
		for _, v := range vpcs {
			for _, i := range v.ifaces {
				if i.kind == kindInstance || (i.kind == kindLBNode && i.lb.internal) {
					byAddr = append(byAddr, i)
				}
			}
		}
	}
	for _, i := range w.internet {
		if i.kind == kindServer {
			byAddr = append(byAddr, i)
		}
	}
	for _, i := range w.public {
		if i.kind == kindInstance || (i.kind == kindLBNode && !i.lb.internal) {
			byAddr = append(byAddr, i)
		}
	}
	sort.Slice(byAddr, func(a, b int) bool { return ifaceAddr(byAddr[a], self).Less(ifaceAddr(byAddr[b], self)) })
	seenLB := map[*lb]bool{}
	for _, i := range byAddr {
		if i.kind == kindLBNode {
			if seenLB[i.lb] {
				continue // one node of a balancer is enough
			}
			seenLB[i.lb] = true
		}
		a := ifaceAddr(i, self)
		add(i, a, a.String())
	}
	return out, nil
}

// ifaceAddr is the address a source uses for an interface: the private
// one from inside its VPC (or a peered one), else the public one.
func ifaceAddr(i *iface, from *iface) netip.Addr {
	if i.vpc == nil || (i.kind == kindLBNode && !i.lb.internal && i.public.IsValid()) {
		return i.public // the internet side, and an internet-facing balancer, by its public address
	}
	if from.vpc != nil && i.private.IsValid() {
		if i.vpc == from.vpc {
			return i.private
		}
		if !i.public.IsValid() {
			return i.private // across a peering
		}
	}
	if i.public.IsValid() {
		return i.public
	}
	return i.private
}

// visibleNames lists, sorted, the owners of A, AAAA and CNAME records in
// the public zones and in the private zones of the source's VPC.
func (w *World) visibleNames(from *iface) []string {
	set := map[string]bool{}
	for _, z := range w.zones {
		if z.private {
			visible := false
			for _, v := range z.vpcs {
				if v == from.vpc {
					visible = true
				}
			}
			if !visible {
				continue
			}
		}
		z.data.Owners(func(owner string, recs []dns.RR) {
			for _, r := range recs {
				if t := r.Header().Rrtype; t == dns.TypeA || t == dns.TypeAAAA || t == dns.TypeCNAME {
					set[owner] = true
				}
			}
		})
	}
	out := make([]string, 0, len(set))
	for n := range set {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// Reachability traces every flow of the world (Flows), on all cores.
func (w *World) Reachability(ctx context.Context) ([]Flow, error) {
	keys, err := w.Flows(ctx)
	if err != nil {
		return nil, err
	}
	return w.traceFlows(ctx, keys)
}

// traceFlows traces the flows in parallel; a flow from a vantage point the
// world lacks is Absent.
func (w *World) traceFlows(ctx context.Context, keys [][2]string) ([]Flow, error) {
	out := make([]Flow, len(keys))
	errs := make([]error, len(keys))
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), max(1, len(keys))) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				k := keys[i]
				out[i] = Flow{From: k[0], Target: k[1]}
				if w.hosts[k[0]] == nil {
					out[i].Absent = true
					continue
				}
				target, err := tracer.ParseTarget(k[1])
				if err != nil {
					errs[i] = err
					continue
				}
				r, err := w.Trace(ctx, k[0], target)
				if err != nil {
					errs[i] = fmt.Errorf("tracing %s from %s: %w", k[1], k[0], err)
					continue
				}
				out[i].Delivered, out[i].BrokenAt = r.Delivered(), r.BrokenAt
			}
		}()
	}
	for i := range keys {
		if ctx.Err() != nil {
			break
		}
		next <- i
	}
	close(next)
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}
