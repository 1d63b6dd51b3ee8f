package play

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/pathlab/pathlab/scenarios"
	"github.com/pathlab/pathlab/simnet"
	"github.com/pathlab/pathlab/simnet/spec"
)

// TestAWSRead: the read commands, each kept as a golden transcript in the
// AWS CLI's shapes and formats.
func TestAWSRead(t *testing.T) {
	tests := []struct {
		name  string
		lines []string
		want  []string
	}{
		{"aws-ec2-describe", []string{
			"aws ec2 describe-vpcs",
			"aws ec2 describe-subnets --filters Name=tag:Name,Values=app-*",
			"aws ec2 describe-security-groups --filters Name=group-name,Values=sg-app",
			"aws ec2 describe-network-acls --filters Name=tag:Name,Values=acl-data",
			"aws ec2 describe-route-tables --filters Name=tag:Name,Values=rt-private,rt-isolated",
			"aws ec2 describe-instances --filters Name=private-ip-address,Values=10.0.10.21",
		}, []string{`"GroupName": "sg-app"`, `"Protocol": "6"`, `"RuleNumber": 32767`, `"NatGatewayId": "nat-0`, `"GatewayId": "local"`, `"State": "active"`, `"PrivateIpAddress": "10.0.10.21"`}},
		{"aws-elbv2-route53", []string{
			"aws elbv2 describe-load-balancers",
			"aws route53 list-resource-record-sets --hosted-zone-id " + zoneID(spec.ZoneSpec{Name: "example.com"}),
			"aws elbv2 describe-target-groups --names tg-app",
			"aws elbv2 describe-target-health --target-group-arn tg-app",
			"aws elbv2 describe-listeners --load-balancer-arn web-lb",
			"aws route53 list-hosted-zones --query HostedZones[].[Id,Name] --output text",
		}, []string{`"TargetGroupName": "tg-app"`, `"Reason": "Target.Timeout"`, `"HealthCheckPort": "8080"`, `"StatusCode": "HTTP_301"`, "/hostedzone/Z", `"Type": "SOA"`, `"Value": "web-lb.example.com."`}},
		{"aws-query-output", []string{
			"aws ec2 describe-security-groups --query 'SecurityGroups[].{Name:GroupName,Id:GroupId}' --output text",
			"aws ec2 describe-security-groups --query 'SecurityGroups[?GroupName==`sg-lb`].IpPermissions[].[IpProtocol,FromPort,ToPort]' --output text",
			"aws ec2 describe-network-acls --query 'NetworkAcls[].Entries[?RuleAction==`deny`].RuleNumber'",
			"aws ec2 describe-route-tables --query 'RouteTables[].Routes[].State' --output text",
			"aws ec2 describe-subnets --query 'Subnets[0].{Cidr:CidrBlock,Zone:AvailabilityZone}' --output table",
			"aws ec2 describe-vpcs --output text",
			"aws ec2 describe-vpcs --query 'Vpcs[0].CidrBlock'",
			"aws ec2 describe-security-groups --query 'SecurityGroups[].{Name:GroupName,Id:GroupId,Vpc:VpcId}' --output table",
			"aws elbv2 describe-target-health --target-group-arn tg-app --output table",
		}, []string{"\tsg-app", "tcp\t443\t443", "32767", "active", "|", "VPCS\t10.0.0.0/16", `"10.0.0.0/16"`, "DescribeTargetHealth", "|||  Request timed out|  Target.Timeout  |  unhealthy  |||", "|  sg-01eaaabc38463d9bb |  sg-lb      |"}},
		{"aws-errors", []string{
			"aws ec2 describe-foo",
			"aws ec2 describe-sec-groups",
			"aws ec2 describe-vpcs --bogus 1",
			"aws s3 ls",
			"aws ec2",
			"aws elbv2 describe-target-health",
			"aws ec2 describe-security-groups --group-ids sg-nope",
			"aws ec2 describe-subnets --filters Name=nope,Values=x",
			"aws ec2 describe-vpcs --query 'Vpcs[0'",
			"aws ec2 describe-vpcs --output xml",
		}, []string{"aws: error: argument operation: Invalid choice, valid choices are:", "Invalid choice: 'describe-sec-groups', maybe you meant:\n\n  * describe-security-groups", "Unknown options: --bogus, 1", "argument command: Invalid choice",
			"the following arguments are required: operation", "the following arguments are required: --target-group-arn",
			"An error occurred (InvalidGroup.NotFound) when calling the DescribeSecurityGroups operation: The security group 'sg-nope' does not exist",
			"The filter 'nope' is invalid", "Bad value for --query", "argument --output: Invalid choice"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, out := session(t, adHoc(t), tt.lines, Options{Echo: true})
			for _, w := range tt.want {
				if !strings.Contains(out, w) {
					t.Errorf("transcript lacks %q", w)
				}
			}
			golden(t, tt.name, out)
		})
	}
}

