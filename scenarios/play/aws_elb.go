package play

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/miekg/dns"
	"github.com/pathlab/pathlab/simnet/spec"
)

// The elbv2 and route53 read commands.

func (s *Shell) lbARN(l spec.LoadBalancerSpec) string {
	kind := "app"
	if l.Type == "network" {
		kind = "net"
	}
	return fmt.Sprintf("arn:aws:elasticloadbalancing:%s:%s:loadbalancer/%s/%s/%s", s.region(), awsAccount, kind, l.Name, hexOf("lb", l.Name))
}

func (s *Shell) tgARN(tg string) string {
	return fmt.Sprintf("arn:aws:elasticloadbalancing:%s:%s:targetgroup/%s/%s", s.region(), awsAccount, tg, hexOf("tg", tg))
}

func (s *Shell) listenerARN(l spec.LoadBalancerSpec, port int) string {
	return strings.Replace(s.lbARN(l), ":loadbalancer/", ":listener/", 1) + "/" + hexOf("listener", l.Name, strconv.Itoa(port))
}

func (s *Shell) certARN(name string) string {
	h := hexOf("cert", name) + hexOf("cert2", name)
	return fmt.Sprintf("arn:aws:acm:%s:%s:certificate/%s-%s-%s-%s-%s", s.region(), awsAccount, h[0:8], h[8:12], h[12:16], h[16:20], h[20:32])
}

// lbOf finds a load balancer by ARN or name.
func (s *Shell) lbOf(ref string) (spec.VPCSpec, spec.LoadBalancerSpec, bool) {
	for _, v := range s.spec.VPCs {
		for _, l := range v.LoadBalancers {
			if ref == l.Name || ref == s.lbARN(l) {
				return v, l, true
			}
		}
	}
	return spec.VPCSpec{}, spec.LoadBalancerSpec{}, false
}

// tgOf finds a target group by ARN or name, with its balancer.
func (s *Shell) tgOf(ref string) (spec.VPCSpec, spec.LoadBalancerSpec, spec.TargetGroupSpec, bool) {
	for _, v := range s.spec.VPCs {
		for _, l := range v.LoadBalancers {
			for _, tg := range l.TargetGroups {
				if ref == tg.Name || ref == s.tgARN(tg.Name) {
					return v, l, tg, true
				}
			}
		}
	}
	return spec.VPCSpec{}, spec.LoadBalancerSpec{}, spec.TargetGroupSpec{}, false
}

type lbItem struct {
	LoadBalancerArn       string            `json:"LoadBalancerArn"`
	DNSName               string            `json:"DNSName"`
	CanonicalHostedZoneId string            `json:"CanonicalHostedZoneId"`
	CreatedTime           string            `json:"CreatedTime"`
	LoadBalancerName      string            `json:"LoadBalancerName"`
	Scheme                string            `json:"Scheme"`
	VpcId                 string            `json:"VpcId"`
	State                 map[string]string `json:"State"`
	Type                  string            `json:"Type"`
	AvailabilityZones     []lbZone          `json:"AvailabilityZones"`
	SecurityGroups        []string          `json:"SecurityGroups,omitempty"`
	IpAddressType         string            `json:"IpAddressType"`
}

type lbZone struct {
	ZoneName              string      `json:"ZoneName"`
	SubnetId              string      `json:"SubnetId"`
	LoadBalancerAddresses []lbAddress `json:"LoadBalancerAddresses"`
}

type lbAddress struct {
	IpAddress          string `json:"IpAddress,omitempty"`
	PrivateIPv4Address string `json:"PrivateIPv4Address,omitempty"`
}

