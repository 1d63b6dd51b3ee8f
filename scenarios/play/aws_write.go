package play

import (
	"encoding/json"
	"fmt"
	"net/netip"
	"strconv"
	"strings"

	"github.com/pathlab/pathlab/scenarios"
	"github.com/pathlab/pathlab/simnet"
	"github.com/pathlab/pathlab/simnet/spec"
)

// The AWS CLI's write commands are fixes: each maps onto the world's edits
// (the fix commands' grammar), applied together and compiled once.

// nameOf finds the world name behind an ID (or a name) among names made
// into IDs with prefix.
func nameOf(prefix, ref string, names []string) (string, bool) {
	for _, n := range names {
		if ref == n || ref == awsID(prefix, n) {
			return n, true
		}
	}
	return "", false
}

func (s *Shell) awsNames(kind string) []string {
	var out []string
	for _, v := range s.spec.VPCs {
		switch kind {
		case "sg":
			for _, g := range v.SecurityGroups {
				out = append(out, g.Name)
			}
		case "rtb":
			for _, t := range v.RouteTables {
				out = append(out, t.Name)
			}
		case "acl":
			for _, a := range v.NetworkACLs {
				out = append(out, a.Name)
			}
		case "i":
			for _, in := range v.Instances {
				out = append(out, in.Name)
			}
		case "nat":
			for _, n := range v.NATGateways {
				out = append(out, n.Name)
			}
		case "igw":
			if v.InternetGateway != "" {
				out = append(out, v.InternetGateway)
			}
		}
	}
	if kind == "pcx" {
		for _, p := range s.spec.Peerings {
			out = append(out, p.Name)
		}
	}
	return out
}

// awsApply applies fix lines as one change.
func (s *Shell) awsApply(c *awsCall, lines [][]string, what string) error {
	var edits []spec.Edit
	for _, w := range lines {
		e, err := scenarios.ParseFix(w)
		if err != nil {
			return apiError("InvalidParameterValue", c.spec.name, strings.TrimPrefix(strings.TrimPrefix(err.Error(), "usage: "), scenarios.ErrUsage.Error()+": "))
		}
		edits = append(edits, e)
	}
	next, w, err := scenarios.ApplyFixes(s.spec, edits)
	if err != nil {
		return apiError("InvalidParameterValue", c.spec.name, err.Error())
	}
	s.commit(next, w, what)
	return nil
}

// sgPeer is one rule's peer and protocol as the fix grammar writes them.
type sgPerm struct {
	proto, ports string
	peers        []string
}

// permPorts is a rule's ports in the fix grammar.
func permPorts(proto string, from, to int) string {
	switch proto {
	case "all":
		return "all"
	case "icmp":
		return "all"
	}
	if from < 0 {
		return "0-65535"
	}
	if from == to {
		return strconv.Itoa(from)
	}
	return fmt.Sprintf("%d-%d", from, to)
}

func normAWSProto(p string) (string, bool) {
	switch strings.ToLower(p) {
	case "-1", "all":
		return "all", true
	case "tcp", "6":
		return "tcp", true
	case "udp", "17":
		return "udp", true
	case "icmp", "1":
		return "icmp", true
	}
	return "", false
}

// parsePermissions reads --ip-permissions: JSON, or the shorthand
// IpProtocol=tcp,FromPort=443,ToPort=443,IpRanges=[{CidrIp=0.0.0.0/0}].
func parsePermissions(args []string) ([]map[string]any, error) {
	var out []map[string]any
	for _, a := range args {
		a = strings.TrimSpace(a)
		if strings.HasPrefix(a, "[") || strings.HasPrefix(a, "{") {
			if strings.HasPrefix(a, "{") {
				a = "[" + a + "]"
			}
			var js []map[string]any
			if err := json.Unmarshal([]byte(a), &js); err != nil {
				return nil, fmt.Errorf("Error parsing parameter '--ip-permissions': Invalid JSON: %v", err)
			}
			out = append(out, js...)
			continue
		}
		m := map[string]any{}
		for a != "" {
			k, rest, ok := strings.Cut(a, "=")
			if !ok {
				return nil, fmt.Errorf("Error parsing parameter '--ip-permissions': Expected: '=', received: 'EOF' for input:\n%s", a)
			}
			k = strings.TrimSpace(k)
			if strings.HasPrefix(rest, "[") {
				end := strings.Index(rest, "]")
				if end < 0 {
					return nil, fmt.Errorf("Error parsing parameter '--ip-permissions': Expected: ']', received: 'EOF' for input:\n%s", a)
				}
				var list []any
				for _, obj := range strings.Split(strings.Trim(rest[1:end], "{}"), "},{") {
					om := map[string]any{}
					for _, kv := range strings.Split(obj, ",") {
						kk, vv, _ := strings.Cut(kv, "=")
						om[strings.TrimSpace(kk)] = strings.TrimSpace(vv)
					}
					list = append(list, om)
				}
				m[k] = list
				a = strings.TrimPrefix(rest[end+1:], ",")
				continue
			}
			v, after, _ := strings.Cut(rest, ",")
			m[k] = v
			a = after
		}
		out = append(out, m)
	}
	return out, nil
}

