package play

import (
	"time"

	"github.com/miekg/dns"
)

// lastDNS is the question a dig, host or nslookup asked and the reply it
// got, kept so that tcpdump shows the query and its answer.
type lastDNS struct {
	name   string
	qtype  uint16
	tcp    bool
	server string // ADDR#PORT
	msg    *dns.Msg
	// A query that got no usable answer: failed is set, msg is nil.
	failed  bool
	refused bool      // the server (or its host) refused it
	tries   int       // how many times the command asked
	when    time.Time // when the first try left
	norec   bool      // asked without recursion (dig +trace to the root)
}