func (s *Shell) awsDescribeLBs(c *awsCall) error {
	items := []lbItem{}
	want := append(c.opts["--names"], c.opts["--load-balancer-arns"]...)
	found := map[string]bool{}
	for _, v := range s.spec.VPCs {
		zones := map[string]string{}
		for _, sn := range v.Subnets {
			zones[sn.Name] = sn.Zone
		}
		for _, l := range v.LoadBalancers {
			arn := s.lbARN(l)
			if len(want) > 0 && !contains(want, l.Name) && !contains(want, arn) {
				continue
			}
			found[l.Name], found[arn] = true, true
			it := lbItem{LoadBalancerArn: arn, DNSName: fmt.Sprintf("%s-%d.%s.elb.amazonaws.com", l.Name, 100000000+int(fnv32(l.Name)%900000000), s.region()),
				CanonicalHostedZoneId: "Z35SXDOTRQ7X7K", CreatedTime: strings.Replace(s.launchTime(), "+00:00", ".000Z", 1), LoadBalancerName: l.Name,
				Scheme: l.Scheme, VpcId: awsID("vpc", v.Name), State: map[string]string{"Code": "active"}, Type: l.Type, IpAddressType: "ipv4"}
			for _, n := range l.Nodes {
				z := lbZone{ZoneName: s.az(zones[n.Subnet]), SubnetId: awsID("subnet", n.Subnet), LoadBalancerAddresses: []lbAddress{}}
				if l.Type == "network" {
					// only a network load balancer's addresses are the
					// API's to show (an application one's change)
					z.LoadBalancerAddresses = []lbAddress{{IpAddress: n.PublicIP, PrivateIPv4Address: n.PrivateIP}}
				}
				it.AvailabilityZones = append(it.AvailabilityZones, z)
			}
			for _, g := range l.SecurityGroups {
				it.SecurityGroups = append(it.SecurityGroups, awsID("sg", g))
			}
			items = append(items, it)
		}
	}
	for _, w := range want {
		if !found[w] {
			return apiError("LoadBalancerNotFound", c.spec.name, fmt.Sprintf("Load balancers '[%s]' not found", w))
		}
	}
	return s.awsPrint(c, map[string]any{"LoadBalancers": items})
}

func nonNil(l []any) []any {
	if l == nil {
		return []any{}
	}
	return l
}

func fnv32(s string) uint32 {
	h := uint32(2166136261)
	for i := 0; i < len(s); i++ {
		h ^= uint32(s[i])
		h *= 16777619
	}
	return h
}

type tgItem struct {
	TargetGroupArn             string            `json:"TargetGroupArn"`
	TargetGroupName            string            `json:"TargetGroupName"`
	Protocol                   string            `json:"Protocol"`
	Port                       int               `json:"Port"`
	VpcId                      string            `json:"VpcId"`
	HealthCheckProtocol        string            `json:"HealthCheckProtocol"`
	HealthCheckPort            string            `json:"HealthCheckPort"`
	HealthCheckEnabled         bool              `json:"HealthCheckEnabled"`
	HealthCheckIntervalSeconds int               `json:"HealthCheckIntervalSeconds"`
	HealthCheckTimeoutSeconds  int               `json:"HealthCheckTimeoutSeconds"`
	HealthyThresholdCount      int               `json:"HealthyThresholdCount"`
	UnhealthyThresholdCount    int               `json:"UnhealthyThresholdCount"`
	HealthCheckPath            string            `json:"HealthCheckPath,omitempty"`
	Matcher                    map[string]string `json:"Matcher,omitempty"`
	LoadBalancerArns           []string          `json:"LoadBalancerArns"`
	TargetType                 string            `json:"TargetType"`
	ProtocolVersion            string            `json:"ProtocolVersion,omitempty"`
	IpAddressType              string            `json:"IpAddressType"`
}

