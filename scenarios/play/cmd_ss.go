package play

import (
	"context"
	"fmt"
	"strconv"
	"strings"
)

// ss and netstat list the sockets of the host the learner is on: its
// running services, as iproute2's ss and net-tools' netstat print them.

// hostSocket is one socket of the host.
type hostSocket struct {
	proto        string // tcp, udp
	state        string // LISTEN, UNCONN
	recvQ, sendQ int
	local        string // ADDR
	port         int
	peer         string // 0.0.0.0
	peerPort     string // *
	process      string
	pid, fd      int
}

func (s *Shell) sockets() []hostSocket {
	svcs, _, _, _ := s.hostSpec()
	var out []hostSocket
	for i, sv := range svcs {
		if !sv.IsRunning() {
			continue
		}
		h := hostSocket{proto: "tcp", state: "LISTEN", sendQ: 4096, local: serviceBind(sv), port: sv.Port, peer: "0.0.0.0", peerPort: "*",
			process: sv.Name, pid: servicePID(sv), fd: 3 + i}
		if strings.EqualFold(sv.Protocol, "udp") {
			h.proto, h.state, h.sendQ = "udp", "UNCONN", 0
		}
		out = append(out, h)
	}
	return out
}

// ssColumn is one of ss's columns: its header, its alignment and the
// delimiter before it, as iproute2's ss.c declares them.
type ssColumn struct {
	header string
	right  bool
	delim  string
}

func (s *Shell) ss(_ context.Context, args []string) error {
	var tcp, udp, listening, all, numeric, process, summary, netid bool
	for _, a := range args {
		if !strings.HasPrefix(a, "-") || len(a) < 2 {
			s.printf("ss: filters are not available here; use the options (-t -u -l -a -n -p -s)\n")
			return nil
		}
		long := map[string]byte{"--tcp": 't', "--udp": 'u', "--listening": 'l', "--all": 'a', "--numeric": 'n', "--processes": 'p', "--summary": 's', "--ipv4": '4'}
		letters := a[1:]
		if strings.HasPrefix(a, "--") {
			c, ok := long[a]
			if !ok {
				s.printf("ss: unrecognized option '%s'\nUsage: ss [ OPTIONS ]\n       ss [ OPTIONS ] [ FILTER ]\n", a)
				return nil
			}
			letters = string(c)
		}
		for _, c := range letters {
			switch c {
			case 't':
				tcp = true
			case 'u':
				udp = true
			case 'l':
				listening = true
			case 'a':
				all = true
			case 'n':
				numeric = true
			case 'p':
				process = true
			case 's':
				summary = true
			case '4', 'e', 'o', 'm', 'i':
			default:
				s.printf("ss: invalid option -- '%c'\nUsage: ss [ OPTIONS ]\n       ss [ OPTIONS ] [ FILTER ]\n", c)
				return nil
			}
		}
	}
	socks := s.sockets()
	if summary {
		s.ssSummary(socks)
		return nil
	}
	if !tcp && !udp {
		tcp = true // ss lists TCP (and more) by default; the host has no other sockets worth listing
		udp = all || listening
	}
	netid = tcp && udp
	var rows [][]string
	for _, h := range socks {
		if (h.proto == "tcp" && !tcp) || (h.proto == "udp" && !udp) {
			continue
		}
		// Every socket here listens: -l or -a shows it, neither does not.
		if !listening && !all {
			continue
		}
		port := strconv.Itoa(h.port)
		if !numeric {
			if n := serviceNames[h.port]; n != "" {
				port = n
			}
		}
		row := []string{h.state, strconv.Itoa(h.recvQ), strconv.Itoa(h.sendQ), h.local + ":", port, h.peer + ":", h.peerPort}
		if netid {
			row = append([]string{h.proto}, row...)
		}
		proc := ""
		if process {
			proc = fmt.Sprintf(" users:((\"%s\",pid=%d,fd=%d))", h.process, h.pid, h.fd)
		}
		rows = append(rows, append(row, proc))
	}
	cols := []ssColumn{{"State", false, ""}, {"Recv-Q", false, " "}, {"Send-Q", false, " "}, {"Local Address:", true, " "}, {"Port", false, ""},
		{"Peer Address:", true, " "}, {"Port", false, ""}, {"Process", false, ""}}
	if netid {
		cols = append([]ssColumn{{"Netid", false, ""}}, cols...)
		cols[1].delim = " "
	}
	s.print(ssTable(cols, rows))
	return nil
}

