package play

import (
	"strings"
	"testing"
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
			"aws elbv2 describe-target-groups --names tg-app",
			"aws elbv2 describe-target-health --target-group-arn tg-app",
			"aws elbv2 describe-listeners --load-balancer-arn web-lb",
			"aws route53 list-hosted-zones --query HostedZones[].[Id,Name] --output text",
		}, []string{`"TargetGroupName": "tg-app"`, `"Reason": "Target.Timeout"`, `"HealthCheckPort": "8080"`, `"StatusCode": "HTTP_301"`, "/hostedzone/Z"}},
		{"aws-query-output", []string{
			"aws ec2 describe-security-groups --query 'SecurityGroups[].{Name:GroupName,Id:GroupId}' --output text",
			"aws ec2 describe-security-groups --query 'SecurityGroups[?GroupName==`sg-lb`].IpPermissions[].[IpProtocol,FromPort,ToPort]' --output text",
			"aws ec2 describe-network-acls --query 'NetworkAcls[].Entries[?RuleAction==`deny`].RuleNumber'",
			"aws ec2 describe-route-tables --query 'RouteTables[].Routes[].State' --output text",
			"aws ec2 describe-subnets --query 'Subnets[0].{Cidr:CidrBlock,Zone:AvailabilityZone}' --output table",
			"aws ec2 describe-vpcs --output text",
			"aws ec2 describe-vpcs --query 'Vpcs[0].CidrBlock'",
		}, []string{"\tsg-app", "tcp\t443\t443", "32767", "active", "|", "VPCS\t10.0.0.0/16", `"10.0.0.0/16"`}},
		{"aws-errors", []string{
			"aws ec2 describe-foo",
			"aws ec2 describe-vpcs --bogus 1",
			"aws s3 ls",
			"aws ec2",
			"aws elbv2 describe-target-health",
			"aws ec2 describe-security-groups --group-ids sg-nope",
			"aws ec2 describe-subnets --filters Name=nope,Values=x",
			"aws ec2 describe-vpcs --query 'Vpcs[0'",
			"aws ec2 describe-vpcs --output xml",
		}, []string{"aws: error: argument operation: Invalid choice, valid choices are:", "Unknown options: --bogus, 1", "argument command: Invalid choice",
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
