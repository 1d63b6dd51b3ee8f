package play

// The AWS CLI in the play shell: the read commands describe the world in
// the JSON the AWS CLI prints (field names and shapes as the EC2, ELBv2
// and Route 53 APIs return them), with --filters, --query (JMESPath) and
// --output json|text|table; the write commands are fixes, mapped onto the
// world's edits. Resource IDs are made from the world's names (stable, in
// AWS's shapes); every command takes a resource's ID or its name.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"path"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/jmespath/go-jmespath"
)

// awsAccount is the account that owns every resource of a world.
const awsAccount = "123456789012"

// awsUsage is the AWS CLI's usage banner, printed before its argument
// errors.
const awsUsage = `
usage: aws [options] <command> <subcommand> [<subcommand> ...] [parameters]
To see help text, you can run:

  aws help
  aws <command> help
  aws <command> <subcommand> help

`

// awsOp is one operation of a service.
type awsOp struct {
	name string // the API's operation name: DescribeSecurityGroups
	// required lists the options the CLI insists on.
	required []string
	// options lists every option the operation takes (without the global
	// ones); a boolean option takes no value.
	options []string
	boolean []string
	run     func(s *Shell, c *awsCall) error
}

// awsServices is the AWS CLI's operations by service, built on first use:
// only the shell's aws command needs them, not every start of pathlab.
var (
	awsServiceTable map[string]map[string]*awsOp
	awsServicesOnce sync.Once
)

func awsServices() map[string]map[string]*awsOp {
	awsServicesOnce.Do(func() {
		awsServiceTable = baseAWSServices()
		addHybridAWS(awsServiceTable) // aws_hybrid.go
		addRuleAWS(awsServiceTable)   // aws_rules.go
	})
	return awsServiceTable
}

