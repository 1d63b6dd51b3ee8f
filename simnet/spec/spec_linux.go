package spec

// Extensions for Linux hosts with more than one address (issue 10,
// Build 2): secondary private addresses, and a DNS server on a host whose
// UDP answers may leave from another address than the one asked.

// DNSServerSpec makes a host's udp/53 service answer DNS queries: as a
// recursive resolver that forwards to the host's own resolver (for an
// instance, the VPC resolver), or as the authoritative server of some of
// the world's zones. Exactly one of the two.
type DNSServerSpec struct {
	// Recursive: the server forwards every query to the host's own
	// resolver and answers what it gets (unbound or dnsmasq with the VPC
	// resolver as upstream).
	Recursive bool `yaml:"recursive,omitempty" json:"recursive,omitempty"`
	// Zones: the server is authoritative for these zones of the world
	// (names of dns.zones[]) and refuses other names.
	Zones []string `yaml:"zones,omitempty" json:"zones,omitempty"`
}

// Reply sources of a UDP service (ServiceSpec.ReplyFrom).
const (
	// ReplyFromAsked: the answer leaves from the address the query was
	// sent to (a socket bound to each address, or IP_PKTINFO: unbound's
	// interface-automatic, BIND, dnsmasq). The default.
	ReplyFromAsked = "asked"
	// ReplyFromPrimary: the answer leaves from the address the kernel's
	// route to the client picks, the interface's primary address (a
	// socket bound to 0.0.0.0 without IP_PKTINFO): a query sent to a
	// secondary address is answered from the primary one.
	ReplyFromPrimary = "primary"
)