func anyInt(v any) (int, bool) {
	switch x := v.(type) {
	case float64:
		return int(x), true
	case string:
		n, err := strconv.Atoi(x)
		return n, err == nil
	}
	return 0, false
}

func (s *Shell) awsSGRule(c *awsCall) error {
	ingress := strings.HasSuffix(c.op, "ingress")
	op := "add"
	if strings.HasPrefix(c.op, "revoke") {
		op = "remove"
	}
	dir, prep := "egress", "to"
	if ingress {
		dir, prep = "ingress", "from"
	}
	ref := c.one("--group-id")
	if ref == "" {
		ref = c.one("--group-name")
	}
	if ref == "" {
		return apiError("MissingParameter", c.spec.name, "The request must contain the parameter groupName or groupId")
	}
	group, ok := nameOf("sg", ref, s.awsNames("sg"))
	if !ok {
		return apiError("InvalidGroup.NotFound", c.spec.name, fmt.Sprintf("The security group '%s' does not exist", ref))
	}
	var perms []sgPerm
	if c.has("--ip-permissions") {
		if c.has("--protocol") || c.has("--port") || c.has("--cidr") || c.has("--source-group") {
			return awsError{text: "\nThe --ip-permissions option cannot be used with the --protocol, --port, --cidr or --source-group options\n"}
		}
		ps, err := parsePermissions(c.opts["--ip-permissions"])
		if err != nil {
			return awsError{text: "\n" + err.Error() + "\n"}
		}
		for _, p := range ps {
			proto, ok := normAWSProto(fmt.Sprint(p["IpProtocol"]))
			if !ok {
				return apiError("InvalidParameterValue", c.spec.name, fmt.Sprintf("Invalid value '%v' for IP protocol. Unknown protocol.", p["IpProtocol"]))
			}
			from, okf := anyInt(p["FromPort"])
			to, okt := anyInt(p["ToPort"])
			if !okf || !okt {
				from, to = -1, -1
			}
			sp := sgPerm{proto: proto, ports: permPorts(proto, from, to)}
			for _, r := range asList(p["IpRanges"]) {
				sp.peers = append(sp.peers, fmt.Sprint(r["CidrIp"]))
			}
			for _, r := range asList(p["UserIdGroupPairs"]) {
				sp.peers = append(sp.peers, fmt.Sprint(r["GroupId"]))
			}
			perms = append(perms, sp)
		}
	} else {
		proto, ok := normAWSProto(c.one("--protocol"))
		if !ok {
			return apiError("InvalidParameterValue", c.spec.name, fmt.Sprintf("Invalid value '%s' for IP protocol. Unknown protocol.", c.one("--protocol")))
		}
		ports := "all"
		if proto == "tcp" || proto == "udp" {
			p := c.one("--port")
			if p == "" {
				return apiError("InvalidParameterValue", c.spec.name, "Invalid value 'Must specify both from and to ports with TCP/UDP.' for portRange.")
			}
			if p == "-1" || p == "all" {
				p = "0-65535"
			}
			ports = p
		}
		sp := sgPerm{proto: proto, ports: ports}
		if v := c.one("--cidr"); v != "" {
			sp.peers = append(sp.peers, v)
		}
		if v := c.one("--source-group"); v != "" {
			sp.peers = append(sp.peers, v)
		}
		if len(sp.peers) == 0 {
			sp.peers = []string{"0.0.0.0/0"} // the CLI's default peer
		}
		perms = append(perms, sp)
	}
	var lines [][]string
	var rules []omap
	for _, p := range perms {
		for _, peer := range p.peers {
			if _, err := netip.ParsePrefix(peer); err != nil {
				g, ok := nameOf("sg", peer, s.awsNames("sg"))
				if !ok {
					return apiError("InvalidGroup.NotFound", c.spec.name, fmt.Sprintf("The security group '%s' does not exist", peer))
				}
				peer = g
			}
			lines = append(lines, []string{"sg", group, op, dir, p.proto, p.ports, prep, peer})
			r := omap{{"SecurityGroupRuleId", "sgr-0" + hexOf("sgr", group, dir, p.proto, p.ports, peer)}, {"GroupId", awsID("sg", group)}, {"GroupOwnerId", awsAccount},
				{"IsEgress", !ingress}, {"IpProtocol", awsProto(p.proto)}}
			if lo, hi, err := (spec.Ports{Text: p.ports}).Range(); err == nil && p.proto != "all" {
				if p.proto == "icmp" {
					lo, hi = -1, -1
				}
				r = append(r, kv{"FromPort", lo}, kv{"ToPort", hi})
			}
			if _, err := netip.ParsePrefix(peer); err == nil {
				r = append(r, kv{"CidrIpv4", peer})
			} else {
				r = append(r, kv{"ReferencedGroupInfo", omap{{"GroupId", awsID("sg", peer)}, {"UserId", awsAccount}}})
			}
			rules = append(rules, r)
		}
	}
	if err := s.awsApply(c, lines, "aws ec2 "+c.op+" "+group); err != nil {
		if op == "remove" {
			return apiError("InvalidPermission.NotFound", c.spec.name, "The specified rule does not exist in this security group.")
		}
		if strings.Contains(err.Error(), "already has") && len(perms) > 0 && len(perms[0].peers) > 0 {
			p, peer := perms[0], perms[0].peers[0]
			if g, ok := nameOf("sg", peer, s.awsNames("sg")); ok {
				peer = awsID("sg", g)
			}
			lo, hi, _ := (spec.Ports{Text: p.ports}).Range()
			proto := strings.ToUpper(p.proto)
			if p.proto == "all" {
				proto, lo, hi = "ALL", -1, -1
			}
			return apiError("InvalidPermission.Duplicate", c.spec.name, fmt.Sprintf("the specified rule \"peer: %s, %s, from port: %d, to port: %d, ALLOW\" already exists", peer, proto, lo, hi))
		}
		return err
	}
	if op == "remove" {
		return s.awsPrint(c, map[string]any{"Return": true})
	}
	return s.awsPrint(c, omap{{"Return", true}, {"SecurityGroupRules", rules}})
}