func baseAWSServices() (awsServices map[string]map[string]*awsOp) {
	ec2Describe := func(op string, run func(*Shell, *awsCall) error, ids string) *awsOp {
		return &awsOp{name: op, options: []string{"--filters", ids, "--dry-run", "--max-items", "--page-size", "--starting-token", "--max-results", "--next-token"}, boolean: []string{"--dry-run", "--no-dry-run"}, run: run}
	}
	awsServices = map[string]map[string]*awsOp{
		"ec2": {
			"describe-security-groups":    ec2Describe("DescribeSecurityGroups", (*Shell).awsDescribeSGs, "--group-ids"),
			"describe-network-acls":       ec2Describe("DescribeNetworkAcls", (*Shell).awsDescribeACLs, "--network-acl-ids"),
			"describe-route-tables":       ec2Describe("DescribeRouteTables", (*Shell).awsDescribeRTs, "--route-table-ids"),
			"describe-subnets":            ec2Describe("DescribeSubnets", (*Shell).awsDescribeSubnets, "--subnet-ids"),
			"describe-instances":          ec2Describe("DescribeInstances", (*Shell).awsDescribeInstances, "--instance-ids"),
			"describe-vpcs":               ec2Describe("DescribeVpcs", (*Shell).awsDescribeVPCs, "--vpc-ids"),
			"describe-network-interfaces": ec2Describe("DescribeNetworkInterfaces", (*Shell).awsDescribeENIs, "--network-interface-ids"),
			"authorize-security-group-ingress": {name: "AuthorizeSecurityGroupIngress", run: (*Shell).awsSGRule,
				options: []string{"--group-id", "--group-name", "--protocol", "--port", "--cidr", "--source-group", "--group-owner", "--ip-permissions", "--tag-specifications", "--dry-run"}, boolean: []string{"--dry-run"}},
			"authorize-security-group-egress": {name: "AuthorizeSecurityGroupEgress", run: (*Shell).awsSGRule, required: []string{"--group-id"},
				options: []string{"--group-id", "--protocol", "--port", "--cidr", "--source-group", "--group-owner", "--ip-permissions", "--tag-specifications", "--dry-run"}, boolean: []string{"--dry-run"}},
			"revoke-security-group-ingress": {name: "RevokeSecurityGroupIngress", run: (*Shell).awsSGRule,
				options: []string{"--group-id", "--group-name", "--protocol", "--port", "--cidr", "--source-group", "--group-owner", "--ip-permissions", "--security-group-rule-ids", "--dry-run"}, boolean: []string{"--dry-run"}},
			"revoke-security-group-egress": {name: "RevokeSecurityGroupEgress", run: (*Shell).awsSGRule, required: []string{"--group-id"},
				options: []string{"--group-id", "--protocol", "--port", "--cidr", "--source-group", "--group-owner", "--ip-permissions", "--security-group-rule-ids", "--dry-run"}, boolean: []string{"--dry-run"}},
			"create-route": {name: "CreateRoute", run: (*Shell).awsRoute, required: []string{"--route-table-id"},
				options: []string{"--route-table-id", "--destination-cidr-block", "--gateway-id", "--nat-gateway-id", "--vpc-peering-connection-id", "--instance-id", "--network-interface-id", "--transit-gateway-id", "--dry-run"}, boolean: []string{"--dry-run"}},
			"replace-route": {name: "ReplaceRoute", run: (*Shell).awsRoute, required: []string{"--route-table-id"},
				options: []string{"--route-table-id", "--destination-cidr-block", "--gateway-id", "--nat-gateway-id", "--vpc-peering-connection-id", "--instance-id", "--network-interface-id", "--transit-gateway-id", "--local-target", "--dry-run"}, boolean: []string{"--dry-run", "--local-target"}},
			"delete-route": {name: "DeleteRoute", run: (*Shell).awsRoute, required: []string{"--route-table-id"},
				options: []string{"--route-table-id", "--destination-cidr-block", "--dry-run"}, boolean: []string{"--dry-run"}},
			"create-network-acl-entry": {name: "CreateNetworkAclEntry", run: (*Shell).awsACLEntry, required: []string{"--network-acl-id", "--rule-number", "--protocol", "--rule-action"},
				options: []string{"--network-acl-id", "--rule-number", "--protocol", "--rule-action", "--cidr-block", "--port-range", "--icmp-type-code", "--ingress", "--egress", "--dry-run"}, boolean: []string{"--ingress", "--egress", "--dry-run"}},
			"replace-network-acl-entry": {name: "ReplaceNetworkAclEntry", run: (*Shell).awsACLEntry, required: []string{"--network-acl-id", "--rule-number", "--protocol", "--rule-action"},
				options: []string{"--network-acl-id", "--rule-number", "--protocol", "--rule-action", "--cidr-block", "--port-range", "--icmp-type-code", "--ingress", "--egress", "--dry-run"}, boolean: []string{"--ingress", "--egress", "--dry-run"}},
			"delete-network-acl-entry": {name: "DeleteNetworkAclEntry", run: (*Shell).awsACLEntry, required: []string{"--network-acl-id", "--rule-number"},
				options: []string{"--network-acl-id", "--rule-number", "--ingress", "--egress", "--dry-run"}, boolean: []string{"--ingress", "--egress", "--dry-run"}},
		},
		"elbv2": {
			"describe-load-balancers": {name: "DescribeLoadBalancers", run: (*Shell).awsDescribeLBs, options: []string{"--load-balancer-arns", "--names", "--max-items", "--page-size", "--starting-token"}},
			"describe-target-groups":  {name: "DescribeTargetGroups", run: (*Shell).awsDescribeTGs, options: []string{"--load-balancer-arn", "--target-group-arns", "--names", "--max-items", "--page-size", "--starting-token"}},
			"describe-target-health":  {name: "DescribeTargetHealth", run: (*Shell).awsDescribeTargetHealth, required: []string{"--target-group-arn"}, options: []string{"--target-group-arn", "--targets", "--include"}},
			"describe-listeners":      {name: "DescribeListeners", run: (*Shell).awsDescribeListeners, options: []string{"--load-balancer-arn", "--listener-arns", "--max-items", "--page-size", "--starting-token"}},
			"register-targets":        {name: "RegisterTargets", run: (*Shell).awsTargets, required: []string{"--target-group-arn", "--targets"}, options: []string{"--target-group-arn", "--targets"}},
			"deregister-targets":      {name: "DeregisterTargets", run: (*Shell).awsTargets, required: []string{"--target-group-arn", "--targets"}, options: []string{"--target-group-arn", "--targets"}},
			"set-subnets":             {name: "SetSubnets", run: (*Shell).awsSetSubnets, required: []string{"--load-balancer-arn", "--subnets"}, options: []string{"--load-balancer-arn", "--subnets"}}, // aws_subnets.go
			"modify-target-group": {name: "ModifyTargetGroup", run: (*Shell).awsModifyTG, required: []string{"--target-group-arn"},
				options: []string{"--target-group-arn", "--health-check-protocol", "--health-check-port", "--health-check-path", "--health-check-enabled", "--no-health-check-enabled",
					"--health-check-interval-seconds", "--health-check-timeout-seconds", "--healthy-threshold-count", "--unhealthy-threshold-count", "--matcher"},
				boolean: []string{"--health-check-enabled", "--no-health-check-enabled"}},
		},
		"route53": {
			"list-hosted-zones":         {name: "ListHostedZones", run: (*Shell).awsListZones, options: []string{"--max-items", "--page-size", "--starting-token", "--hosted-zone-type"}},
			"list-resource-record-sets": {name: "ListResourceRecordSets", run: (*Shell).awsListRecords, required: []string{"--hosted-zone-id"}, options: []string{"--hosted-zone-id", "--max-items", "--page-size", "--starting-token"}},
		},
	}
	return awsServices
}

