package lab

import (
	"fmt"
	"net"
	"strings"

	"github.com/google/nftables"
	"github.com/google/nftables/binaryutil"
	"github.com/google/nftables/expr"
	"github.com/vishvananda/netns"
	"golang.org/x/sys/unix"
)

// nftConn opens nftables in a namespace.
func nftConn(ns netns.NsHandle) (*nftables.Conn, error) {
	return nftables.New(nftables.WithNetNSFd(int(ns)))
}

// writeTables adds tables to a namespace in one batch; replace deletes a
// table of the same name first.
func writeTables(c *nftables.Conn, tables []*Table, replace bool) error {
	if replace {
		existing, err := c.ListTablesOfFamily(nftables.TableFamilyIPv4)
		if err != nil {
			return err
		}
		for _, t := range tables {
			for _, e := range existing {
				if e.Name == t.Name {
					c.DelTable(e)
				}
			}
		}
	}
	rules := 0
	for _, t := range tables {
		nt := c.AddTable(&nftables.Table{Family: nftables.TableFamilyIPv4, Name: t.Name})
		chains := map[string]*nftables.Chain{}
		// Regular chains first, so that jumps find them.
		for _, ch := range t.Chains {
			if ch.Hook != "" {
				continue
			}
			chains[ch.Name] = c.AddChain(&nftables.Chain{Name: ch.Name, Table: nt})
		}
		for _, ch := range t.Chains {
			if ch.Hook == "" {
				continue
			}
			accept := nftables.ChainPolicyAccept
			nc := &nftables.Chain{Name: ch.Name, Table: nt, Priority: nftables.ChainPriorityRef(nftables.ChainPriority(ch.Priority)), Policy: &accept}
			nc.Type = nftables.ChainTypeFilter
			switch ch.Type {
			case "nat":
				nc.Type = nftables.ChainTypeNAT
			case "route":
				nc.Type = nftables.ChainTypeRoute
			}
			switch ch.Hook {
			case "input":
				nc.Hooknum = nftables.ChainHookInput
			case "output":
				nc.Hooknum = nftables.ChainHookOutput
			case "forward":
				nc.Hooknum = nftables.ChainHookForward
			case "prerouting":
				nc.Hooknum = nftables.ChainHookPrerouting
			case "postrouting":
				nc.Hooknum = nftables.ChainHookPostrouting
			default:
				return fmt.Errorf("chain %s: unknown hook %q", ch.Name, ch.Hook)
			}
			chains[ch.Name] = c.AddChain(nc)
		}
		for _, ch := range t.Chains {
			for _, r := range ch.Rules {
				exprs, err := ruleExprs(r)
				if err != nil {
					return fmt.Errorf("table %s chain %s: %s: %w", t.Name, ch.Name, r, err)
				}
				c.AddRule(&nftables.Rule{Table: nt, Chain: chains[ch.Name], Exprs: exprs})
				// A long table (a transit gateway's appliance choices,
				// tgw.go) in one batch overflows the netlink socket's
				// buffer with its acknowledgements.
				if rules++; rules%100 == 0 {
					if err := c.Flush(); err != nil {
						return err
					}
				}
			}
		}
	}
	return c.Flush()
}

func ifname(n string) []byte {
	b := make([]byte, 16)
	copy(b, n)
	return b
}

func cmpReg(op expr.CmpOp, data []byte) *expr.Cmp { return &expr.Cmp{Op: op, Register: 1, Data: data} }