func asList(v any) []map[string]any {
	l, _ := v.([]any)
	var out []map[string]any
	for _, e := range l {
		if m, ok := e.(map[string]any); ok {
			out = append(out, m)
		}
	}
	return out
}

func (s *Shell) awsRoute(c *awsCall) error {
	ref := c.one("--route-table-id")
	table, ok := nameOf("rtb", ref, s.awsNames("rtb"))
	if !ok {
		return apiError("InvalidRouteTableID.NotFound", c.spec.name, fmt.Sprintf("The routeTable ID '%s' does not exist", ref))
	}
	dst := c.one("--destination-cidr-block")
	if dst == "" {
		return apiError("MissingParameter", c.spec.name, "The request must contain the parameter destinationCidrBlock or destinationIpv6CidrBlock or destinationPrefixListId")
	}
	if c.op == "delete-route" {
		if err := s.awsApply(c, [][]string{{"route", table, "remove", dst}}, "aws ec2 delete-route "+table+" "+dst); err != nil {
			return apiError("InvalidRoute.NotFound", c.spec.name, fmt.Sprintf("no route with destination-cidr-block %s in route table %s", dst, awsID("rtb", table)))
		}
		return nil
	}
	var target string
	for _, t := range []struct{ opt, prefix, code, what string }{
		{"--gateway-id", "igw", "InvalidGatewayID.NotFound", "The gateway ID '%s' does not exist"},
		{"--nat-gateway-id", "nat", "InvalidNatGatewayID.NotFound", "The natGateway ID '%s' does not exist"},
		{"--vpc-peering-connection-id", "pcx", "InvalidVpcPeeringConnectionID.NotFound", "The vpcPeeringConnection ID '%s' does not exist"},
		{"--instance-id", "i", "InvalidInstanceID.NotFound", "The instance ID '%s' does not exist"},
	} {
		if v := c.one(t.opt); v != "" {
			if target != "" {
				return apiError("InvalidParameterCombination", c.spec.name, "The parameter gatewayId cannot be used with the parameter natGatewayId")
			}
			n, ok := nameOf(t.prefix, v, s.awsNames(t.prefix))
			if !ok {
				return apiError(t.code, c.spec.name, fmt.Sprintf(t.what, v))
			}
			target = n
		}
	}
	if c.has("--local-target") {
		target = "local"
	}
	if target == "" {
		return apiError("MissingParameter", c.spec.name, "The request must contain exactly one of gatewayId, natGatewayId, vpcPeeringConnectionId, instanceId")
	}
	verb := "add"
	if c.op == "replace-route" {
		verb = "replace"
	}
	if err := s.awsApply(c, [][]string{{"route", table, verb, dst, "via", target}}, "aws ec2 "+c.op+" "+table+" "+dst); err != nil {
		if verb == "add" {
			return apiError("RouteAlreadyExists", c.spec.name, fmt.Sprintf("The route identified by %s already exists.", dst))
		}
		return apiError("InvalidParameterValue", c.spec.name, fmt.Sprintf("There is no route defined for '%s' in the route table. Use CreateRoute instead.", dst))
	}
	if verb == "add" {
		return s.awsPrint(c, map[string]any{"Return": true})
	}
	return nil
}