// awsGlobal are the CLI's global options that take a value, and those that
// take none.
var (
	awsGlobal     = []string{"--output", "--query", "--region", "--profile", "--endpoint-url", "--cli-read-timeout", "--cli-connect-timeout", "--color", "--ca-bundle", "--cli-binary-format"}
	awsGlobalBool = []string{"--no-cli-pager", "--debug", "--no-paginate", "--no-verify-ssl", "--no-sign-request", "--cli-auto-prompt", "--no-cli-auto-prompt"}
)

// awsCall is one parsed invocation.
type awsCall struct {
	service, op string
	spec        *awsOp
	opts        map[string][]string // option to its values; a boolean has none
	order       []string            // the options in the order given
	output      string
	query       string
}

func (c *awsCall) has(o string) bool { _, ok := c.opts[o]; return ok }

// one is an option's single value ("" when absent).
func (c *awsCall) one(o string) string {
	if v := c.opts[o]; len(v) > 0 {
		return v[0]
	}
	return ""
}

// awsError is the AWS CLI's complaint: printed as is (the CLI exits 252
// for a bad command line, 254 for an error the service returned).
type awsError struct{ text string }

func (e awsError) Error() string { return e.text }

// apiError is an error the service returns, as the CLI prints it.
func apiError(code, op, msg string) error {
	return awsError{text: fmt.Sprintf("\nAn error occurred (%s) when calling the %s operation: %s\n", code, op, msg)}
}

// awsChoices is argparse's complaint about a choice, as the CLI words
// it: the choices two to a line, then the close matches
// (difflib.get_close_matches, cutoff 0.8).
func awsChoices(kind, value string, names []string) error {
	sort.Strings(names)
	names = append(names, "help")
	var b strings.Builder
	b.WriteString(awsUsage[:len(awsUsage)-1]) // no blank line before argparse's error
	fmt.Fprintf(&b, "aws: error: argument %s: Invalid choice, valid choices are:\n\n", kind)
	for i := 0; i < len(names); i += 2 {
		if i+1 < len(names) {
			fmt.Fprintf(&b, "%-40s | %-40s\n", names[i], names[i+1])
		} else {
			fmt.Fprintf(&b, "%-40s\n", names[i])
		}
	}
	if close := closeMatches(value, names, 3, 0.8); len(close) > 0 {
		fmt.Fprintf(&b, "\n\nInvalid choice: '%s', maybe you meant:\n\n", value)
		for _, c := range close {
			fmt.Fprintf(&b, "  * %s\n", c)
		}
	}
	return awsError{text: b.String()}
}

