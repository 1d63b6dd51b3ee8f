package lab

import (
	"github.com/pathlab/pathlab/simnet/spec"
)

// Availability zones in the balancer nodes, as the simulation has them
// (simnet/zones.go):
//
//   - a target in a zone where the balancer has no node gets no traffic
//     (ELB User Guide, "Target health status": Target.NotInUse);
//   - with cross-zone load balancing off, a node sends only to targets of
//     its own zone (ELB User Guide, "Cross-zone load balancing"); it is on
//     by default for application balancers and off for network ones.
//
// A subnet that names no zone shares every zone.

// crossZone says whether lb balances across zones.
func crossZone(lb spec.LoadBalancerSpec) bool {
	if lb.CrossZone != nil {
		return *lb.CrossZone
	}
	return lb.Type != "network"
}

// subnetZones maps a VPC's subnets to their zones.
func subnetZones(v *spec.VPCSpec) map[string]string {
	m := map[string]string{}
	for _, sn := range v.Subnets {
		m[sn.Name] = sn.Zone
	}
	return m
}

// nodeSends says whether node nd of lb sends to a target in subnet
// targetSubnet.
func nodeSends(v *spec.VPCSpec, lb spec.LoadBalancerSpec, nd spec.LBNodeSpec, targetSubnet string) bool {
	zones := subnetZones(v)
	tz := zones[targetSubnet]
	if tz == "" {
		return true
	}
	inUse := false
	for _, n := range lb.Nodes {
		if z := zones[n.Subnet]; z == "" || z == tz {
			inUse = true
		}
	}
	if !inUse {
		return false
	}
	if crossZone(lb) {
		return true
	}
	nz := zones[nd.Subnet]
	return nz == "" || nz == tz
}

// zoneUnused says whether instance t is in a zone where lb has no node
// (Target.NotInUse); a target this node skips only for cross-zone is not.
func zoneUnused(v *spec.VPCSpec, lb spec.LoadBalancerSpec, t string) bool {
	zones := subnetZones(v)
	for _, in := range v.Instances {
		if in.Name != t {
			continue
		}
		tz := zones[in.Subnet]
		if tz == "" {
			return false
		}
		for _, n := range lb.Nodes {
			if z := zones[n.Subnet]; z == "" || z == tz {
				return false
			}
		}
		return true
	}
	return false
}