// TestAWSWrite: the write commands are fixes; the right one solves the
// scenario, and each maps onto the world as its fix command would.
func TestAWSWrite(t *testing.T) {
	sh, out := session(t, adHoc(t), []string{
		"aws ec2 authorize-security-group-ingress --group-id sg-app --protocol tcp --port 8080 --source-group sg-lb",
		"aws ec2 authorize-security-group-ingress --group-id sg-app --protocol tcp --port 8080 --source-group sg-lb",
		"aws elbv2 describe-target-health --target-group-arn tg-app --query 'TargetHealthDescriptions[].TargetHealth.State' --output text",
		"check",
		"aws ec2 authorize-security-group-egress --group-id sg-db --ip-permissions IpProtocol=tcp,FromPort=443,ToPort=443,IpRanges=[{CidrIp=0.0.0.0/0}]",
		"aws ec2 revoke-security-group-egress --group-id sg-db --ip-permissions IpProtocol=tcp,FromPort=443,ToPort=443,IpRanges=[{CidrIp=0.0.0.0/0}]",
		"aws ec2 revoke-security-group-egress --group-id sg-db --protocol tcp --port 443 --cidr 0.0.0.0/0",
		"aws ec2 authorize-security-group-ingress --group-id sg-db --protocol tcp --port 22 --cidr 10.0.0.0/16",
		"aws ec2 revoke-security-group-ingress --group-id sg-db --protocol tcp --port 22 --cidr 10.0.0.0/16",
		"aws ec2 create-route --route-table-id rt-isolated --destination-cidr-block 0.0.0.0/0 --nat-gateway-id nat-a",
		"aws ec2 replace-route --route-table-id rt-isolated --destination-cidr-block 0.0.0.0/0 --gateway-id igw-prod",
		"aws ec2 describe-route-tables --filters Name=tag:Name,Values=rt-isolated --query 'RouteTables[].Routes[].[DestinationCidrBlock,GatewayId,State]' --output text",
		"aws ec2 delete-route --route-table-id rt-isolated --destination-cidr-block 0.0.0.0/0",
		"aws ec2 delete-route --route-table-id rt-isolated --destination-cidr-block 0.0.0.0/0",
		"aws ec2 create-network-acl-entry --network-acl-id acl-data --ingress --rule-number 110 --protocol tcp --port-range From=22,To=22 --cidr-block 10.0.0.0/16 --rule-action allow",
		"aws ec2 replace-network-acl-entry --network-acl-id acl-data --ingress --rule-number 110 --protocol 6 --port-range From=2222,To=2222 --cidr-block 10.0.0.0/16 --rule-action deny",
		"aws ec2 describe-network-acls --filters Name=tag:Name,Values=acl-data --query 'NetworkAcls[].Entries[?RuleNumber==`110`][]'",
		"aws ec2 delete-network-acl-entry --network-acl-id acl-data --ingress --rule-number 110",
		"aws ec2 create-network-acl-entry --network-acl-id acl-data --rule-number 120 --protocol -1 --cidr-block 0.0.0.0/0 --rule-action allow",
		"aws elbv2 deregister-targets --target-group-arn tg-app --targets Id=app-2",
		"aws elbv2 register-targets --target-group-arn tg-app --targets Id=app-2",
		"aws elbv2 modify-target-group --target-group-arn tg-app --health-check-path /status --matcher HttpCode=200-299",
		"aws elbv2 describe-target-health --target-group-arn tg-app --output text",
		"undo",
		"aws ec2 create-route --route-table-id rt-nope --destination-cidr-block 0.0.0.0/0 --gateway-id igw-prod",
	}, Options{Echo: true})
	for _, w := range []string{
		`"SecurityGroupRules": [`, `"ReferencedGroupInfo": {`,
		"An error occurred (InvalidPermission.Duplicate)",
		"healthy\thealthy",
		"solved",
		"An error occurred (InvalidPermission.NotFound) when calling the RevokeSecurityGroupEgress operation",
		"0.0.0.0/0\tigw-",
		"An error occurred (InvalidRoute.NotFound)",
		`"RuleAction": "deny"`, `"From": 2222`,
		"An error occurred (MissingParameter) when calling the CreateNetworkAclEntry operation: The request must contain the parameter egress",
		`"HealthCheckPath": "/status"`, `"HttpCode": "200-299"`,
		"An error occurred (InvalidRouteTableID.NotFound)",
	} {
		if !strings.Contains(out, w) {
			t.Errorf("transcript lacks %q", w)
		}
	}
	if got := sh.Stats().Fixes; got < 10 {
		t.Errorf("the write commands counted %d fixes", got)
	}
	golden(t, "aws-write", out)
}