// closeMatches is Python's difflib.get_close_matches: the n choices whose
// SequenceMatcher ratio with word is at least cutoff, best first.
func closeMatches(word string, choices []string, n int, cutoff float64) []string {
	type scored struct {
		s string
		r float64
	}
	var out []scored
	for _, c := range choices {
		if r := seqRatio(word, c); r >= cutoff {
			out = append(out, scored{c, r})
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].r != out[j].r {
			return out[i].r > out[j].r
		}
		return out[i].s > out[j].s
	})
	var names []string
	for i := 0; i < len(out) && i < n; i++ {
		names = append(names, out[i].s)
	}
	return names
}

// seqRatio is difflib.SequenceMatcher(None, a, b).ratio(): twice the
// characters of the matching blocks (the longest common run, then the
// same on each side of it) over both lengths.
func seqRatio(a, b string) float64 {
	if len(a)+len(b) == 0 {
		return 1
	}
	var matched func(a, b string) int
	matched = func(a, b string) int {
		best, bi, bj := 0, 0, 0
		for i := range a {
			for j := range b {
				k := 0
				for i+k < len(a) && j+k < len(b) && a[i+k] == b[j+k] {
					k++
				}
				if k > best {
					best, bi, bj = k, i, j
				}
			}
		}
		if best == 0 {
			return 0
		}
		return best + matched(a[:bi], b[:bj]) + matched(a[bi+best:], b[bj+best:])
	}
	return 2 * float64(matched(a, b)) / float64(len(a)+len(b))
}

// aws runs the AWS CLI.
func (s *Shell) aws(_ context.Context, args []string) error {
	if err := s.awsRun(args); err != nil {
		if ae, ok := err.(awsError); ok {
			s.printf("%s", ae.text)
			return nil
		}
		return err
	}
	return nil
}