func (s *Shell) tgItem(v spec.VPCSpec, l spec.LoadBalancerSpec, tg spec.TargetGroupSpec) tgItem {
	hc := tg.HealthCheck
	proto := strings.ToUpper(tg.Protocol)
	hcProto := strings.ToUpper(hc.Protocol)
	if hcProto == "" {
		hcProto = proto
	}
	port := "traffic-port"
	if hc.Port != 0 && hc.Port != tg.Port {
		port = strconv.Itoa(hc.Port)
	}
	it := tgItem{TargetGroupArn: s.tgARN(tg.Name), TargetGroupName: tg.Name, Protocol: proto, Port: tg.Port, VpcId: awsID("vpc", v.Name),
		HealthCheckProtocol: hcProto, HealthCheckPort: port, HealthCheckEnabled: true, HealthCheckIntervalSeconds: 30, HealthCheckTimeoutSeconds: 5,
		HealthyThresholdCount: 5, UnhealthyThresholdCount: 2, LoadBalancerArns: []string{}, TargetType: "instance", IpAddressType: "ipv4"}
	if hcProto == "HTTP" || hcProto == "HTTPS" {
		it.HealthCheckPath = hc.Path
		if it.HealthCheckPath == "" {
			it.HealthCheckPath = "/"
		}
		m := hc.Matcher
		if m == "" {
			m = "200"
		}
		it.Matcher = map[string]string{"HttpCode": m}
	}
	if proto == "HTTP" || proto == "HTTPS" {
		it.ProtocolVersion = "HTTP1"
	}
	if s.tgInUse(l, tg.Name) {
		it.LoadBalancerArns = []string{s.lbARN(l)}
	}
	return it
}

// tgInUse reports whether a listener of l forwards to the target group.
func (s *Shell) tgInUse(l spec.LoadBalancerSpec, tg string) bool {
	for _, li := range l.Listeners {
		if li.TargetGroup == tg {
			return true
		}
	}
	return false
}

func (s *Shell) awsDescribeTGs(c *awsCall) error {
	items := []tgItem{}
	want := append(c.opts["--names"], c.opts["--target-group-arns"]...)
	lbRef := c.one("--load-balancer-arn")
	if lbRef != "" {
		if _, _, ok := s.lbOf(lbRef); !ok {
			return apiError("LoadBalancerNotFound", c.spec.name, fmt.Sprintf("Load balancer '%s' not found", lbRef))
		}
	}
	found := map[string]bool{}
	for _, v := range s.spec.VPCs {
		for _, l := range v.LoadBalancers {
			if lbRef != "" && lbRef != l.Name && lbRef != s.lbARN(l) {
				continue
			}
			for _, tg := range l.TargetGroups {
				arn := s.tgARN(tg.Name)
				if len(want) > 0 && !contains(want, tg.Name) && !contains(want, arn) {
					continue
				}
				found[tg.Name], found[arn] = true, true
				items = append(items, s.tgItem(v, l, tg))
			}
		}
	}
	for _, w := range want {
		if !found[w] {
			return apiError("TargetGroupNotFound", c.spec.name, fmt.Sprintf("One or more target groups not found"))
		}
	}
	return s.awsPrint(c, map[string]any{"TargetGroups": items})
}

type targetHealth struct {
	State       string `json:"State"`
	Reason      string `json:"Reason,omitempty"`
	Description string `json:"Description,omitempty"`
}

type targetHealthItem struct {
	Target          omap         `json:"Target"`
	HealthCheckPort string       `json:"HealthCheckPort"`
	TargetHealth    targetHealth `json:"TargetHealth"`
}

func (s *Shell) awsDescribeTargetHealth(c *awsCall) error {
	ref := c.one("--target-group-arn")
	_, l, tg, ok := s.tgOf(ref)
	if !ok {
		return apiError("TargetGroupNotFound", c.spec.name, fmt.Sprintf("Target groups '%s' not found", ref))
	}
	hcPort := tg.Port
	if tg.HealthCheck.Port != 0 {
		hcPort = tg.HealthCheck.Port
	}
	hs, _ := s.world.TargetHealth(l.Name)
	items := []targetHealthItem{}
	for _, t := range tg.Targets {
		th := targetHealth{State: "healthy"}
		if !s.tgInUse(l, tg.Name) {
			th = targetHealth{State: "unused", Reason: "Target.NotInUse", Description: "Target group is not configured to receive traffic from the load balancer"}
		} else {
			for _, h := range hs {
				if h.TargetGroup == tg.Name && h.Target == t && !h.Healthy {
					th = targetHealth{State: "unhealthy", Reason: h.ReasonCode, Description: h.Description}
					break
				}
			}
		}
		items = append(items, targetHealthItem{Target: omap{{"Id", awsID("i", t)}, {"Port", tg.Port}}, HealthCheckPort: strconv.Itoa(hcPort), TargetHealth: th})
	}
	return s.awsPrint(c, map[string]any{"TargetHealthDescriptions": items})
}

