package play

import (
	"context"
	"fmt"
	"net/netip"
	"strconv"
	"strings"

	"github.com/miekg/dns"
)

// host and nslookup ask the same servers as dig (Shell.query) and print
// their answers as bind9-host's host and bind9-dnsutils' nslookup do.

// hostQuestion is host's or nslookup's reading of its arguments.
type hostQuestion struct {
	name    string // as typed
	qname   string // what is asked: the name, or the reverse name of an address
	reverse bool
	qtypes  []uint16
	typed   bool // -t / -type= was given
	server  string
	port    uint16
}

func (q *hostQuestion) finish(args []string) error {
	if len(args) == 0 || len(args) > 2 {
		return errHostUsage
	}
	q.name = args[0]
	if len(args) == 2 {
		q.server = args[1]
	}
	q.qname = q.name
	if a, err := netip.ParseAddr(q.name); err == nil && !q.typed {
		q.qname, _ = dns.ReverseAddr(a.String())
		q.reverse, q.qtypes = true, []uint16{dns.TypePTR}
	}
	if _, ok := dns.IsDomainName(q.qname); !ok {
		return fmt.Errorf("'%s' is not a legal name (label too long)", q.name)
	}
	return nil
}

var errHostUsage = fmt.Errorf(`Usage: host [-aCdilrTvVw] [-c class] [-N ndots] [-t type] [-W time]
            [-R number] [-m flag] [-p port] hostname [server]`)

func (s *Shell) host(ctx context.Context, args []string) error {
	q := hostQuestion{qtypes: []uint16{dns.TypeA, dns.TypeAAAA, dns.TypeMX}, port: 53}
	var rest []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "-t" || a == "-p" || a == "-W":
			if i+1 >= len(args) {
				s.printf("host: option requires an argument -- '%s'\n%v\n", a[1:], errHostUsage)
				return nil
			}
			i++
			switch a {
			case "-t":
				t, ok := digTypes[strings.ToUpper(args[i])]
				if !ok {
					s.printf("host: invalid type: %s\n", args[i])
					return nil
				}
				q.qtypes, q.typed = []uint16{t}, true
			case "-p":
				p, err := strconv.Atoi(args[i])
				if err != nil || p < 0 || p > 65535 {
					s.printf("host: port number %s out of range\n", args[i])
					return nil
				}
				q.port = uint16(p)
			}
		case a == "-4":
		case strings.HasPrefix(a, "-") && len(a) > 1:
			s.printf("host: illegal option -- %c\n%v\n", a[1], errHostUsage)
			return nil
		default:
			rest = append(rest, a)
		}
	}
	if err := q.finish(rest); err != nil {
		s.printf("%v\n", err)
		return nil
	}
	var b strings.Builder
	defer func() { s.print(b.String()) }()
	if q.server != "" {
		fmt.Fprintf(&b, "Using domain server:\nName: %s\n", q.server)
	}
	aliases := map[string]bool{}
	for i, qt := range q.qtypes {
		r, err := s.query(ctx, q.server, q.port, q.qname, qt, false, false)
		if err != nil {
			return err
		}
		s.elapsed += r.rtt
		if i == 0 && q.server != "" {
			fmt.Fprintf(&b, "Address: %s\nAliases: \n\n", r.serverAddr)
		}
		if r.msg == nil {
			why := "timed out"
			if r.refused {
				why = "connection refused"
			}
			s.recordDNSFailure("host "+strings.Join(args, " "), q.qname, qt, false, r, 2)
			for range 2 {
				fmt.Fprintf(&b, ";; communications error to %s: %s\n", r.serverAddr, why)
			}
			b.WriteString(";; no servers could be reached\n")
			return nil
		}
		s.last = &lastRequest{what: "host " + strings.Join(args, " "), from: s.Host(), hops: r.hops, dns: &lastDNS{name: q.qname, qtype: qt, server: r.serverAddr, msg: r.msg}}
		if r.msg.Rcode != dns.RcodeSuccess {
			fqdn := strings.TrimSuffix(q.qname, ".")
			if q.reverse {
				fqdn = dns.Fqdn(q.qname)
			}
			fmt.Fprintf(&b, "Host %s not found: %d(%s)\n", fqdn, r.msg.Rcode, dns.RcodeToString[r.msg.Rcode])
			return nil
		}
		found := false
		for _, rr := range r.msg.Answer {
			owner := strings.TrimSuffix(rr.Header().Name, ".")
			switch v := rr.(type) {
			case *dns.CNAME:
				if !aliases[owner] {
					fmt.Fprintf(&b, "%s is an alias for %s.\n", owner, strings.TrimSuffix(v.Target, "."))
					aliases[owner] = true
				}
				continue
			case *dns.A:
				fmt.Fprintf(&b, "%s has address %s\n", owner, v.A)
			case *dns.AAAA:
				fmt.Fprintf(&b, "%s has IPv6 address %s\n", owner, v.AAAA)
			case *dns.MX:
				fmt.Fprintf(&b, "%s mail is handled by %d %s\n", owner, v.Preference, v.Mx)
			case *dns.PTR:
				fmt.Fprintf(&b, "%s domain name pointer %s\n", owner, v.Ptr)
			case *dns.NS:
				fmt.Fprintf(&b, "%s name server %s\n", owner, v.Ns)
			case *dns.TXT:
				fmt.Fprintf(&b, "%s descriptive text %s\n", owner, strings.Join(quoteAll(v.Txt), " "))
			case *dns.SOA:
				fmt.Fprintf(&b, "%s has SOA record %s\n", owner, rrData(v))
			default:
				fmt.Fprintf(&b, "%s has %s record %s\n", owner, dns.TypeToString[rr.Header().Rrtype], rrData(rr))
			}
			found = true
		}
		if !found && q.typed {
			fmt.Fprintf(&b, "%s has no %s record\n", strings.TrimSuffix(q.qname, "."), dns.TypeToString[qt])
		}
	}
	return nil
}