// FuzzAWS: any aws command line gets output or the CLI's complaint, never
// a crash; its parsers (filters, --ip-permissions, query literals) take
// any text.
func FuzzAWS(f *testing.F) {
	for _, s := range []string{
		"ec2 describe-security-groups --filters Name=group-name,Values=sg-*",
		`ec2 describe-subnets --filters [{"Name":"vpc-id","Values":["x"]}] --output table`,
		"ec2 describe-network-acls --query NetworkAcls[].Entries[?RuleNumber==`100`] --output text",
		"ec2 authorize-security-group-ingress --group-id sg-app --ip-permissions IpProtocol=tcp,FromPort=1,ToPort=2,IpRanges=[{CidrIp=10.0.0.0/8}]",
		"ec2 create-network-acl-entry --network-acl-id acl-data --egress --rule-number 5 --protocol 17 --port-range From=53,To=53 --cidr-block 0.0.0.0/0 --rule-action allow",
		"elbv2 modify-target-group --target-group-arn tg-app --matcher HttpCode=200 --health-check-port 9",
		"elbv2 set-subnets --load-balancer-arn web-lb --subnets public-b app-a",
		"route53 list-resource-record-sets --hosted-zone-id /hostedzone/Z --query ResourceRecordSets[0]",
		"elbv2 register-targets --target-group-arn tg-app --targets Id=db-1,Port=1",
	} {
		f.Add(s)
	}
	spec, err := simnet.LoadSpec(closedWorld)
	if err != nil {
		f.Fatal(err)
	}
	st, err := scenarios.AdHoc(context.Background(), "w", spec, "browser", "https://shop.example.com/")
	if err != nil {
		f.Fatal(err)
	}
	w, err := simnet.Compile(st.Broken)
	if err != nil {
		f.Fatal(err)
	}
	broken, err := w.Trace(context.Background(), st.From, st.Target)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, line string) {
		var out bytes.Buffer
		sh := newShell(st, &out, Options{Now: newClock().Now}, w, broken)
		sh.Exec(context.Background(), "aws "+line)
		if strings.Contains(out.String(), "internal error") {
			t.Fatalf("aws %q crashed:\n%s", line, out.String())
		}
		_, _ = parseFilters([]string{line})
		_, _ = parsePermissions([]string{line})
		_ = legacyLiterals(line)
	})
}