func (s *Shell) awsRun(args []string) error {
	var rest []string
	c := &awsCall{opts: map[string][]string{}, output: "json"}
	// Global options may come anywhere; the first two other words are the
	// service and the operation.
	var unknown []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		name, val, hasVal := strings.Cut(a, "=")
		switch {
		case contains(awsGlobal, name):
			if !hasVal {
				if i+1 >= len(args) {
					return awsError{text: awsUsage[:len(awsUsage)-1] + fmt.Sprintf("aws: error: argument %s: expected one argument\n", name)}
				}
				i++
				val = args[i]
			}
			switch name {
			case "--output":
				if !contains([]string{"json", "text", "table", "yaml", "yaml-stream"}, val) {
					return awsError{text: awsUsage[:len(awsUsage)-1] + fmt.Sprintf("aws: error: argument --output: Invalid choice, valid choices are:\n\n%-40s | %-40s\n%-40s | %-40s\n%-40s\n", "json", "text", "table", "yaml", "yaml-stream")}
				}
				c.output = val
			case "--query":
				c.query = val
			}
		case contains(awsGlobalBool, a):
		case len(rest) < 2 && !strings.HasPrefix(a, "-"):
			rest = append(rest, a)
		default:
			if len(rest) < 2 {
				unknown = append(unknown, a)
				continue
			}
			// an operation option and its values
			if !strings.HasPrefix(a, "--") {
				unknown = append(unknown, a)
				continue
			}
			if _, ok := c.opts[name]; !ok {
				c.order = append(c.order, name)
			}
			if hasVal {
				c.opts[name] = append(c.opts[name], val)
				continue
			}
			if _, ok := c.opts[a]; !ok {
				c.opts[a] = nil
			}
			for i+1 < len(args) && !(strings.HasPrefix(args[i+1], "--") && len(args[i+1]) > 2) {
				i++
				c.opts[a] = append(c.opts[a], args[i])
			}
		}
	}
	if len(rest) == 0 {
		return awsError{text: awsUsage[:len(awsUsage)-1] + "aws: error: the following arguments are required: command\n"}
	}
	if rest[0] == "help" {
		s.printf("%s", awsHelp())
		return nil
	}
	ops, ok := awsServices()[rest[0]]
	if !ok {
		return awsChoices("command", rest[0], []string{"ec2", "elbv2", "route53"})
	}
	if len(rest) == 1 {
		return awsError{text: awsUsage[:len(awsUsage)-1] + "aws: error: the following arguments are required: operation\n"}
	}
	c.service, c.op = rest[0], rest[1]
	if c.op == "help" {
		s.printf("%s", awsHelp())
		return nil
	}
	op, ok := ops[c.op]
	if !ok {
		var names []string
		for n := range ops {
			names = append(names, n)
		}
		return awsChoices("operation", c.op, names)
	}
	c.spec = op
	// Unknown options, then missing ones, as the CLI checks them.
	for _, o := range c.order {
		vals := c.opts[o]
		if !contains(op.options, o) {
			unknown = append(unknown, o)
			unknown = append(unknown, vals...)
			delete(c.opts, o)
			continue
		}
		if contains(op.boolean, o) && len(vals) > 0 {
			unknown = append(unknown, vals...)
		}
		if !contains(op.boolean, o) && len(vals) == 0 {
			return awsError{text: awsUsage[:len(awsUsage)-1] + fmt.Sprintf("aws: error: argument %s: expected one argument\n", o)}
		}
	}
	if len(unknown) > 0 {
		return awsError{text: awsUsage + "Unknown options: " + strings.Join(unknown, ", ") + "\n"}
	}
	var missing []string
	for _, r := range op.required {
		if !c.has(r) {
			missing = append(missing, r)
		}
	}
	if len(missing) > 0 {
		return awsError{text: awsUsage[:len(awsUsage)-1] + "aws: error: the following arguments are required: " + strings.Join(missing, ", ") + "\n"}
	}
	if c.has("--dry-run") {
		return apiError("DryRunOperation", op.name, "Request would have succeeded, but DryRun flag is set.")
	}
	return op.run(s, c)
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

func awsHelp() string {
	var b strings.Builder
	b.WriteString("The AWS CLI of this world: its read commands describe the world as the APIs do,\nits write commands are fixes.\n\n")
	for _, svc := range []string{"ec2", "elbv2", "route53"} {
		var names []string
		for n := range awsServices()[svc] {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			fmt.Fprintf(&b, "  aws %s %s\n", svc, n)
		}
	}
	b.WriteString("\nGlobal options: --query JMESPATH, --output json|text|table; describe-* take --filters Name=...,Values=...\n")
	return b.String()
}

// awsID is a resource's ID: the world's name when it already is one, else
// a stable ID in AWS's shape made from the name.
func awsID(prefix, name string) string {
	if rest, ok := strings.CutPrefix(name, prefix+"-"); ok && (len(rest) == 8 || len(rest) == 17) && isHex(rest) {
		return name
	}
	h := fnv.New64a()
	h.Write([]byte(prefix + "/" + name))
	return fmt.Sprintf("%s-0%016x", prefix, h.Sum64())
}

