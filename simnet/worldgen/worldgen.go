// Package worldgen writes synthetic worlds of any size: VPCs in tiers
// (public, app, data), an internet-facing balancer per VPC and a NAT gateway
// per zone, peerings to a hub VPC, public and private DNS, and security groups
// with many rules, CIDR and group references both. The same options give
// the same file, byte for byte, so benchmarks and tests can name a world by
// its options.
package worldgen

import (
	"bufio"
	"fmt"
	"io"
	"math/rand/v2"
	"strconv"
)

// Options size a world.
type Options struct {
	VPCs      int // 0: one per 200 subnets
	Subnets   int // in all (at least 4 per VPC: two public, one app, one data)
	Instances int // in all
	Rules     int // security group rules in all (at least the few each group needs)
	Seed      uint64
}

// Defaults fills what was left zero, and checks the rest.
func (o Options) normalize() (Options, error) {
	if o.Subnets <= 0 {
		o.Subnets = 40
	}
	if o.Instances < 0 || o.Rules < 0 || o.VPCs < 0 {
		return o, fmt.Errorf("sizes are whole numbers from 0 up")
	}
	if o.VPCs == 0 {
		o.VPCs = max(1, (o.Subnets+199)/200)
	}
	if o.VPCs > 250 {
		return o, fmt.Errorf("--vpcs %d: at most 250 VPCs (each takes a /16 of 10.0.0.0/8)", o.VPCs)
	}
	if o.Subnets < 4*o.VPCs {
		o.Subnets = 4 * o.VPCs
	}
	if o.Subnets/o.VPCs > 1000 {
		return o, fmt.Errorf("--subnets %d over %d VPCs: at most 1000 subnets per VPC (a /16 holds 1024 /26s); add --vpcs", o.Subnets, o.VPCs)
	}
	if o.Instances > 50*(o.Subnets-2*o.VPCs) {
		return o, fmt.Errorf("--instances %d: at most 50 per private subnet (%d); add --subnets", o.Instances, 50*(o.Subnets-2*o.VPCs))
	}
	if o.Instances > 120000 {
		return o, fmt.Errorf("--instances %d: at most 120000 (public addresses come from 198.18.0.0/15)", o.Instances)
	}
	return o, nil
}

// Check reports what is wrong with the options, in words.
func (o Options) Check() error {
	_, err := o.normalize()
	return err
}

// Write writes the world as YAML.
func Write(out io.Writer, opt Options) error {
	o, err := opt.normalize()
	if err != nil {
		return err
	}
	g := &gen{o: o, w: bufio.NewWriterSize(out, 1<<20), rnd: rand.New(rand.NewPCG(o.Seed, o.Seed^0x9e3779b97f4a7c15))}
	g.plan()
	g.write()
	return g.w.Flush()
}

// The ports the world's services and rules use: few distinct values, as in
// a real estate, so reachability has few classes.
var rulePorts = []string{"22", "80", "443", "3000-3999", "5432", "6379", "8080", "8443", "9090", "9100-9200", "11211", "27017"}

type vpcPlan struct {
	idx      int
	name     string
	subnets  []subnetPlan
	public   []int // indexes into subnets
	app      []int
	data     []int
	sgApp    []string // app security groups
	sgData   []string
	insts    []instPlan
	lbTarget []string // the app instances behind the balancer
}

type subnetPlan struct {
	name, cidr, tier string
	base             uint32 // first address
}

type instPlan struct {
	name, subnet, ip, public string
	sgs                      []string
	tier                     string
}

type gen struct {
	o      Options
	w      *bufio.Writer
	rnd    *rand.Rand
	vpcs   []*vpcPlan
	pubIP  uint32 // next public address in 198.18.0.0/15
	sgRule int    // rules still to spread
}

func ip4(n uint32) string {
	return strconv.Itoa(int(n>>24)) + "." + strconv.Itoa(int(n>>16&255)) + "." + strconv.Itoa(int(n>>8&255)) + "." + strconv.Itoa(int(n&255))
}

func (g *gen) nextPublic() string {
	a := uint32(198)<<24 | uint32(18)<<16 + g.pubIP
	g.pubIP++
	if a&255 == 0 || a&255 == 255 {
		return g.nextPublic()
	}
	return ip4(a)
}

