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
]


def main():
    for name, change, aws, trace, pairs in CASES:
        body = edit(SHOP, *pairs)
        head = "# pathlab test world (issue 11), derived from the built-in shop world.\n"
        head += "# Change: %s\n# AWS: %s\n# %s\n" % (change, aws, trace)
        open(os.path.join(HERE, name + ".yaml"), "w").write(head + body)
    print(len(CASES), "worlds")


if __name__ == "__main__":
    main()
