package play

import "github.com/miekg/dns"

// lastDNS is the question a dig, host or nslookup asked and the reply it
// got, kept so that tcpdump shows the query and its answer.
type lastDNS struct {
	name   string
	qtype  uint16
	tcp    bool
	server string // ADDR#PORT
	msg    *dns.Msg
}
