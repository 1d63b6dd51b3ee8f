package importer

import (
	"net/netip"
	"sort"
)

// Secondary private addresses (issue 10): an instance's primary interface
// may hold more private IPv4 addresses than its primary one. Terraform
// writes them as aws_instance's secondary_private_ips, or as the
// private_ips of the aws_network_interface that is the instance's primary
// interface (its id is the instance's primary_network_interface_id);
// the EC2 API lists them in the interface's PrivateIpAddresses with
// Primary false (aws.go turns those into secondary_private_ips).

// secondaryIPs sets the secondary addresses of instance in (from r) that
// lie in its subnet: those aws_instance gives, then those of its primary
// interface.
func (b *builder) secondaryIPs(in *wInstance, r *resource, pfx netip.Prefix) {
	seen := map[string]bool{in.spec.PrivateIP: true}
	add := func(texts []string, from *resource) {
		for _, t := range texts {
			a, ok := privateIn(t, pfx)
			if !ok {
				if t != "" && !seen[t] {
					b.warn(from.Label(), "secondary address %s of instance %s is not in its subnet; left out", t, in.spec.Name)
				}
				continue
			}
			if seen[a.String()] {
				continue
			}
			seen[a.String()] = true
			in.spec.SecondaryPrivateIPs = append(in.spec.SecondaryPrivateIPs, a.String())
		}
	}
	list := strs(r.V, "secondary_private_ips")
	sort.Strings(list) // a set in Terraform: its order means nothing
	add(list, r)
	eni := str(r.V, "primary_network_interface_id")
	if eni == "" {
		return
	}
	for _, n := range b.of("aws_network_interface") {
		if str(n.V, "id") != eni {
			continue
		}
		ips := strs(n.V, "private_ips")
		sort.Strings(ips)
		add(ips, n)
		b.imported(n, in.spec.Name)
	}
}