func (g *gen) plan() {
	o := g.o
	perVPC := o.Subnets / o.VPCs
	bits := 24
	switch {
	case perVPC > 256:
		bits = 26
	}
	step := uint32(1) << (32 - bits)
	inst := 0
	for v := range o.VPCs {
		vp := &vpcPlan{idx: v, name: "vpc-" + strconv.Itoa(v)}
		n := perVPC
		if v < o.Subnets%o.VPCs {
			n++
		}
		base := uint32(10)<<24 | uint32(v)<<16
		for s := range n {
			tier := "app"
			switch {
			case s < 2:
				tier = "public"
			case s%4 == 3:
				tier = "data"
			}
			sp := subnetPlan{name: fmt.Sprintf("%s-%s-%d", vp.name, tier, s), cidr: ip4(base+uint32(s)*step) + "/" + strconv.Itoa(bits), tier: tier, base: base + uint32(s)*step}
			switch tier {
			case "public":
				vp.public = append(vp.public, s)
			case "app":
				vp.app = append(vp.app, s)
			default:
				vp.data = append(vp.data, s)
			}
			vp.subnets = append(vp.subnets, sp)
		}
		if len(vp.data) == 0 { // four subnets: the fourth is data
			vp.data = append(vp.data, vp.app[len(vp.app)-1])
			vp.app = vp.app[:len(vp.app)-1]
			vp.subnets[vp.data[0]].tier = "data"
			vp.subnets[vp.data[0]].name = fmt.Sprintf("%s-data-%d", vp.name, vp.data[0])
		}
		g.vpcs = append(g.vpcs, vp)
	}
	// Instances: spread over the private subnets of all VPCs, three in four
	// in app subnets.
	type slot struct {
		v, s int
		used uint32
	}
	var slots []*slot
	for _, vp := range g.vpcs {
		for _, s := range append(append([]int{}, vp.app...), vp.data...) {
			slots = append(slots, &slot{v: vp.idx, s: s})
		}
	}
	for inst < o.Instances {
		sl := slots[inst%len(slots)]
		vp := g.vpcs[sl.v]
		sp := vp.subnets[sl.s]
		ip := sp.base + 10 + sl.used
		sl.used++
		in := instPlan{name: fmt.Sprintf("%s-%d", sp.tier, inst), subnet: sp.name, ip: ip4(ip), tier: sp.tier}
		vp.insts = append(vp.insts, in)
		inst++
	}
	// Security groups: one app group per 20 app instances, one data group
	// per 20 data instances, at least one each.
	totalSGs := 0
	for _, vp := range g.vpcs {
		na, nd := 0, 0
		for _, in := range vp.insts {
			if in.tier == "app" {
				na++
			} else {
				nd++
			}
		}
		for k := range max(1, (na+19)/20) {
			vp.sgApp = append(vp.sgApp, fmt.Sprintf("sg-%s-app-%d", vp.name, k))
		}
		for k := range max(1, (nd+19)/20) {
			vp.sgData = append(vp.sgData, fmt.Sprintf("sg-%s-data-%d", vp.name, k))
		}
		// A group per run of subnets of a tier, as teams lay out their
		// tiers: the instances of one subnet share their group.
		ordinal := map[string]int{}
		for k, s := range vp.app {
			ordinal[vp.subnets[s].name] = k
		}
		for k, s := range vp.data {
			ordinal[vp.subnets[s].name] = k
		}
		for i := range vp.insts {
			in := &vp.insts[i]
			if in.tier == "app" {
				in.sgs = []string{vp.sgApp[ordinal[in.subnet]*len(vp.sgApp)/len(vp.app)]}
				if len(vp.lbTarget) < 2 {
					vp.lbTarget = append(vp.lbTarget, in.name)
				}
			} else {
				in.sgs = []string{vp.sgData[ordinal[in.subnet]*len(vp.sgData)/len(vp.data)]}
			}
			// One instance in 500 has a public address: some are meant to
			// be (named in the public zone), some are not.
			if g.rnd.IntN(500) == 0 {
				in.public = g.nextPublic()
			}
		}
		totalSGs += len(vp.sgApp) + len(vp.sgData) + 2
	}
	g.sgRule = o.Rules
	_ = totalSGs
}

func (g *gen) p(format string, args ...any) { fmt.Fprintf(g.w, format, args...) }
func (g *gen) s(s string)                   { g.w.WriteString(s) }