func (s *Shell) awsACLEntry(c *awsCall) error {
	ref := c.one("--network-acl-id")
	acl, ok := nameOf("acl", ref, s.awsNames("acl"))
	if !ok {
		return apiError("InvalidNetworkAclID.NotFound", c.spec.name, fmt.Sprintf("The network ACL '%s' does not exist", ref))
	}
	if c.has("--ingress") == c.has("--egress") {
		return apiError("MissingParameter", c.spec.name, "The request must contain the parameter egress")
	}
	dir := "ingress"
	if c.has("--egress") {
		dir = "egress"
	}
	num := c.one("--rule-number")
	if n, err := strconv.Atoi(num); err != nil || n < 1 || n > 32766 {
		return apiError("InvalidParameterValue", c.spec.name, fmt.Sprintf("Invalid value '%s' for ruleNumber. Value must be between 1 and 32766", num))
	}
	remove := []string{"nacl", acl, "remove", dir, "rule", num}
	if c.op == "delete-network-acl-entry" {
		if err := s.awsApply(c, [][]string{remove}, "aws ec2 delete-network-acl-entry "+acl+" "+num); err != nil {
			return apiError("InvalidNetworkAclEntry.NotFound", c.spec.name, fmt.Sprintf("The network acl entry identified by %s does not exist.", num))
		}
		return nil
	}
	proto, ok := normAWSProto(c.one("--protocol"))
	if !ok {
		return apiError("InvalidParameterValue", c.spec.name, fmt.Sprintf("Invalid value '%s' for protocol. Unknown protocol.", c.one("--protocol")))
	}
	action := strings.ToLower(c.one("--rule-action"))
	if action != "allow" && action != "deny" {
		return apiError("InvalidParameterValue", c.spec.name, fmt.Sprintf("Invalid value '%s' for ruleAction.", c.one("--rule-action")))
	}
	cidr := c.one("--cidr-block")
	if cidr == "" {
		return apiError("MissingParameter", c.spec.name, "The request must contain the parameter cidrBlock or ipv6CidrBlock")
	}
	ports := "all"
	if proto == "tcp" || proto == "udp" {
		pr := c.one("--port-range")
		var from, to string
		for _, kv := range strings.Split(pr, ",") {
			k, v, _ := strings.Cut(kv, "=")
			switch strings.TrimSpace(k) {
			case "From":
				from = v
			case "To":
				to = v
			}
		}
		if from == "" || to == "" {
			return apiError("InvalidParameterValue", c.spec.name, "TCP and UDP protocols require a port range")
		}
		ports = from + "-" + to
		if from == to {
			ports = from
		}
	}
	add := []string{"nacl", acl, "add", dir, "rule", num, action, proto, ports, cidr}
	lines := [][]string{add}
	if c.op == "replace-network-acl-entry" {
		lines = [][]string{remove, add}
	}
	if err := s.awsApply(c, lines, "aws ec2 "+c.op+" "+acl+" "+num); err != nil {
		if c.op == "replace-network-acl-entry" {
			return apiError("InvalidNetworkAclEntry.NotFound", c.spec.name, fmt.Sprintf("The network acl entry identified by %s does not exist.", num))
		}
		return apiError("NetworkAclEntryAlreadyExists", c.spec.name, fmt.Sprintf("The network acl entry identified by %s already exists.", num))
	}
	return nil
}