type listenerItem struct {
	ListenerArn     string `json:"ListenerArn"`
	LoadBalancerArn string `json:"LoadBalancerArn"`
	Port            int    `json:"Port"`
	Protocol        string `json:"Protocol"`
	Certificates    []omap `json:"Certificates,omitempty"`
	SslPolicy       string `json:"SslPolicy,omitempty"`
	DefaultActions  []omap `json:"DefaultActions"`
}

func (s *Shell) awsDescribeListeners(c *awsCall) error {
	lbRef := c.one("--load-balancer-arn")
	arns := c.opts["--listener-arns"]
	if lbRef == "" && len(arns) == 0 {
		return apiError("ValidationError", c.spec.name, "You must specify either listener ARNs or a load balancer ARN")
	}
	if lbRef != "" {
		if _, _, ok := s.lbOf(lbRef); !ok {
			return apiError("LoadBalancerNotFound", c.spec.name, fmt.Sprintf("Load balancer '%s' not found", lbRef))
		}
	}
	items := []listenerItem{}
	for _, v := range s.spec.VPCs {
		for _, l := range v.LoadBalancers {
			for _, li := range l.Listeners {
				arn := s.listenerARN(l, li.Port)
				if (lbRef != "" && lbRef != l.Name && lbRef != s.lbARN(l)) || (len(arns) > 0 && !contains(arns, arn)) {
					continue
				}
				it := listenerItem{ListenerArn: arn, LoadBalancerArn: s.lbARN(l), Port: li.Port, Protocol: strings.ToUpper(li.Protocol)}
				if li.Certificate != "" {
					it.Certificates = []omap{{{"CertificateArn", s.certARN(li.Certificate)}}}
					it.SslPolicy = "ELBSecurityPolicy-2016-08"
				}
				switch {
				case li.Redirect != "":
					it.DefaultActions = []omap{{{"Type", "redirect"}, {"Order", 1}, {"RedirectConfig", omap{{"Protocol", strings.ToUpper(li.Redirect)}, {"Port", "443"},
						{"Host", "#{host}"}, {"Path", "/#{path}"}, {"Query", "#{query}"}, {"StatusCode", "HTTP_301"}}}}}
				case li.TargetGroup != "":
					tg := s.tgARN(li.TargetGroup)
					it.DefaultActions = []omap{{{"Type", "forward"}, {"TargetGroupArn", tg}, {"Order", 1},
						{"ForwardConfig", omap{{"TargetGroups", []omap{{{"TargetGroupArn", tg}, {"Weight", 1}}}}, {"TargetGroupStickinessConfig", omap{{"Enabled", false}}}}}}}
				default:
					it.DefaultActions = []omap{{{"Type", "fixed-response"}, {"Order", 1}, {"FixedResponseConfig", omap{{"StatusCode", "503"}, {"ContentType", "text/plain"}}}}}
				}
				items = append(items, it)
			}
		}
	}
	return s.awsPrint(c, map[string]any{"Listeners": items})
}

// zoneID is a hosted zone's ID.
func zoneID(z spec.ZoneSpec) string {
	key := z.Name
	if z.Private {
		key = "private:" + key
	}
	return "Z" + strings.ToUpper(hexOf("zone", key) + hexOf("zone2", key))[:20]
}

