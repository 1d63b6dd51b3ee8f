package play

import (
	"strings"
	"testing"
)

// TestCommandTranscripts keeps one golden transcript per group of the
// commands engineers type (issue 10's third item), each in a situation
// the library sets up. The format tests (format_test.go,
// format_lab_test.go) hold the same commands against the real tools.
func TestCommandTranscripts(t *testing.T) {
	cases := []struct {
		name, scenario string
		lines          []string
		want           []string // lines the transcript must hold
	}{
		{"dns", "shop-sg-app-ingress", []string{
			"nslookup shop.example.com", "nslookup -type=MX example.com", "nslookup db.internal.shop", "nslookup nope.example.com",
			"host shop.example.com", "host -t NS example.com", "host 203.0.113.10", "host nope.example.com",
			"host shop.example.com 192.0.2.99", "dig -t NS example.com +noall +answer", "dig -x 203.0.113.10 +short",
			"dig @ns1.example.com -p 5353 shop.example.com", "dig +norecurse shop.example.com", "dig +tcp shop.example.com +nocomments +nostats", "dig +tcp example.com SOA",
			"dig +bogus x", "dig -z x", "host -Z x", "nslookup -bogus x",
		}, []string{"Server:\t\t198.51.100.53", "** server can't find nope.example.com: NXDOMAIN", "Host nope.example.com not found: 3(NXDOMAIN)",
			";; communications error to 192.0.2.53#5353: connection refused", "(TCP)", "Invalid option: +bogus", "host: illegal option -- Z", "*** Invalid option: bogus"}},
		{"files-services", "shop-sg-app-ingress", []string{
			"ssh app-1", "cat /etc/resolv.conf", "cat /etc/hosts", "less /etc/shop-api/shop-api.conf", "head -n 4 /etc/systemd/system/shop-api.service",
			"cat /etc/nope", "cat /etc", "systemctl status shop-api", "systemctl status metrics", "journalctl -u metrics",
			"systemctl stop shop-api", "systemctl is-active shop-api", "journalctl -u shop-api -n 3", "systemctl start shop-api.service",
			"systemctl status nope", "systemctl frobnicate x", "journalctl -Z",
		}, []string{"nameserver 10.0.0.2", "listen = 0.0.0.0:8080", "cat: /etc/nope: No such file or directory", "Active: active (running)",
			"bound to the loopback address only", "Stopped shop-api.service - shop-api.", "inactive", "Unit nope.service could not be found.",
			"Unknown command verb frobnicate."}},
		{"connections", "shop-sg-app-ingress", []string{
			"telnet shop.example.com 443", "telnet 10.0.10.21 8080", "openssl s_client -connect shop.example.com:443 -servername shop.example.com",
			"openssl s_client -connect shop.example.com:443 -brief", "openssl s_client -bogus", "openssl x509",
			"curl -s -o /dev/null -w '%{http_code} %{remote_ip}\\n' https://shop.example.com/", "curl -si http://shop.example.com/",
			"curl -v -X POST -H 'X-Trace: 1' --resolve shop.example.com:443:203.0.113.11 https://shop.example.com/cart",
			"curl -o page.html https://shop.example.com/", "cat page.html", "curl --connect-timeout 2 -4 http://10.0.10.21:8080/", "curl --bogus x",
		}, []string{"Connected to shop.example.com.", "telnet: Unable to connect to remote host: Connection timed out", "Verify return code: 0 (ok)",
			"s_client: Unknown option: -bogus", "504 203.0.113.10", "> X-Trace: 1", "* Added shop.example.com:443:203.0.113.11 to DNS cache",
			"curl: (28) Connection timed out after 2000 milliseconds", "curl: option --bogus: is unknown"}},
		{"sockets", "shop-app-loopback", []string{
			"ssh app-1", "ss -tlnp", "ss -tan", "ss -s", "ss -tunlp", "netstat -tlnp", "netstat -tln", "ip -br a", "ip route get 10.0.20.10",
			"ip route get 10.0.10.21", "ip route get 127.0.0.1", "ip neigh", "hostname -I", "ip frob", "ss -Z", "netstat -Z",
		}, []string{"State  Recv-Q Send-Q Local Address:Port Peer Address:PortProcess", "Active Internet connections (only servers)",
			"10.0.20.10 via 10.0.10.1 dev eth0 src 10.0.10.21 uid 0 ", "local 10.0.10.21 dev lo src 10.0.10.21 uid 0 ", "10.0.10.21 \n",
			"Object \"frob\" is unknown, try \"ip help\"."}},
		{"paths", "shop-sg-app-ingress", []string{
			"ping -c 2 -W 1 10.0.10.21", "ping -c 1 shop.example.com", "mtr --report -n -c 5 shop.example.com", "tracepath -n 10.0.10.21", "ping -Z x", "mtr --bogus", "tracepath -Z x",
		}, []string{"2 packets transmitted, 0 received, 100% packet loss", "HOST: browser                     Loss%   Snt   Last   Avg  Best  Wrst StDev",
			" 1?: [LOCALHOST]                      pmtu 1500", "ping: invalid option -- 'Z'", "mtr: unrecognized option '--bogus'"}},
		{"firewall-counters", "shop-db-firewall-drop", []string{
			"nc -zv -w 2 db.internal.shop 5432", "curl -s --connect-timeout 1 http://db.internal.shop:5432/", "ssh db-1", "iptables -L -v -n", "iptables -L INPUT --line-numbers", "iptables -Q",
		}, []string{"Chain INPUT (policy ACCEPT 0 packets, 0 bytes)", "    2   120 DROP       6    --  *      *       0.0.0.0/0", "dpt:postgresql", "unknown option \"-Q\""}},
		{"tcpdump", "shop-sg-app-ingress", []string{
			"curl -s -o /dev/null https://shop.example.com/", "tcpdump -nn -c 3", "tcpdump -nn udp port 53", "tcpdump -nn 'tcp and (dst port 443) and not net 10.0.0.0/8' -c 2 -v",
			"tcpdump at web-lb -nn portrange 8000-9000", "dig shop.example.com +short", "tcpdump -nn -X", "tcpdump -i lo", "tcpdump -i eth9", "tcpdump port", "tcpdump -Z",
			"dig +tcp shop.example.com +short", "tcpdump -nn tcp port 53",
		}, []string{"53: Flags [S], seq 1828167567", "listening on eth0, link-type EN10MB (Ethernet), snapshot length 262144 bytes", "A? shop.example.com.", "proto TCP (6)", "0x0000:  4500",
			"tcpdump: eth9: No such device exists", "tcpdump: can't parse filter expression: syntax error", "tcpdump: invalid option -- 'Z'"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			st, err := libraryScenario(t, tc.scenario).Build()
			if err != nil {
				t.Fatal(err)
			}
			_, out := session(t, st, tc.lines, Options{})
			if strings.Contains(out, "command not found") || strings.Contains(out, "internal error") {
				t.Errorf("a command is missing or crashed:\n%s", out)
			}
			for _, w := range tc.want {
				if !strings.Contains(out, w) {
					t.Errorf("transcript lacks %q", w)
				}
			}
			golden(t, "commands-"+tc.name, out)
		})
	}
}

