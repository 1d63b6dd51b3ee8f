#!/usr/bin/env python3
"""Writes the worlds of issue 11's constructs (zones, source/destination
check, deleted targets, partial ephemeral ranges) under testdata/worlds/cloud/.

Each is the built-in shop world (simnet/worlds/shop.yaml) with one change;
its header says the change, the AWS behaviour it follows and the trace that
shows it. simnet/cloud_test.go holds each to that. Run from this directory
after changing a case: python3 gen.py
"""
import os

HERE = os.path.dirname(os.path.abspath(__file__))
SHOP = open(os.path.join(HERE, "..", "..", "..", "simnet", "worlds", "shop.yaml")).read()
SHOP = SHOP[SHOP.index("name: shop"):]  # drop the built-in world's own header
MESH = open(os.path.join(HERE, "..", "..", "..", "simnet", "worlds", "mesh.yaml")).read()
MESH = MESH[MESH.index("name: mesh"):]


def edit(base, *pairs):
    for old, new in pairs:
        assert base.count(old) >= 1, old
        base = base.replace(old, new, 1)
    return base


CASES = [
    ("nat-deleted",
     "nat-a is deleted (state: deleted); rt-private still points at it.",
     "VPC User Guide, route tables: a route whose target is deleted stays, with status blackhole.",
     "pathlab trace --world testdata/worlds/cloud/nat-deleted.yaml --from app-1 https://api.partner.example.net/\n#   -> tcp rt-private ROUTE_BLACKHOLE",
     [("public_ip: 203.0.113.20}", "public_ip: 203.0.113.20, state: deleted}")]),
    ("route-target-missing",
     "rt-private's default route names nat-b, which the file does not declare (a deleted NAT gateway, or a typo of nat-a).",
     "VPC User Guide, route tables: a route to a deleted target is kept as blackhole; pathlab check warns with a did-you-mean.",
     "pathlab trace --world testdata/worlds/cloud/route-target-missing.yaml --from app-1 https://api.partner.example.net/\n#   -> tcp rt-private ROUTE_BLACKHOLE",
     [("- {destination: 0.0.0.0/0, target: nat-a}", "- {destination: 0.0.0.0/0, target: nat-b}")]),
    ("acl-ephemeral-partial",
     "acl-data denies replies to 32768-35000 (rule 90) ahead of the allow: part of app-1's ephemeral range.",
     "VPC User Guide, network ACLs, ephemeral ports: a reply goes to the one port its connection drew; only connections that drew a denied port hang.",
     "pathlab trace --world testdata/worlds/cloud/acl-ephemeral-partial.yaml --from app-1 tcp://db.internal.shop:5432\n#   -> delivered, with acl-data NACL_EPHEMERAL_PARTIAL (about 1 in 12 connections hang)",
     [("          - {rule: 100, protocol: tcp, ports: 1024-65535, cidr: 10.0.10.0/23, action: allow}",
       "          - {rule: 90, protocol: tcp, ports: 32768-35000, cidr: 10.0.10.0/23, action: deny}\n          - {rule: 100, protocol: tcp, ports: 1024-65535, cidr: 10.0.10.0/23, action: allow}")]),
    ("acl-ephemeral-whole",
     "acl-data denies 32768-45000 (rule 90) and allows only 1024-32767 (rule 100): together every port of app-1's range is denied.",
     "VPC User Guide, network ACLs: rules in number order, first match wins, implicit deny after the last.",
     "pathlab trace --world testdata/worlds/cloud/acl-ephemeral-whole.yaml --from app-1 tcp://db.internal.shop:5432\n#   -> tcp acl-data NACL_EGRESS_DENIED",
     [("          - {rule: 100, protocol: tcp, ports: 1024-65535, cidr: 10.0.10.0/23, action: allow}",
       "          - {rule: 90, protocol: tcp, ports: 32768-45000, cidr: 10.0.10.0/23, action: deny}\n          - {rule: 100, protocol: tcp, ports: 1024-32767, cidr: 10.0.10.0/23, action: allow}")]),
    ("lb-target-not-in-use",
     "subnet app-b is in zone c, where web-lb has no node: app-2 gets no traffic; app-1 serves alone.",
     "ELB User Guide, target health: a target in a zone not enabled for the balancer is unused (Target.NotInUse).",
     "pathlab trace --world testdata/worlds/cloud/lb-target-not-in-use.yaml https://shop.example.com/\n#   -> delivered, with tg-app LB_TARGET_NOT_IN_USE for app-2",
     [("name: app-b, cidr: 10.0.11.0/24, zone: b", "name: app-b, cidr: 10.0.11.0/24, zone: c")]),
    ("lb-zone-no-targets",
     "subnets app-a and app-b are in zone c, where web-lb has no node: no target is in use.",
     "ELB User Guide, target health: targets in zones not enabled for the balancer get no traffic (Target.NotInUse); with none in use the balancer answers 503.",
     "pathlab trace --world testdata/worlds/cloud/lb-zone-no-targets.yaml https://shop.example.com/\n#   -> http web-lb LB_ZONE_NO_TARGETS",
     [("name: app-a, cidr: 10.0.10.0/24, zone: a", "name: app-a, cidr: 10.0.10.0/24, zone: c"),
      ("name: app-b, cidr: 10.0.11.0/24, zone: b", "name: app-b, cidr: 10.0.11.0/24, zone: c")]),
    ("lb-cross-zone-off",
     "web-lb has cross-zone load balancing off and only app-2 (zone b) registered; the browser reaches the node in zone a.",
     "ELB User Guide, cross-zone load balancing: with it off, each node sends only to targets in its own zone.",
     "pathlab trace --world testdata/worlds/cloud/lb-cross-zone-off.yaml https://shop.example.com/\n#   -> http web-lb LB_ZONE_NO_TARGETS",
     [("        security_groups: [sg-lb]\n", "        security_groups: [sg-lb]\n        cross_zone: false\n"),
      ("targets: [app-1, app-2]", "targets: [app-2]")]),
    ("srcdst-check-on",
     "rt-private sends the default route to bastion (used as a NAT instance), whose source/destination check is on (the default).",
     "EC2 User Guide, source/destination checks: an instance that routes or NATs must have the check off; with it on it drops traffic not addressed to it.",
     "pathlab trace --world testdata/worlds/cloud/srcdst-check-on.yaml --from app-1 https://api.partner.example.net/\n#   -> tcp bastion SRC_DST_CHECK",
     [("- {destination: 0.0.0.0/0, target: nat-a}", "- {destination: 0.0.0.0/0, target: bastion}")]),
    ("srcdst-check-off",
     "as srcdst-check-on, with bastion's source/destination check off: it forwards.",
     "EC2 User Guide, source/destination checks: with the check off the instance forwards.",
     "pathlab trace --world testdata/worlds/cloud/srcdst-check-off.yaml --from app-1 https://api.partner.example.net/\n#   -> delivered",
     [("- {destination: 0.0.0.0/0, target: nat-a}", "- {destination: 0.0.0.0/0, target: bastion}"),
      ("        public_ip: 203.0.113.40\n", "        public_ip: 203.0.113.40\n        source_dest_check: false\n")]),
    ("nlb-cross-zone-off", 
     "(mesh) only payments-2 (zone b) is registered with pay-nlb, whose cross-zone load balancing is off (the default for network balancers); payments.mesh.internal lists the zone-a node first.",
     "ELB User Guide, cross-zone load balancing: off by default for network load balancers; a node sends only to its own zone's targets.",
     "pathlab trace --world testdata/worlds/cloud/nlb-cross-zone-off.yaml --from orders-1 tcp://payments.mesh.internal:9000\n#   -> tcp pay-nlb LB_ZONE_NO_TARGETS",
     [("targets: [payments-1, payments-2]", "targets: [payments-2]")], MESH),
    ("alias-apex",
     "shop.example.com is an alias A record to web-lb, and the apex example.com an alias to web-lb too (no CNAME).",
     "Route 53 Developer Guide, alias records: an alias answers with its target's addresses and may sit at the zone apex, where a CNAME may not.",
     "pathlab trace --world testdata/worlds/cloud/alias-apex.yaml https://shop.example.com/\n#   -> delivered; dig example.com answers web-lb's addresses",
     [("- {name: shop, type: CNAME, value: web-lb.example.com, ttl: 300}", "- {name: shop, type: A, alias: {target: web-lb, evaluate_health: true}}\n        - {name: \"@\", type: A, alias: {target: web-lb}}")]),
    ("alias-wrong-balancer",
     "(mesh) api.mesh.internal is an alias to pay-nlb, the payments balancer, instead of api-lb.",
     "Route 53 Developer Guide, alias records: the alias answers with whatever its target's addresses are.",
     "pathlab trace --world testdata/worlds/cloud/alias-wrong-balancer.yaml --from web-1 https://api.mesh.internal/\n#   -> tcp pay-nlb LB_NO_LISTENER",
     [("- {name: api, type: CNAME, value: api-lb.mesh.internal, ttl: 60}", "- {name: api, type: A, alias: {target: pay-nlb}}")], MESH),
    ("dns-support-off",
     "VPC prod has enable_dns_support: false.",
     "VPC User Guide, DNS attributes: with enableDnsSupport false the Amazon-provided DNS server does not answer.",
     "pathlab trace --world testdata/worlds/cloud/dns-support-off.yaml --from app-1 tcp://db.internal.shop:5432\n#   -> dns prod-resolver DNS_TIMEOUT",
     [("    internet_gateway: igw-prod\n", "    internet_gateway: igw-prod\n    enable_dns_support: false\n")]),
    ("dns-hostnames-off",
     "VPC prod has enable_dns_hostnames: false: its private zone internal.shop is not answered.",
     "VPC User Guide, DNS attributes: private hosted zones need enableDnsHostnames and enableDnsSupport both true.",
     "pathlab trace --world testdata/worlds/cloud/dns-hostnames-off.yaml --from app-1 tcp://db.internal.shop:5432\n#   -> dns: the public DNS has no internal.shop",
     [("    internet_gateway: igw-prod\n", "    internet_gateway: igw-prod\n    enable_dns_hostnames: false\n")]),
    ("icmp-echo-allowed",
     "acl-data, sg-db and sg-app allow ICMP type 8 (echo request) between the app servers and the database; acl-data's rule 110 lets every ICMP type out.",
     "VPC User Guide, security group and network ACL rules: an ICMP rule names a type and code (-1 for all); ping sends type 8 and gets type 0 back.",
     "pathlab trace --world testdata/worlds/cloud/icmp-echo-allowed.yaml --from app-1 icmp://10.0.20.10\n#   -> delivered",
     [("          - {rule: 100, protocol: tcp, ports: 5432, cidr: 10.0.10.0/23, action: allow}\n", "          - {rule: 100, protocol: tcp, ports: 5432, cidr: 10.0.10.0/23, action: allow}\n          - {rule: 120, protocol: icmp, icmp_type: 8, icmp_code: 0, cidr: 10.0.10.0/23, action: allow}\n"),
      ("          - {protocol: tcp, ports: 5432, source: sg-app}\n", "          - {protocol: tcp, ports: 5432, source: sg-app}\n          - {protocol: icmp, icmp_type: 8, source: sg-app}\n"),
      ("          - {protocol: tcp, ports: 5432, destination: sg-db}\n", "          - {protocol: tcp, ports: 5432, destination: sg-db}\n          - {protocol: icmp, icmp_type: 8, icmp_code: -1, destination: sg-db}\n")]),
    ("icmp-acl-wrong-type",
     "as icmp-echo-allowed, but acl-data's ingress rule 120 allows type 0 (echo reply) instead of 8 (echo request).",
     "VPC User Guide, network ACL rules: an ICMP rule matches only its type and code.",
     "pathlab trace --world testdata/worlds/cloud/icmp-acl-wrong-type.yaml --from app-1 icmp://10.0.20.10\n#   -> icmp acl-data NACL_INGRESS_DENIED",
     [("          - {rule: 100, protocol: tcp, ports: 5432, cidr: 10.0.10.0/23, action: allow}\n", "          - {rule: 100, protocol: tcp, ports: 5432, cidr: 10.0.10.0/23, action: allow}\n          - {rule: 120, protocol: icmp, icmp_type: 0, icmp_code: 0, cidr: 10.0.10.0/23, action: allow}\n"),
      ("          - {protocol: tcp, ports: 5432, source: sg-app}\n", "          - {protocol: tcp, ports: 5432, source: sg-app}\n          - {protocol: icmp, icmp_type: 8, source: sg-app}\n"),
      ("          - {protocol: tcp, ports: 5432, destination: sg-db}\n", "          - {protocol: tcp, ports: 5432, destination: sg-db}\n          - {protocol: icmp, icmp_type: 8, icmp_code: -1, destination: sg-db}\n")]),
    ("icmp-sg-wrong-type",
     "as icmp-echo-allowed, but sg-db admits ICMP type 0 (echo reply) instead of 8 (echo request).",
     "VPC User Guide, security group rules: an ICMP rule matches only its type and code; replies pass by connection tracking.",
     "pathlab trace --world testdata/worlds/cloud/icmp-sg-wrong-type.yaml --from app-1 icmp://10.0.20.10\n#   -> icmp sg-db SG_NO_INGRESS_RULE",
     [("          - {rule: 100, protocol: tcp, ports: 5432, cidr: 10.0.10.0/23, action: allow}\n", "          - {rule: 100, protocol: tcp, ports: 5432, cidr: 10.0.10.0/23, action: allow}\n          - {rule: 120, protocol: icmp, icmp_type: 8, icmp_code: 0, cidr: 10.0.10.0/23, action: allow}\n"),
      ("          - {protocol: tcp, ports: 5432, source: sg-app}\n", "          - {protocol: tcp, ports: 5432, source: sg-app}\n          - {protocol: icmp, icmp_type: 0, source: sg-app}\n"),
      ("          - {protocol: tcp, ports: 5432, destination: sg-db}\n", "          - {protocol: tcp, ports: 5432, destination: sg-db}\n          - {protocol: icmp, icmp_type: 8, icmp_code: -1, destination: sg-db}\n")]),
]


def main():
    for case in CASES:
        name, change, aws, trace, pairs = case[:5]
        base = case[5] if len(case) > 5 else SHOP
        body = edit(base, *pairs)
        head = "# pathlab test world (issue 11), derived from the built-in %s world.\n" % ("mesh" if base is MESH else "shop")
        head += "# Change: %s\n# AWS: %s\n# %s\n" % (change, aws, trace)
        open(os.path.join(HERE, name + ".yaml"), "w").write(head + body)
    print(len(CASES), "worlds")


if __name__ == "__main__":
    main()
