package simnet

import "github.com/pathlab/pathlab/tracer"

// applianceSGs filters traffic that an instance forwards (a firewall
// appliance or a NAT instance, a route's target with its
// source/destination check off) through the security groups of its
// network interface, as AWS does: a security group "acts as a virtual
// firewall for the EC2 instances ... to control incoming and outgoing
// traffic" and is associated with the network interface (VPC User Guide,
// "Control traffic to your AWS resources using security groups"), so a
// packet that enters the appliance's interface and leaves it again is
// checked by its inbound rules on the way in and its outbound rules on
// the way out, whatever its addresses. The NAT instance guide says so
// ("the NAT instance's security group must allow inbound traffic from
// the private subnet ... and outbound traffic to the internet"; VPC User
// Guide, "NAT instances"). The subnet's network ACLs are crossed by the
// route (engine.go). Security groups are stateful: the reply of a flow the
// appliance let through needs no rule, as for any instance.
func (t *walk) applianceSGs(app *iface, p *pkt) {
	if p.reply || len(app.sgs) == 0 {
		if p.reply && len(app.sgs) > 0 && !t.quiet {
			t.add(tracer.Hop{Component: app.sgs[0].name, Kind: tracer.KindSecurityGroup, Direction: tracer.Return, Action: tracer.ActAllow,
				Code: tracer.SGStateful, Peer: app.name, Detail: "reply of a flow " + app.name + " forwarded: security groups are stateful, no rule needed"})
		}
		return
	}
	t.sgIngress(app, p)
	t.sgEgress(app, p)
}