// ssTable lays out rows as ss does: each column as wide as its widest
// cell or header, right- or left-aligned, every cell padded.
func ssTable(cols []ssColumn, rows [][]string) string {
	width := make([]int, len(cols))
	for i, c := range cols {
		width[i] = len(c.header)
		for _, r := range rows {
			width[i] = max(width[i], len(r[i]))
		}
	}
	var b strings.Builder
	line := func(cells []string) {
		for i, c := range cols {
			b.WriteString(c.delim)
			pad := strings.Repeat(" ", width[i]-len(cells[i]))
			if c.right {
				b.WriteString(pad + cells[i])
			} else {
				b.WriteString(cells[i] + pad)
			}
		}
		b.WriteString("\n")
	}
	headers := make([]string, len(cols))
	for i, c := range cols {
		headers[i] = c.header
	}
	line(headers)
	for _, r := range rows {
		line(r)
	}
	return b.String()
}

func (s *Shell) ssSummary(socks []hostSocket) {
	tcp, udp := 0, 0
	for _, h := range socks {
		if h.proto == "tcp" {
			tcp++
		} else {
			udp++
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Total: %d\nTCP:   %d (estab 0, closed 0, orphaned 0, timewait 0)\n\n", tcp+udp, tcp)
	b.WriteString("Transport Total     IP        IPv6\n")
	for _, r := range []struct {
		name string
		n    int
	}{{"RAW", 0}, {"UDP", udp}, {"TCP", tcp}, {"INET", tcp + udp}, {"FRAG", 0}} {
		fmt.Fprintf(&b, "%s\t  %-9d %-9d %-9d\n", r.name, r.n, r.n, 0)
	}
	b.WriteString("\n")
	s.print(b.String())
}

func (s *Shell) netstat(_ context.Context, args []string) error {
	var tcp, udp, listening, all, process bool
	for _, a := range args {
		if !strings.HasPrefix(a, "-") || len(a) < 2 || strings.HasPrefix(a, "--") {
			s.printf("netstat: the options here are -t -u -l -a -n -p (as in netstat -tlnp)\n")
			return nil
		}
		for _, c := range a[1:] {
			switch c {
			case 't':
				tcp = true
			case 'u':
				udp = true
			case 'l':
				listening = true
			case 'a':
				all = true
			case 'p':
				process = true
			case 'n', '4', 'e', 'W':
			default:
				s.printf("netstat: invalid option -- '%c'\nusage: netstat [-vWeenNcCF] [<Af>] -r         netstat {-V|--version|-h|--help}\n", c)
				return nil
			}
		}
	}
	if !tcp && !udp {
		tcp, udp = true, true
	}
	var b strings.Builder
	switch {
	case all:
		b.WriteString("Active Internet connections (servers and established)\n")
	case listening:
		b.WriteString("Active Internet connections (only servers)\n")
	default:
		b.WriteString("Active Internet connections (w/o servers)\n")
	}
	if process {
		b.WriteString("Proto Recv-Q Send-Q Local Address           Foreign Address         State       PID/Program name    \n")
	} else {
		b.WriteString("Proto Recv-Q Send-Q Local Address           Foreign Address         State      \n")
	}
	for _, h := range s.sockets() {
		if (h.proto == "tcp" && !tcp) || (h.proto == "udp" && !udp) || (!listening && !all) {
			continue
		}
		state := h.state
		if h.proto == "udp" {
			state = ""
		}
		fmt.Fprintf(&b, "%-5s %6d %6d %-23s %-23s %-11s", h.proto, h.recvQ, 0, h.local+":"+strconv.Itoa(h.port), "0.0.0.0:*", state)
		if process {
			fmt.Fprintf(&b, " %-20s", fmt.Sprintf("%d/%s", h.pid, h.process))
		}
		b.WriteString("\n")
	}
	s.print(b.String())
	return nil
}