func isHex(s string) bool {
	for _, c := range s {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

// hexOf is 16 hex digits made from the words.
func hexOf(words ...string) string {
	h := fnv.New64a()
	h.Write([]byte(strings.Join(words, "/")))
	return fmt.Sprintf("%016x", h.Sum64())
}

// awsTags is a resource's tags: its name.
func awsTags(name string) []awsTag { return []awsTag{{Key: "Name", Value: name}} }

type awsTag struct {
	Key   string `json:"Key"`
	Value string `json:"Value"`
}

// print writes a response in the call's output format, after its query.
func (s *Shell) awsPrint(c *awsCall, resp any, typed ...[]byte) error {
	raw, err := json.Marshal(resp)
	if err != nil {
		return err
	}
	rank := keyRank(c.query, append(typed, raw)...)
	var doc any
	if err := json.Unmarshal(raw, &doc); err != nil {
		return err
	}
	if c.query == "" && c.output != "text" && c.output != "table" {
		// the response's own order, as the API returned it
		doc = orderedDecode(json.NewDecoder(bytes.NewReader(raw)))
	} else if c.query != "" {
		doc, err = jmespath.Search(legacyLiterals(c.query), doc)
		if err != nil {
			return awsError{text: fmt.Sprintf("\nBad value for --query %s: %v\n", c.query, err)}
		}
	}
	var b bytes.Buffer
	switch c.output {
	case "text":
		textOut(&b, doc, "", nil)
	case "table":
		tableOut(&b, doc, c.spec.name, rank)
	default: // json; yaml is printed as json
		if c.query != "" && doc == nil {
			b.WriteString("null\n")
			break
		}
		jsonOut(&b, doc, 0, rank)
		b.WriteString("\n")
	}
	s.printf("%s", b.String())
	return nil
}

// keyRank orders the keys of an object as the CLI prints them: a
// multi-select hash's keys in the order the query names them, then every
// other key in the order of the response.
func keyRank(query string, raws ...[]byte) map[string]int {
	rank := map[string]int{}
	if query != "" {
		for i := 0; i < len(query); i++ {
			j := i
			for j < len(query) && (query[j] == '_' || query[j] >= 'a' && query[j] <= 'z' || query[j] >= 'A' && query[j] <= 'Z' || query[j] >= '0' && query[j] <= '9') {
				j++
			}
			if j > i {
				k := j
				for k < len(query) && query[k] == ' ' {
					k++
				}
				if k < len(query) && query[k] == ':' {
					if _, ok := rank[query[i:j]]; !ok {
						rank[query[i:j]] = len(rank) - 1_000_000
					}
				}
				i = j
			}
		}
	}
	for _, raw := range raws {
		rankKeys(rank, raw)
	}
	return rank
}

func rankKeys(rank map[string]int, raw []byte) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	// For each open container: is it an object, and does it expect a key?
	type level struct{ object, key bool }
	var stack []level
	valueDone := func() {
		if n := len(stack); n > 0 && stack[n-1].object {
			stack[n-1].key = true
		}
	}
	for {
		t, err := dec.Token()
		if err != nil {
			break
		}
		switch v := t.(type) {
		case json.Delim:
			switch v {
			case '{':
				stack = append(stack, level{object: true, key: true})
			case '[':
				stack = append(stack, level{})
			default:
				stack = stack[:len(stack)-1]
				valueDone()
			}
		case string:
			if n := len(stack); n > 0 && stack[n-1].object && stack[n-1].key {
				if _, ok := rank[v]; !ok {
					rank[v] = len(rank)
				}
				stack[n-1].key = false
				continue
			}
			valueDone()
		default:
			valueDone()
		}
	}
}

func sortedKeys(m map[string]any, rank map[string]int) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.SliceStable(keys, func(i, j int) bool {
		ri, oki := rank[keys[i]]
		rj, okj := rank[keys[j]]
		switch {
		case oki && okj && ri != rj:
			return ri < rj
		case oki != okj:
			return oki
		}
		return keys[i] < keys[j]
	})
	return keys
}

