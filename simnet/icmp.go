package simnet

import (
	"fmt"
	"strings"
)

// ICMP type and code in security group and network ACL rules (issue 11).
// AWS lets an ICMP rule name one type and one code, or -1 for all (VPC
// User Guide, security group rules and network ACL rules: "ICMP type and
// code"). Ping sends echo request (type 8, code 0) and gets echo reply
// (0/0); a host firewall's reject answers port unreachable (3/3); a link
// with a small MTU answers fragmentation needed (3/4).

// icmpTypeCode reads a rule's icmp_type and icmp_code, stored plus one so
// that the zero value of a rule is "any type, any code".
func (c *compiler) icmpTypeCode(path, protocol string, typ, code *int) (int16, int16) {
	t, k := int16(-1), int16(-1)
	if typ == nil && code == nil {
		return 0, 0
	}
	if p := strings.ToLower(protocol); p != "icmp" && p != "1" {
		c.errf(path, "icmp_type and icmp_code apply to icmp rules only; this rule's protocol is %s", protocol)
		return 0, 0
	}
	if typ != nil {
		if *typ < -1 || *typ > 255 {
			c.errf(path+".icmp_type", "icmp_type %d is outside 0-255 (-1 for any)", *typ)
		} else {
			t = int16(*typ)
		}
	}
	if code != nil {
		if t == -1 && *code != -1 {
			c.errf(path+".icmp_code", "icmp_code needs an icmp_type (a code means something only within a type)")
		} else if *code < -1 || *code > 255 {
			c.errf(path+".icmp_code", "icmp_code %d is outside 0-255 (-1 for any)", *code)
		} else {
			k = int16(*code)
		}
	}
	return t + 1, k + 1
}

// icmpMatch reports whether a rule's ICMP type and code (each plus one,
// 0 for any) admit p. A rule with no type admits every packet; one with a
// type admits only ICMP packets of that type (and code).
func icmpMatch(typ1, code1 int16, p *pkt) bool {
	if typ1 == 0 {
		return true
	}
	if p.proto != protoICMP || typ1-1 != int16(p.icmpType) {
		return false
	}
	return code1 == 0 || code1-1 == int16(p.icmpCode)
}

// icmpRuleText is a rule's type and code as its text shows them.
func icmpRuleText(typ, code *int) string {
	if typ == nil {
		return ""
	}
	if code == nil || *code < 0 {
		return fmt.Sprintf(" type %d", *typ)
	}
	return fmt.Sprintf(" type %d code %d", *typ, *code)
}
