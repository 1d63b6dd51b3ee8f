package play

import (
	"bytes"
	"context"
	"encoding/json"
	"os/exec"
	"testing"
)

// awsFormat runs the AWS CLI's own formatters (the awscli Python package)
// over a response: text, table, or json as the CLI dumps it.
const awsFormat = `
import sys, json, io, argparse, collections
from awscli.text import format_text
from awscli.formatter import TableFormatter
results = []
for job in json.load(sys.stdin):
    data = json.loads(job['data'], object_pairs_hook=collections.OrderedDict)
    out = io.StringIO()
    if job['mode'] == 'text':
        format_text(data, out)
    elif job['mode'] == 'table':
        TableFormatter(argparse.Namespace(color='off', query=None))(job['title'], data, out)
    else:
        out.write(json.dumps(data, indent=4, ensure_ascii=False) + '\n')
    results.append(out.getvalue())
json.dump(results, sys.stdout)
`

// TestAWSFormatsMatchTheCLI holds the shell's --output json, text and
// table against the AWS CLI's own formatters, fed the same response. It
// needs the awscli Python package (Debian's awscli; .ci/run installs it).
func TestAWSFormatsMatchTheCLI(t *testing.T) {
	if err := exec.Command("python3", "-c", "import awscli.formatter, awscli.text").Run(); err != nil {
		t.Skip("the AWS CLI's Python package is not installed (apt-get install awscli)")
	}
	st := adHoc(t)
	var out bytes.Buffer
	sh, err := New(context.Background(), st, &out, Options{Now: newClock().Now})
	if err != nil {
		t.Fatal(err)
	}
	run := func(line string) []byte {
		out.Reset()
		sh.Exec(context.Background(), line)
		return append([]byte(nil), out.Bytes()...)
	}
	type job struct {
		Data  string `json:"data"`
		Mode  string `json:"mode"`
		Title string `json:"title"`
	}
	var jobs []job
	var got, names []string
	for _, tc := range []struct{ cmd, title string }{
		{"ec2 describe-vpcs", "DescribeVpcs"},
		{"ec2 describe-subnets", "DescribeSubnets"},
		{"ec2 describe-route-tables", "DescribeRouteTables"},
		{"ec2 describe-network-acls", "DescribeNetworkAcls"},
		{"ec2 describe-security-groups", "DescribeSecurityGroups"},
		{"ec2 describe-instances", "DescribeInstances"},
		{"elbv2 describe-load-balancers", "DescribeLoadBalancers"},
		{"elbv2 describe-target-groups", "DescribeTargetGroups"},
		{"elbv2 describe-target-health --target-group-arn tg-app", "DescribeTargetHealth"},
		{"elbv2 describe-listeners --load-balancer-arn web-lb", "DescribeListeners"},
		{"ec2 describe-security-groups --query SecurityGroups[].{Name:GroupName,Id:GroupId}", "DescribeSecurityGroups"},
		{"ec2 describe-route-tables --query RouteTables[].Routes[]", "DescribeRouteTables"},
	} {
		resp := run("aws " + tc.cmd)
		for _, mode := range []string{"json", "text", "table"} {
			jobs = append(jobs, job{Data: string(resp), Mode: mode, Title: tc.title})
			got = append(got, string(run("aws "+tc.cmd+" --output "+mode)))
			names = append(names, "aws "+tc.cmd+" --output "+mode)
		}
	}
	in, _ := json.Marshal(jobs)
	cmd := exec.Command("python3", "-c", awsFormat)
	cmd.Stdin = bytes.NewReader(in)
	res, err := cmd.Output()
	if err != nil {
		t.Fatalf("the CLI's formatters: %v", err)
	}
	var want []string
	if err := json.Unmarshal(res, &want); err != nil || len(want) != len(got) {
		t.Fatalf("the CLI's formatters gave %d answers for %d (%v)", len(want), len(got), err)
	}
	for i := range got {
		if got[i] != want[i] {
			t.Errorf("%s:\n%s\n--- the AWS CLI formats it as\n%s", names[i], got[i], want[i])
		}
	}
}