// jsonOut writes v as the CLI does (Python's json.dumps, indent 4).
func jsonOut(b *bytes.Buffer, v any, depth int, rank map[string]int) {
	ind := strings.Repeat("    ", depth)
	switch x := v.(type) {
	case *ordObj:
		if len(x.keys) == 0 {
			b.WriteString("{}")
			return
		}
		b.WriteString("{\n")
		for i, k := range x.keys {
			b.WriteString(ind + "    ")
			jsonScalar(b, k)
			b.WriteString(": ")
			jsonOut(b, x.m[k], depth+1, rank)
			if i < len(x.keys)-1 {
				b.WriteString(",")
			}
			b.WriteString("\n")
		}
		b.WriteString(ind + "}")
	case map[string]any:
		if len(x) == 0 {
			b.WriteString("{}")
			return
		}
		b.WriteString("{\n")
		for i, k := range sortedKeys(x, rank) {
			b.WriteString(ind + "    ")
			jsonScalar(b, k)
			b.WriteString(": ")
			jsonOut(b, x[k], depth+1, rank)
			if i < len(x)-1 {
				b.WriteString(",")
			}
			b.WriteString("\n")
		}
		b.WriteString(ind + "}")
	case []any:
		if len(x) == 0 {
			b.WriteString("[]")
			return
		}
		b.WriteString("[\n")
		for i, e := range x {
			b.WriteString(ind + "    ")
			jsonOut(b, e, depth+1, rank)
			if i < len(x)-1 {
				b.WriteString(",")
			}
			b.WriteString("\n")
		}
		b.WriteString(ind + "]")
	default:
		jsonScalar(b, v)
	}
}

func jsonScalar(b *bytes.Buffer, v any) {
	switch x := v.(type) {
	case nil:
		b.WriteString("null")
	case float64:
		b.WriteString(numText(x))
	case string:
		enc := json.NewEncoder(b)
		enc.SetEscapeHTML(false)
		enc.Encode(x)
		b.Truncate(b.Len() - 1) // Encode's newline
	case bool:
		b.WriteString(strconv.FormatBool(x))
	default:
		fmt.Fprint(b, x)
	}
}

func numText(x float64) string {
	if x == float64(int64(x)) {
		return strconv.FormatInt(int64(x), 10)
	}
	return strconv.FormatFloat(x, 'g', -1, 64)
}

// pyStr is a scalar as Python's str() writes it, as the text output does.
func pyStr(v any) string {
	switch x := v.(type) {
	case nil:
		return "None"
	case bool:
		if x {
			return "True"
		}
		return "False"
	case float64:
		return numText(x)
	case string:
		return x
	}
	return fmt.Sprint(v)
}

func isScalar(v any) bool {
	switch v.(type) {
	case map[string]any, []any:
		return false
	}
	return true
}

