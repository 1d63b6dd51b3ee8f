package lab

import (
	"context"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"net/netip"
	"os/exec"
	"strconv"
	"sync"
	"syscall"
	"time"

	"github.com/google/nftables"
	"github.com/google/nftables/binaryutil"
	"github.com/google/nftables/expr"
	"golang.org/x/sys/unix"

	"github.com/pathlab/pathlab/simnet/spec"
)

// A network balancer's TLS listener ends TLS at the node with the
// listener's certificate and opens its own TCP connection to a target
// (AWS, Network Load Balancers, "TLS listeners"). With instance targets the
// target still sees the client's address (AWS, "Client IP preservation":
// enabled for instance type target groups), so the node connects from the
// client's address with IP_TRANSPARENT, marked with the node's TOS so that
// the replies come back to it as the DNAT'ed ones do; a replies' packet
// that belongs to a transparent socket is marked and delivered locally
// (Linux's transparent proxy support, ip-rule "fwmark ... lookup" with a
// "local" route).

const (
	tproxyMark  = 0x7a
	tproxyTable = 122
)

// tlsTransparent readies the node to receive replies to its transparent
// sockets: an nft rule marks the packets of such sockets, and policy
// routing delivers marked packets locally.
func tlsTransparent() error {
	c, err := nftables.New()
	if err != nil {
		return err
	}
	t := c.AddTable(&nftables.Table{Family: nftables.TableFamilyIPv4, Name: "pathlab_nlb_tls"})
	accept := nftables.ChainPolicyAccept
	ch := c.AddChain(&nftables.Chain{Name: "prerouting", Table: t, Type: nftables.ChainTypeFilter, Hooknum: nftables.ChainHookPrerouting,
		Priority: nftables.ChainPriorityMangle, Policy: &accept})
	c.AddRule(&nftables.Rule{Table: t, Chain: ch, Exprs: []expr.Any{
		&expr.Socket{Key: expr.SocketKeyTransparent, Register: 1},
		&expr.Cmp{Op: expr.CmpOpEq, Register: 1, Data: []byte{1}},
		&expr.Immediate{Register: 1, Data: binaryutil.NativeEndian.PutUint32(tproxyMark)},
		&expr.Meta{Key: expr.MetaKeyMARK, SourceRegister: true, Register: 1},
	}})
	if err := c.Flush(); err != nil {
		return err
	}
	for _, args := range [][]string{
		{"rule", "add", "fwmark", strconv.Itoa(tproxyMark), "lookup", strconv.Itoa(tproxyTable), "priority", "40"},
		{"route", "add", "local", "0.0.0.0/0", "dev", "lo", "table", strconv.Itoa(tproxyTable)},
	} {
		if out, err := exec.Command("ip", args...).CombinedOutput(); err != nil {
			return errors.New("ip " + args[0] + ": " + string(out))
		}
	}
	return nil
}

// nlbTLS serves one TLS listener of a network balancer's node.
func (sv *servers) nlbTLS(nd spec.LBNodeSpec, li spec.ListenerSpec, g *targetGroup, tos uint8) error {
	ln, err := net.Listen("tcp4", net.JoinHostPort(nd.PrivateIP, strconv.Itoa(li.Port)))
	if err != nil {
		return err
	}
	cert := loadCert(sv.dir, li.Certificate)
	cfg := &tls.Config{GetCertificate: func(*tls.ClientHelloInfo) (*tls.Certificate, error) {
		if cert == nil {
			return nil, errors.New("no certificate")
		}
		return cert, nil
	}}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go passTLS(tls.Server(c, cfg), g, tos)
		}
	}()
	return nil
}

// passTLS ends TLS from a client and passes the bytes to a target over a
// TCP connection from the client's address.
func passTLS(c *tls.Conn, g *targetGroup, tos uint8) {
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := c.HandshakeContext(ctx); err != nil {
		return
	}
	if g == nil || len(g.targets) == 0 {
		return
	}
	g.mu.Lock()
	pick := g.targets[0] // fail open: the first of all when none is healthy
	for i, t := range g.targets {
		if g.healthy[i] {
			pick = t
			break
		}
	}
	g.mu.Unlock()
	client, _ := netip.ParseAddrPort(c.RemoteAddr().String())
	d := net.Dialer{Timeout: 10 * time.Second, LocalAddr: &net.TCPAddr{IP: client.Addr().AsSlice()},
		Control: func(_, _ string, rc syscall.RawConn) error {
			var serr error
			rc.Control(func(fd uintptr) {
				if serr = unix.SetsockoptInt(int(fd), unix.SOL_IP, unix.IP_TRANSPARENT, 1); serr == nil {
					serr = unix.SetsockoptInt(int(fd), unix.SOL_IP, unix.IP_TOS, int(tos))
				}
			})
			return serr
		}}
	t, err := d.DialContext(ctx, "tcp4", pick.addr.String())
	if err != nil {
		return
	}
	defer t.Close()
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		io.Copy(t, c)
		t.(*net.TCPConn).CloseWrite()
	}()
	io.Copy(c, t)
	c.CloseWrite()
	wg.Wait()
}