func (g *gen) write() {
	o := g.o
	g.p("# A synthetic world: pathlab worlds generate --vpcs %d --subnets %d --instances %d --rules %d --seed %d\n", o.VPCs, o.Subnets, o.Instances, o.Rules, o.Seed)
	g.p("name: gen-%d-%d-%d\n", o.Subnets, o.Instances, o.Seed)
	g.s("description: |\n  headline: https://shop-0.example.com/\n  A generated world: VPCs in public, app and data tiers, a balancer in each\n  and a NAT gateway in each zone, peered to vpc-0.\n")
	g.s("clock: 2026-11-21T12:00:00Z\n")
	g.s("internet:\n  clients:\n    - {name: browser, ip: 198.51.100.10, resolver: public-resolver}\n    - {name: office, ip: 203.0.113.200, resolver: public-resolver}\n")
	g.s("  resolvers:\n    - {name: public-resolver, ip: 198.51.100.53}\n")
	g.s("  servers:\n    - name: partner-api\n      ip: 192.0.2.80\n      services:\n        - {name: partner-https, protocol: tcp, port: 443, tls: partner-cert, http: {\"/\": 200}}\n")
	g.s("certificates:\n  - {name: shop-cert, domains: [\"*.example.com\", example.com], not_before: 2026-01-01T00:00:00Z, not_after: 2027-01-01T00:00:00Z}\n")
	g.s("  - {name: partner-cert, domains: [api.partner.example.net], not_before: 2026-01-01T00:00:00Z, not_after: 2027-01-01T00:00:00Z}\n")
	// DNS: each VPC's balancer under shop-N; published instances; a private
	// zone with the first instances of each VPC.
	g.s("dns:\n  zones:\n    - name: example.com\n      nameservers:\n        - {name: ns1.example.com, ip: 192.0.2.53}\n      records:\n")
	lbIPs := map[int][2]string{}
	for _, vp := range g.vpcs {
		lbIPs[vp.idx] = [2]string{g.nextPublic(), g.nextPublic()}
		g.p("        - {name: shop-%d, type: CNAME, value: lb-%d.example.com, ttl: 300}\n", vp.idx, vp.idx)
		g.p("        - {name: lb-%d, type: A, values: [%s, %s], ttl: 60}\n", vp.idx, lbIPs[vp.idx][0], lbIPs[vp.idx][1])
		pub := 0
		for _, in := range vp.insts {
			if in.public != "" {
				if pub%2 == 0 { // every other public instance is meant to be public
					g.p("        - {name: %s, type: A, value: %s, ttl: 300}\n", in.name, in.public)
				}
				pub++
			}
		}
	}
	g.s("    - name: example.net\n      nameservers:\n        - {name: ns1.example.net, ip: 192.0.2.54}\n      records:\n        - {name: api.partner, type: A, value: 192.0.2.80, ttl: 300}\n")
	g.s("    - name: internal.gen\n      private: true\n      vpcs: [")
	for i, vp := range g.vpcs {
		if i > 0 {
			g.s(", ")
		}
		g.s(vp.name)
	}
	g.s("]\n      records:\n")
	for _, vp := range g.vpcs {
		for i, in := range vp.insts {
			if i >= 10 {
				break
			}
			g.p("        - {name: %s, type: A, value: %s, ttl: 60}\n", in.name, in.ip)
		}
	}
	if len(g.vpcs) > 1 {
		g.s("peerings:\n")
		for _, vp := range g.vpcs[1:] {
			g.p("  - {name: pcx-0-%d, vpcs: [vpc-0, %s], status: active}\n", vp.idx, vp.name)
		}
	}
	g.s("vpcs:\n")
	// Rules: what each group needs, then the rest of --rules spread over
	// all groups.
	// Each group's own rules: the balancer's 3, the bastion's 2, an app
	// group's 4, a data group's 2.
	groups, base := 0, 0
	for _, vp := range g.vpcs {
		groups += len(vp.sgApp) + len(vp.sgData) + 2
		base += 3 + 2 + 4*len(vp.sgApp) + 2*len(vp.sgData)
	}
	extra, rem := 0, 0
	if g.o.Rules > base {
		extra = (g.o.Rules - base) / groups
		rem = (g.o.Rules - base) % groups
	}
	gi := 0
	extraFor := func() int {
		n := extra
		if gi < rem {
			n++
		}
		gi++
		return n
	}
	for _, vp := range g.vpcs {
		g.writeVPC(vp, lbIPs[vp.idx], extraFor)
	}
}

