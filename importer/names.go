package importer

import (
	"fmt"
	"sort"
	"strings"
)

// namePrefix is the start of the world names of each resource type that
// becomes a named world element.
var namePrefix = map[string]string{
	"aws_vpc": "vpc", "aws_default_vpc": "vpc",
	"aws_subnet": "subnet", "aws_default_subnet": "subnet",
	"aws_route_table": "rt", "aws_default_route_table": "rt",
	"aws_network_acl": "acl", "aws_default_network_acl": "acl",
	"aws_security_group": "sg", "aws_default_security_group": "sg",
	"aws_internet_gateway":       "igw",
	"aws_nat_gateway":            "nat",
	"aws_vpc_peering_connection": "pcx", "aws_vpc_peering_connection_accepter": "pcx",
	"aws_instance": "",
	"aws_lb":       "lb", "aws_alb": "lb",
	"aws_lb_target_group": "tg", "aws_alb_target_group": "tg",
	"aws_acm_certificate": "cert",
	// Extensions (issue 11).
	"aws_ec2_managed_prefix_list":            "pl",
	"aws_vpn_gateway":                        "vgw",
	"aws_customer_gateway":                   "cgw",
	"aws_vpn_connection":                     "vpn",
	"aws_ec2_transit_gateway":                "tgw",
	"aws_ec2_transit_gateway_vpc_attachment": "att",
	"aws_ec2_transit_gateway_route_table":    "tgw-rt",
	"aws_vpc_endpoint":                       "vpce",
}

// sanitize makes a name of lower-case letters, digits and dashes.
func sanitize(s string) string {
	var b strings.Builder
	dash := false
	for _, c := range strings.ToLower(s) {
		if (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') {
			b.WriteRune(c)
			dash = false
		} else if !dash && b.Len() > 0 {
			b.WriteByte('-')
			dash = true
		}
	}
	return strings.TrimRight(b.String(), "-")
}

// readable is the part of a world name taken from the address: the
// module path with its keys, the resource name and its key.
func readable(r *resource) string {
	var parts []string
	for _, seg := range splitAddr(r.Module) {
		if seg.name == "module" {
			continue
		}
		parts = append(parts, sanitize(seg.name+" "+seg.key))
	}
	if !(r.Name == "this" && len(parts) > 0) {
		parts = append(parts, sanitize(r.Name))
	}
	if r.Index != nil {
		parts = append(parts, sanitize(indexText(r.Index)))
	}
	var keep []string
	for _, p := range parts {
		if p != "" {
			keep = append(keep, p)
		}
	}
	return strings.Join(keep, "-")
}

// baseWorldName is a resource's world name before collisions are settled.
func baseWorldName(r *resource) (string, bool) {
	prefix, ok := namePrefix[r.Type]
	if !ok {
		return "", false
	}
	if r.label != "" { // AWS CLI input: the Name tag, else the id
		if r.Name != "" {
			n := sanitize(r.Name)
			if prefix != "" && !strings.HasPrefix(n, prefix+"-") && n != prefix {
				n = prefix + "-" + n
			}
			return n, true
		}
		return sanitize(r.Addr), true
	}
	n := readable(r)
	if n == "" {
		n = "default"
	}
	if prefix != "" && n != prefix && !strings.HasPrefix(n, prefix+"-") {
		n = prefix + "-" + n
	}
	return n, true
}

// assignNames gives every resource that becomes a named element a unique
// world name, stable for an address: in address order, a later clash gets
// -2, -3. Passing both sides of a plan names both worlds alike.
func assignNames(sets ...[]*resource) map[string]string {
	byAddr := map[string]*resource{}
	for _, rs := range sets {
		for _, r := range rs {
			if _, ok := byAddr[r.Addr]; !ok {
				byAddr[r.Addr] = r
			}
		}
	}
	addrs := make([]string, 0, len(byAddr))
	for a := range byAddr {
		addrs = append(addrs, a)
	}
	sort.Strings(addrs)
	out := map[string]string{}
	taken := map[string]bool{clientName: true, resolverName: true}
	for _, a := range addrs {
		n, ok := baseWorldName(byAddr[a])
		if !ok {
			continue
		}
		name := n
		for i := 2; taken[name]; i++ {
			name = fmt.Sprintf("%s-%d", n, i)
		}
		taken[name] = true
		out[a] = name
	}
	return out
}