func quoteAll(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = strconv.Quote(s)
	}
	return out
}

func (s *Shell) nslookup(ctx context.Context, args []string) error {
	q := hostQuestion{qtypes: []uint16{dns.TypeA, dns.TypeAAAA}, port: 53}
	var rest []string
	for _, a := range args {
		opt, val, _ := strings.Cut(strings.TrimPrefix(a, "-"), "=")
		switch {
		case !strings.HasPrefix(a, "-") || a == "-":
			rest = append(rest, a)
		case opt == "type" || opt == "querytype" || opt == "q" || opt == "query":
			t, ok := digTypes[strings.ToUpper(val)]
			if !ok {
				s.printf("unknown query type: %s\n", val)
				return nil
			}
			q.qtypes, q.typed = []uint16{t}, true
		case opt == "port":
			p, err := strconv.Atoi(val)
			if err != nil || p < 0 || p > 65535 {
				s.printf("*** Invalid option: %s\n", strings.TrimPrefix(a, "-"))
				return nil
			}
			q.port = uint16(p)
		case opt == "timeout" || opt == "retry" || opt == "norecurse" || opt == "recurse" || opt == "vc" || opt == "novc":
		default:
			s.printf("*** Invalid option: %s\n", strings.TrimPrefix(a, "-"))
			return nil
		}
	}
	if len(rest) == 0 {
		return badUsage("nslookup [-type=TYPE] [-port=N] NAME [SERVER] (the interactive mode is not available here)")
	}
	if err := q.finish(rest); err != nil {
		s.printf("%v\n", err)
		return nil
	}
	var b strings.Builder
	defer func() { s.print(b.String()) }()
	headed, nonAuth := false, false
	for _, qt := range q.qtypes {
		r, err := s.query(ctx, q.server, q.port, q.qname, qt, false, false)
		if err != nil {
			return err
		}
		s.elapsed += r.rtt
		if r.msg == nil {
			why := "timed out"
			if r.refused {
				why = "connection refused"
			}
			s.recordDNSFailure("nslookup "+strings.Join(args, " "), q.qname, qt, false, r, 3)
			for range 3 {
				fmt.Fprintf(&b, ";; communications error to %s: %s\n", r.serverAddr, why)
			}
			b.WriteString(";; no servers could be reached\n\n")
			return nil
		}
		s.last = &lastRequest{what: "nslookup " + strings.Join(args, " "), from: s.Host(), hops: r.hops, dns: &lastDNS{name: q.qname, qtype: qt, server: r.serverAddr, msg: r.msg}}
		if !headed && !q.reverse {
			addr, _, _ := strings.Cut(r.serverAddr, "#")
			fmt.Fprintf(&b, "Server:\t\t%s\nAddress:\t%s\n\n", addr, r.serverAddr)
		}
		headed = true
		if r.msg.Rcode != dns.RcodeSuccess {
			fmt.Fprintf(&b, "** server can't find %s: %s\n\n", strings.TrimSuffix(q.name, "."), dns.RcodeToString[r.msg.Rcode])
			return nil
		}
		if !r.msg.Authoritative && !nonAuth && !q.reverse {
			b.WriteString("Non-authoritative answer:\n")
			nonAuth = true
		}
		if len(r.msg.Answer) == 0 && q.typed {
			fmt.Fprintf(&b, "*** Can't find %s: No answer\n", strings.TrimSuffix(q.name, "."))
		}
		for _, rr := range r.msg.Answer {
			owner := strings.TrimSuffix(rr.Header().Name, ".")
			switch v := rr.(type) {
			case *dns.CNAME:
				if qt == q.qtypes[0] {
					fmt.Fprintf(&b, "%s\tcanonical name = %s\n", owner, v.Target)
				}
			case *dns.A:
				fmt.Fprintf(&b, "Name:\t%s\nAddress: %s\n", owner, v.A)
			case *dns.AAAA:
				fmt.Fprintf(&b, "Name:\t%s\nAddress: %s\n", owner, v.AAAA)
			case *dns.PTR:
				fmt.Fprintf(&b, "%s\tname = %s\n", owner, v.Ptr)
			case *dns.MX:
				fmt.Fprintf(&b, "%s\tmail exchanger = %d %s\n", owner, v.Preference, v.Mx)
			case *dns.NS:
				fmt.Fprintf(&b, "%s\tnameserver = %s\n", owner, v.Ns)
			case *dns.TXT:
				fmt.Fprintf(&b, "%s\ttext = %s\n", owner, strings.Join(quoteAll(v.Txt), " "))
			default:
				fmt.Fprintf(&b, "%s\t%s\n", owner, rrData(rr))
			}
		}
	}
	b.WriteString("\n")
	if nonAuth && q.typed || q.reverse {
		b.WriteString("Authoritative answers can be found from:\n\n")
	}
	return nil
}