// TestCommandsSurviveOddArguments gives every command of the shell odd
// arguments: each answers with a message, never a crash.
func TestCommandsSurviveOddArguments(t *testing.T) {
	st, err := libraryScenario(t, "shop-db-firewall-drop").Build()
	if err != nil {
		t.Fatal(err)
	}
	odd := []string{"", "--", "-", "-x", "-t", "-p", "-c", "-W", "-n", "-i", "-o", "-w", "-H", "-X", "-connect", "--resolve", "-c 0", "-p -1", "-p 99999",
		"@", "+", "+time=x", "x y z", "'('", "-type=", "-port=x", "-u", "-n -1", "s_client", "s_client -connect", "status", "start", "route get", "-br", "neigh x",
		"at", "at nowhere", "not", "( port", "portrange 9-", "-tulpn extra", "-L -v -n INPUT", "/etc/", "-n 2 /etc/hosts /etc/nope"}
	for name := range shellCommands() {
		if name == "edit" || name == "quit" || name == "give-up" || name == "reset" {
			continue
		}
		for _, a := range odd {
			_, out := session(t, st, []string{"ssh db-1", name + " " + a}, Options{})
			if strings.Contains(out, "internal error") {
				t.Errorf("%s %s crashed:\n%s", name, a, out)
			}
		}
	}
}