func ruleExprs(r FRule) ([]expr.Any, error) {
	var e []expr.Any
	if r.IIF != "" {
		e = append(e, &expr.Meta{Key: expr.MetaKeyIIFNAME, Register: 1}, cmpReg(expr.CmpOpEq, ifname(r.IIF)))
	}
	if r.OIF != "" {
		e = append(e, &expr.Meta{Key: expr.MetaKeyOIFNAME, Register: 1}, cmpReg(expr.CmpOpEq, ifname(r.OIF)))
	}
	if r.Established {
		e = append(e, &expr.Ct{Register: 1, Key: expr.CtKeySTATE},
			&expr.Bitwise{SourceRegister: 1, DestRegister: 1, Len: 4,
				Mask: binaryutil.NativeEndian.PutUint32(expr.CtStateBitESTABLISHED | expr.CtStateBitRELATED), Xor: make([]byte, 4)},
			cmpReg(expr.CmpOpNeq, make([]byte, 4)))
	}
	if r.CtInvalid {
		e = append(e, &expr.Ct{Register: 1, Key: expr.CtKeySTATE},
			&expr.Bitwise{SourceRegister: 1, DestRegister: 1, Len: 4,
				Mask: binaryutil.NativeEndian.PutUint32(expr.CtStateBitINVALID), Xor: make([]byte, 4)},
			cmpReg(expr.CmpOpNeq, make([]byte, 4)))
	}
	if r.DNATed {
		const ipsDstNAT = 0x20
		e = append(e, &expr.Ct{Register: 1, Key: expr.CtKeySTATUS},
			&expr.Bitwise{SourceRegister: 1, DestRegister: 1, Len: 4,
				Mask: binaryutil.NativeEndian.PutUint32(ipsDstNAT), Xor: make([]byte, 4)},
			cmpReg(expr.CmpOpNeq, make([]byte, 4)))
	}
	addrMatch := func(off uint32, p string, neq bool) error {
		_, n, err := net.ParseCIDR(p)
		if err != nil {
			return err
		}
		ones, _ := n.Mask.Size()
		if ones == 0 && !neq {
			return nil
		}
		e = append(e, &expr.Payload{DestRegister: 1, Base: expr.PayloadBaseNetworkHeader, Offset: off, Len: 4})
		if ones < 32 {
			e = append(e, &expr.Bitwise{SourceRegister: 1, DestRegister: 1, Len: 4, Mask: []byte(n.Mask), Xor: make([]byte, 4)})
		}
		op := expr.CmpOpEq
		if neq {
			op = expr.CmpOpNeq
		}
		e = append(e, cmpReg(op, n.IP.To4()))
		return nil
	}
	if !anyPrefix(r.Src) {
		if err := addrMatch(12, r.Src.String(), false); err != nil {
			return nil, err
		}
	}
	for _, n := range r.NotSrc {
		if err := addrMatch(12, n.String(), true); err != nil {
			return nil, err
		}
	}
	if !anyPrefix(r.Dst) {
		if err := addrMatch(16, r.Dst.String(), false); err != nil {
			return nil, err
		}
	}
	switch r.Proto {
	case "tcp", "udp", "icmp":
		p := map[string]byte{"tcp": unix.IPPROTO_TCP, "udp": unix.IPPROTO_UDP, "icmp": unix.IPPROTO_ICMP}[r.Proto]
		e = append(e, &expr.Meta{Key: expr.MetaKeyL4PROTO, Register: 1}, cmpReg(expr.CmpOpEq, []byte{p}))
	}
	if r.hasPorts() {
		e = append(e, &expr.Payload{DestRegister: 1, Base: expr.PayloadBaseTransportHeader, Offset: 2, Len: 2})
		if r.PortLo == r.PortHi {
			e = append(e, cmpReg(expr.CmpOpEq, binaryutil.BigEndian.PutUint16(r.PortLo)))
		} else {
			e = append(e, cmpReg(expr.CmpOpGte, binaryutil.BigEndian.PutUint16(r.PortLo)),
				cmpReg(expr.CmpOpLte, binaryutil.BigEndian.PutUint16(r.PortHi)))
		}
	}
	if r.TCPMask != 0 {
		e = append(e, &expr.Payload{DestRegister: 1, Base: expr.PayloadBaseTransportHeader, Offset: 13, Len: 1},
			&expr.Bitwise{SourceRegister: 1, DestRegister: 1, Len: 1, Mask: []byte{r.TCPMask}, Xor: []byte{0}},
			cmpReg(expr.CmpOpEq, []byte{r.TCPFlags}))
	}
	if r.TTLFrom != 0 {
		// TTL and protocol are one aligned 16-bit word: rewrite both so
		// that the checksum update is right.
		e = append(e, &expr.Payload{DestRegister: 1, Base: expr.PayloadBaseNetworkHeader, Offset: 8, Len: 1}, cmpReg(expr.CmpOpEq, []byte{r.TTLFrom}),
			&expr.Payload{DestRegister: 1, Base: expr.PayloadBaseNetworkHeader, Offset: 8, Len: 2},
			&expr.Bitwise{SourceRegister: 1, DestRegister: 1, Len: 2, Mask: []byte{0x00, 0xff}, Xor: []byte{r.TTLFrom + 1, 0x00}},
			&expr.Payload{OperationType: expr.PayloadWrite, SourceRegister: 1, Base: expr.PayloadBaseNetworkHeader,
				Offset: 8, Len: 2, CsumType: expr.CsumTypeInet, CsumOffset: 10})
	}
	if r.TOS != 0 {
		e = append(e, &expr.Payload{DestRegister: 1, Base: expr.PayloadBaseNetworkHeader, Offset: 1, Len: 1}, cmpReg(expr.CmpOpEq, []byte{r.TOS}))
	}
	if r.CtMark != 0 {
		e = append(e, &expr.Immediate{Register: 1, Data: binaryutil.NativeEndian.PutUint32(r.CtMark)},
			&expr.Ct{Register: 1, Key: expr.CtKeyMARK, SourceRegister: true})
	}
	if r.MarkFromCt {
		e = append(e, &expr.Ct{Register: 1, Key: expr.CtKeyMARK},
			&expr.Meta{Key: expr.MetaKeyMARK, Register: 1, SourceRegister: true})
	}
	if r.SetMark != 0 {
		e = append(e, &expr.Immediate{Register: 1, Data: binaryutil.NativeEndian.PutUint32(r.SetMark)},
			&expr.Meta{Key: expr.MetaKeyMARK, Register: 1, SourceRegister: true})
	}
	if r.SetTOS != 0 {
		// As nft does for "ip dscp set": rewrite the aligned 16 bits
		// (version, header length and TOS) so the checksum update is
		// right.
		e = append(e, &expr.Payload{DestRegister: 1, Base: expr.PayloadBaseNetworkHeader, Offset: 0, Len: 2},
			&expr.Bitwise{SourceRegister: 1, DestRegister: 1, Len: 2, Mask: []byte{0xff, 0x00}, Xor: []byte{0x00, r.SetTOS}},
			&expr.Payload{OperationType: expr.PayloadWrite, SourceRegister: 1, Base: expr.PayloadBaseNetworkHeader,
				Offset: 0, Len: 2, CsumType: expr.CsumTypeInet, CsumOffset: 10})
	}
	v := strings.Fields(r.Verdict)
	if len(v) == 0 {
		return nil, fmt.Errorf("no verdict")
	}
	switch v[0] {
	case "accept":
		e = append(e, &expr.Verdict{Kind: expr.VerdictAccept})
	case "drop":
		e = append(e, &expr.Verdict{Kind: expr.VerdictDrop})
	case "return":
		e = append(e, &expr.Verdict{Kind: expr.VerdictReturn})
	case "jump":
		if len(v) != 2 {
			return nil, fmt.Errorf("jump needs a chain")
		}
		e = append(e, &expr.Verdict{Kind: expr.VerdictJump, Chain: v[1]})
	case "snat", "dnat":
		if !r.To.Is4() {
			return nil, fmt.Errorf("%s needs an IPv4 address", v[0])
		}
		a := r.To.As4()
		e = append(e, &expr.Immediate{Register: 1, Data: a[:]})
		nat := &expr.NAT{Type: expr.NATTypeSourceNAT, Family: unix.NFPROTO_IPV4, RegAddrMin: 1}
		if v[0] == "dnat" {
			nat.Type = expr.NATTypeDestNAT
		}
		if r.ToLo != 0 {
			hi := r.ToHi
			if hi == 0 {
				hi = r.ToLo
			}
			e = append(e, &expr.Immediate{Register: 2, Data: binaryutil.BigEndian.PutUint16(r.ToLo)},
				&expr.Immediate{Register: 3, Data: binaryutil.BigEndian.PutUint16(hi)})
			nat.RegProtoMin, nat.RegProtoMax = 2, 3
			nat.Specified = true
		}
		e = append(e, nat)
	default:
		return nil, fmt.Errorf("unknown verdict %q", r.Verdict)
	}
	return e, nil
}
