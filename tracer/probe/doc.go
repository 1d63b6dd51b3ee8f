// Package probe implements tracer.Network over the real network: DNS
// queries with miekg/dns, half-open TCP SYN probes and traceroutes on raw
// sockets (with connect() and IP_RECVERR where raw sockets are refused),
// TLS handshakes and HTTP requests.
//
// Every probe is planned as a value first (which TTLs, ports and probe IDs;
// see PlanSYN and PlanTrace), then executed by a thin layer of socket code
// that matches each reply to its probe by what the reply quotes, never by
// arrival order. Probes take a context, are rate-bounded, and return what
// they learned so far when the context ends.
package probe