func (g *gen) writeVPC(vp *vpcPlan, lbIP [2]string, extraFor func() int) {
	v := vp.idx
	cidr := "10." + strconv.Itoa(v) + ".0.0/16"
	g.p("  - name: %s\n    cidr: %s\n    internet_gateway: igw-%d\n", vp.name, cidr, v)
	g.s("    route_tables:\n")
	g.p("      - name: rt-public-%d\n        routes:\n          - {destination: 0.0.0.0/0, target: igw-%d}\n", v, v)
	peer := func() {
		if len(g.vpcs) == 1 {
			return
		}
		if v == 0 {
			for _, o := range g.vpcs[1:] {
				g.p("          - {destination: 10.%d.0.0/16, target: pcx-0-%d}\n", o.idx, o.idx)
			}
		} else {
			g.p("          - {destination: 10.0.0.0/16, target: pcx-0-%d}\n", v)
		}
	}
	// A private route table per zone, each to the NAT gateway of its zone
	// (one gateway for both zones works, but AWS advises against it and
	// check warns of every subnet that crosses).
	g.p("      - name: rt-private-%d\n        routes:\n          - {destination: 0.0.0.0/0, target: nat-%d}\n", v, v)
	peer()
	g.p("      - name: rt-private-%d-b\n        routes:\n          - {destination: 0.0.0.0/0, target: nat-%d-b}\n", v, v)
	peer()
	g.p("      - name: rt-data-%d\n        routes:\n", v)
	if len(g.vpcs) == 1 {
		g.s("          - {destination: 192.0.2.0/24, target: blackhole}\n")
	}
	peer()
	g.s("    network_acls:\n")
	g.p("      - name: acl-open-%d\n        ingress:\n          - {rule: 100, protocol: all, cidr: 0.0.0.0/0, action: allow}\n        egress:\n          - {rule: 100, protocol: all, cidr: 0.0.0.0/0, action: allow}\n", v)
	// The data tier's ACL: the VPC and the hub in, replies out; a deny the
	// allow before it shadows (a finding for the audit).
	g.p("      - name: acl-data-%d\n        ingress:\n", v)
	g.p("          - {rule: 100, protocol: all, cidr: %s, action: allow}\n", cidr)
	g.p("          - {rule: 110, protocol: tcp, ports: 5432, cidr: 10.0.0.0/8, action: allow}\n")
	g.p("          - {rule: 120, protocol: tcp, ports: 22, cidr: 10.%d.0.0/24, action: deny}\n", v)
	g.p("          - {rule: 130, protocol: tcp, ports: 1024-65535, cidr: 0.0.0.0/0, action: allow}\n")
	g.p("        egress:\n          - {rule: 100, protocol: all, cidr: %s, action: allow}\n          - {rule: 110, protocol: tcp, ports: 1024-65535, cidr: 10.0.0.0/8, action: allow}\n", cidr)
	g.s("    subnets:\n")
	zones := map[string]int{} // each tier alternates zones a and b, so a balancer spans two
	for _, sp := range vp.subnets {
		zone := 'a' + rune(zones[sp.tier]%2)
		zones[sp.tier]++
		rt, acl, suffix := "rt-private-", "acl-open-", ""
		switch sp.tier {
		case "public":
			rt = "rt-public-"
		case "data":
			rt, acl = "rt-data-", "acl-data-"
		default:
			if zone == 'b' {
				suffix = "-b"
			}
		}
		g.p("      - {name: %s, cidr: %s, zone: %c, route_table: %s%d%s, network_acl: %s%d}\n", sp.name, sp.cidr, zone, rt, v, suffix, acl, v)
	}
	pa, pb := vp.subnets[vp.public[0]], vp.subnets[vp.public[1]]
	g.p("    nat_gateways:\n      - {name: nat-%d, subnet: %s, private_ip: %s, public_ip: %s}\n", v, pa.name, ip4(pa.base+5), g.nextPublic())
	g.p("      - {name: nat-%d-b, subnet: %s, private_ip: %s, public_ip: %s}\n", v, pb.name, ip4(pb.base+5), g.nextPublic())
	g.s("    security_groups:\n")
	g.p("      - name: sg-lb-%d\n        ingress:\n          - {protocol: tcp, ports: 443, source: 0.0.0.0/0}\n          - {protocol: tcp, ports: 80, source: 0.0.0.0/0}\n", v)
	g.extraRules("ingress", "source", vp, extraFor())
	g.p("        egress:\n          - {protocol: tcp, ports: 8080, destination: %s}\n", vp.sgApp[0])
	g.p("      - name: sg-bastion-%d\n        ingress:\n          - {protocol: tcp, ports: 22, source: 203.0.113.0/24}\n", v)
	n := extraFor()
	g.extraRules("ingress", "source", vp, n)
	g.p("        egress:\n          - {protocol: tcp, ports: 22, destination: %s}\n", cidr)
	for _, name := range vp.sgApp {
		g.p("      - name: %s\n        ingress:\n          - {protocol: tcp, ports: 8080, source: sg-lb-%d}\n          - {protocol: tcp, ports: 22, source: sg-bastion-%d}\n", name, v, v)
		n := extraFor()
		g.extraRules("ingress", "source", vp, n-n/4)
		g.p("        egress:\n          - {protocol: tcp, ports: 5432, destination: %s}\n          - {protocol: all, destination: 0.0.0.0/0}\n", cidr)
		g.extraRules("egress", "destination", vp, n/4)
	}
	for _, name := range vp.sgData {
		g.p("      - name: %s\n        ingress:\n          - {protocol: tcp, ports: 5432, source: %s}\n", name, vp.sgApp[0])
		if len(vp.sgApp) > 1 {
			g.p("          - {protocol: tcp, ports: 5432, source: %s}\n", vp.sgApp[1])
		} else {
			g.p("          - {protocol: tcp, ports: 5432, source: 10.0.0.0/16}\n")
		}
		g.extraRules("ingress", "source", vp, extraFor())
		g.s("        egress: []\n")
	}
	g.p("    load_balancers:\n      - name: lb-%d\n        type: application\n        scheme: internet-facing\n        security_groups: [sg-lb-%d]\n        nodes:\n", v, v)
	g.p("          - {subnet: %s, private_ip: %s, public_ip: %s}\n", pa.name, ip4(pa.base+10), lbIP[0])
	g.p("          - {subnet: %s, private_ip: %s, public_ip: %s}\n", pb.name, ip4(pb.base+10), lbIP[1])
	g.p("        listeners:\n          - {port: 443, protocol: https, certificate: shop-cert, target_group: tg-app-%d}\n          - {port: 80, protocol: http, redirect: https}\n", v)
	g.p("        target_groups:\n          - name: tg-app-%d\n            protocol: http\n            port: 8080\n            health_check: {path: /healthz, matcher: \"200\"}\n            targets: [", v)
	for i, t := range vp.lbTarget {
		if i > 0 {
			g.s(", ")
		}
		g.s(t)
	}
	g.s("]\n")
	g.s("    instances:\n")
	// A bastion with a public address, meant to be reached from the office.
	g.p("      - {name: bastion-%d, subnet: %s, private_ip: %s, public_ip: %s, security_groups: [sg-bastion-%d], services: [{name: ssh, protocol: tcp, port: 22}]}\n",
		v, pa.name, ip4(pa.base+20), g.nextPublic(), v)
	for _, in := range vp.insts {
		g.p("      - name: %s\n        subnet: %s\n        private_ip: %s\n", in.name, in.subnet, in.ip)
		if in.public != "" {
			g.p("        public_ip: %s\n", in.public)
		}
		g.p("        security_groups: [%s]\n", in.sgs[0])
		if in.tier == "app" {
			g.s("        services:\n          - {name: web, protocol: tcp, port: 8080, http: {\"/\": 200, \"/healthz\": 200}}\n          - {name: ssh, protocol: tcp, port: 22}\n")
		} else {
			g.s("        services:\n          - {name: postgres, protocol: tcp, port: 5432}\n          - {name: ssh, protocol: tcp, port: 22}\n")
		}
	}
}

// extraRules writes n rules of the direction: ports from rulePorts, from
// the VPC's subnets, other groups of the VPC, or the hub's range.
func (g *gen) extraRules(dir, field string, vp *vpcPlan, n int) {
	for range n {
		ports := rulePorts[g.rnd.IntN(len(rulePorts))]
		var peer string
		switch r := g.rnd.IntN(10); {
		case r < 5:
			peer = vp.subnets[g.rnd.IntN(len(vp.subnets))].cidr
		case r < 8:
			all := append(append([]string{}, vp.sgApp...), vp.sgData...)
			peer = all[g.rnd.IntN(len(all))]
		case r < 9:
			peer = "10.0.0.0/16"
		default:
			peer = "10." + strconv.Itoa(vp.idx) + "." + strconv.Itoa(g.rnd.IntN(256)) + "." + strconv.Itoa(g.rnd.IntN(256)) + "/32"
		}
		g.p("          - {protocol: tcp, ports: %s, %s: %s}\n", ports, field, peer)
	}
	_ = dir
}