// textOut writes v as the CLI's text output does (awscli/text.py).
func textOut(b *bytes.Buffer, v any, ident string, scalarKeys []string) {
	switch x := v.(type) {
	case map[string]any:
		var scalars []string
		type pair struct {
			k string
			v any
		}
		var nonScalars []pair
		if scalarKeys == nil {
			keys := make([]string, 0, len(x))
			for k := range x {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for _, k := range keys {
				if isScalar(x[k]) {
					scalars = append(scalars, pyStr(x[k]))
				} else {
					nonScalars = append(nonScalars, pair{k, x[k]})
				}
			}
		} else {
			for _, k := range scalarKeys {
				if v, ok := x[k]; ok {
					scalars = append(scalars, pyStr(v))
				} else {
					scalars = append(scalars, "") // item_dict.get(key, '')
				}
			}
			var rest []string
			for k := range x {
				if !contains(scalarKeys, k) {
					rest = append(rest, k)
				}
			}
			sort.Strings(rest)
			for _, k := range rest {
				nonScalars = append(nonScalars, pair{k, x[k]})
			}
		}
		if len(scalars) > 0 {
			if ident != "" {
				scalars = append([]string{strings.ToUpper(ident)}, scalars...)
			}
			b.WriteString(strings.Join(scalars, "\t") + "\n")
		}
		for _, p := range nonScalars {
			textOut(b, p.v, p.k, nil)
		}
	case []any:
		if len(x) == 0 {
			return
		}
		hasDict, hasList := false, false
		for _, e := range x {
			switch e.(type) {
			case map[string]any:
				hasDict = true
			case []any:
				hasList = true
			}
		}
		switch {
		case hasDict:
			seen := map[string]bool{}
			for _, e := range x {
				if m, ok := e.(map[string]any); ok {
					for k, val := range m {
						if isScalar(val) {
							seen[k] = true
						}
					}
				}
			}
			keys := make([]string, 0, len(seen))
			for k := range seen {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for _, e := range x {
				textOut(b, e, ident, keys)
			}
		case hasList:
			var scalars []any
			var rest []any
			for _, e := range x {
				if isScalar(e) {
					scalars = append(scalars, e)
				} else {
					rest = append(rest, e)
				}
			}
			if len(scalars) > 0 {
				scalarList(b, scalars, ident)
			}
			for _, e := range rest {
				textOut(b, e, ident, nil)
			}
		default:
			scalarList(b, x, ident)
		}
	default:
		b.WriteString(pyStr(v) + "\n")
	}
}

func scalarList(b *bytes.Buffer, xs []any, ident string) {
	if ident != "" {
		for _, e := range xs {
			b.WriteString(strings.ToUpper(ident) + "\t" + pyStr(e) + "\n")
		}
		return
	}
	parts := make([]string, len(xs))
	for i, e := range xs {
		parts[i] = pyStr(e)
	}
	b.WriteString(strings.Join(parts, "\t") + "\n")
}

// matchValue reports whether a filter value (with * and ? wildcards, as
// EC2 takes them) matches.
func matchValue(pattern, v string) bool {
	if !strings.ContainsAny(pattern, "*?") {
		return pattern == v
	}
	ok, err := path.Match(strings.ReplaceAll(pattern, "[", "\\["), v)
	return err == nil && ok
}

// legacyLiterals rewrites a backquoted literal that is not JSON
// (`sg-lb`) as the JSON string it stands for: the AWS CLI's JMESPath
// takes such literals as strings, as the old specification did.
func legacyLiterals(q string) string {
	var b strings.Builder
	for {
		i := strings.IndexByte(q, '`')
		if i < 0 {
			b.WriteString(q)
			return b.String()
		}
		j := strings.IndexByte(q[i+1:], '`')
		if j < 0 {
			b.WriteString(q)
			return b.String()
		}
		lit := q[i+1 : i+1+j]
		b.WriteString(q[:i+1])
		if json.Valid([]byte(lit)) {
			b.WriteString(lit)
		} else {
			enc, _ := json.Marshal(strings.TrimSpace(lit))
			b.Write(enc)
		}
		b.WriteByte('`')
		q = q[i+2+j:]
	}
}

// omap is an object whose keys keep their order in JSON.
type omap []kv

type kv struct {
	k string
	v any
}

func (o omap) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, e := range o {
		if i > 0 {
			b.WriteByte(',')
		}
		k, _ := json.Marshal(e.k)
		v, err := json.Marshal(e.v)
		if err != nil {
			return nil, err
		}
		b.Write(k)
		b.WriteByte(':')
		b.Write(v)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// ordObj is a decoded object that keeps its keys' order.
type ordObj struct {
	keys []string
	m    map[string]any
}

// orderedDecode reads one JSON value, objects as ordObj.
func orderedDecode(dec *json.Decoder) any {
	t, err := dec.Token()
	if err != nil {
		return nil
	}
	switch v := t.(type) {
	case json.Delim:
		switch v {
		case '{':
			o := &ordObj{m: map[string]any{}}
			for dec.More() {
				kt, _ := dec.Token()
				k, _ := kt.(string)
				o.keys = append(o.keys, k)
				o.m[k] = orderedDecode(dec)
			}
			dec.Token() // }
			return o
		case '[':
			l := []any{}
			for dec.More() {
				l = append(l, orderedDecode(dec))
			}
			dec.Token() // ]
			return l
		}
	}
	return t
}