func (s *Shell) awsTargets(c *awsCall) error {
	ref := c.one("--target-group-arn")
	_, l, tg, ok := s.tgOf(ref)
	if !ok {
		return apiError("TargetGroupNotFound", c.spec.name, fmt.Sprintf("Target groups '%s' not found", ref))
	}
	op := "add"
	if c.op == "deregister-targets" {
		op = "remove"
	}
	var lines [][]string
	for _, t := range c.opts["--targets"] {
		id := ""
		for _, kv := range strings.Split(t, ",") {
			if k, v, _ := strings.Cut(kv, "="); k == "Id" {
				id = v
			}
		}
		inst, ok := nameOf("i", id, s.awsNames("i"))
		if !ok {
			return apiError("InvalidTarget", c.spec.name, fmt.Sprintf("The following targets are not in a running state and cannot be registered: '%s'", id))
		}
		lines = append(lines, []string{"lb", l.Name, "target", op, inst, tg.Name})
	}
	if err := s.awsApply(c, lines, "aws elbv2 "+c.op+" "+tg.Name); err != nil {
		if op == "remove" {
			return apiError("InvalidTarget", c.spec.name, "The specified targets are not registered with the target group")
		}
		return err
	}
	return nil
}

func (s *Shell) awsModifyTG(c *awsCall) error {
	ref := c.one("--target-group-arn")
	_, l, tg, ok := s.tgOf(ref)
	if !ok {
		return apiError("TargetGroupNotFound", c.spec.name, fmt.Sprintf("Target groups '%s' not found", ref))
	}
	var lines [][]string
	if p := c.one("--health-check-path"); p != "" {
		lines = append(lines, []string{"lb", l.Name, "health-check", "path", p, tg.Name})
	}
	if p := c.one("--health-check-port"); p != "" {
		if p == "traffic-port" {
			p = strconv.Itoa(tg.Port)
		}
		lines = append(lines, []string{"lb", l.Name, "health-check", "port", p, tg.Name})
	}
	matcher := ""
	if m := c.one("--matcher"); m != "" {
		code, ok := strings.CutPrefix(m, "HttpCode=")
		if !ok {
			return awsError{text: fmt.Sprintf("\nError parsing parameter '--matcher': Expected: '=', received: 'EOF' for input:\n%s\n", m)}
		}
		matcher = code
	}
	if len(lines) == 0 && matcher == "" {
		return apiError("ValidationError", c.spec.name, "You must specify at least one attribute to modify")
	}
	var edits []spec.Edit
	for _, w := range lines {
		e, err := scenarios.ParseFix(w)
		if err != nil {
			return apiError("ValidationError", c.spec.name, err.Error())
		}
		edits = append(edits, e)
	}
	next := s.spec.Clone()
	for _, e := range edits {
		if _, err := e.Apply(next); err != nil {
			return apiError("ValidationError", c.spec.name, err.Error())
		}
	}
	if matcher != "" {
		// The matcher has no fix command of its own: set it on the spec.
		for i := range next.VPCs {
			for j := range next.VPCs[i].LoadBalancers {
				for k := range next.VPCs[i].LoadBalancers[j].TargetGroups {
					if t := &next.VPCs[i].LoadBalancers[j].TargetGroups[k]; t.Name == tg.Name {
						t.HealthCheck.Matcher = matcher
					}
				}
			}
		}
	}
	w, err := simnet.Compile(next)
	if err != nil {
		return apiError("ValidationError", c.spec.name, err.Error())
	}
	s.commit(next, w, "aws elbv2 modify-target-group "+tg.Name)
	for _, v := range next.VPCs {
		for _, nl := range v.LoadBalancers {
			for _, t := range nl.TargetGroups {
				if t.Name == tg.Name && nl.Name == l.Name {
					return s.awsPrint(c, map[string]any{"TargetGroups": []tgItem{s.tgItem(v, nl, t)}})
				}
			}
		}
	}
	return nil
}