func (s *Shell) zoneOf(ref string) (spec.ZoneSpec, bool) {
	ref = strings.TrimPrefix(ref, "/hostedzone/")
	for _, z := range s.spec.DNS.Zones {
		if ref == zoneID(z) {
			return z, true
		}
	}
	return spec.ZoneSpec{}, false
}

func (s *Shell) awsListZones(c *awsCall) error {
	var zones []any
	for _, z := range s.spec.DNS.Zones {
		n := 2 + len(z.Records)
		zones = append(zones, omap{{"Id", "/hostedzone/" + zoneID(z)}, {"Name", dns.Fqdn(z.Name)}, {"CallerReference", "pathlab-" + hexOf("ref", z.Name)[:8]},
			{"Config", omap{{"Comment", ""}, {"PrivateZone", z.Private}}}, {"ResourceRecordSetCount", n}})
	}
	return s.awsPrint(c, map[string]any{"HostedZones": nonNil(zones)})
}

func (s *Shell) awsListRecords(c *awsCall) error {
	ref := c.one("--hosted-zone-id")
	z, ok := s.zoneOf(ref)
	if !ok {
		return apiError("NoSuchHostedZone", c.spec.name, fmt.Sprintf("No hosted zone found with ID: %s", strings.TrimPrefix(ref, "/hostedzone/")))
	}
	apex := dns.Fqdn(z.Name)
	var ns []string
	for _, n := range z.Nameservers {
		ns = append(ns, dns.Fqdn(n.Name))
	}
	if len(ns) == 0 {
		ns = []string{"ns-0.awsdns-00.com.", "ns-512.awsdns-00.net.", "ns-1024.awsdns-00.org.", "ns-1536.awsdns-00.co.uk."}
	}
	type set struct {
		name, typ string
		ttl       int
		values    []string
		alias     omap // AliasTarget (aws_hybrid.go)
	}
	sets := []set{{apex, "NS", 172800, ns, nil}, {apex, "SOA", 900, []string{ns[0] + " awsdns-hostmaster.amazon.com. 1 7200 900 1209600 86400"}, nil}}
	for _, r := range z.Records {
		name := apex
		if r.Name != "@" && r.Name != "" {
			name = dns.Fqdn(r.Name)
			if !strings.HasSuffix(name, "."+apex) && name != apex {
				name = dns.Fqdn(r.Name + "." + z.Name)
			}
		}
		ttl := 300
		if r.TTL != nil {
			ttl = *r.TTL
		}
		var vals []string
		for _, v := range r.AllValues() {
			switch strings.ToUpper(r.Type) {
			case "TXT":
				v = strconv.Quote(v)
			case "CNAME", "NS", "MX", "PTR":
				v = dns.Fqdn(v)
			}
			vals = append(vals, v)
		}
		sets = append(sets, set{name, strings.ToUpper(r.Type), ttl, vals, s.aliasTarget(z, r)})
	}
	// Route 53 lists record sets by name, its labels read from the right,
	// then by type.
	rev := func(n string) string {
		l := dns.SplitDomainName(n)
		for i, j := 0, len(l)-1; i < j; i, j = i+1, j-1 {
			l[i], l[j] = l[j], l[i]
		}
		return strings.Join(l, ".")
	}
	sort.SliceStable(sets, func(i, j int) bool {
		if a, b := rev(sets[i].name), rev(sets[j].name); a != b {
			return a < b
		}
		return sets[i].typ < sets[j].typ
	})
	var out []any
	for _, st := range sets {
		var rr []any
		for _, v := range st.values {
			rr = append(rr, omap{{"Value", v}})
		}
		if st.alias != nil {
			out = append(out, omap{{"Name", st.name}, {"Type", st.typ}, {"AliasTarget", st.alias}})
			continue
		}
		out = append(out, omap{{"Name", st.name}, {"Type", st.typ}, {"TTL", st.ttl}, {"ResourceRecords", rr}})
	}
	return s.awsPrint(c, map[string]any{"ResourceRecordSets": nonNil(out)})
}
