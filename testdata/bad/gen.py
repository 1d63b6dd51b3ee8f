#!/usr/bin/env python3
"""Writes the bad-input corpus of issue 16 under testdata/bad/.

worlds/*.yaml     bad world files: base-world.yaml with one fault each, and
                  files written whole (syntax, limits, encodings)
scenarios/*.yaml  bad scenario files: base-scenario.yaml with one fault each
args/*.args       bad command lines, one argument a line ($ROOT is the repo)
shell/*.line      bad play-shell lines, one a file

Each case gets its expected output (*.golden) from
  go test ./cmd/pathlab -run TestBadInputCorpus -update
which is then reviewed like code. Run this script from testdata/bad/ after
changing a list; it rewrites the inputs, never the goldens.
"""
import os, re, shutil

HERE = os.path.dirname(os.path.abspath(__file__))
BASE = open(os.path.join(HERE, "base-world.yaml")).read()
SCEN = open(os.path.join(HERE, "base-scenario.yaml")).read()


def mutate(base, old, new, count=1):
    assert base.count(old) >= 1, old
    return base.replace(old, new, count)


def deep_block(n):
    return "name: w\n" + "".join(" " * (2 * i) + "k%d:\n" % i for i in range(n))


WORLD_MUTATIONS = [
    # kind of value (the decoder's Go messages, issue 16)
    ("port-float", "port: 8080, http", "port: 8080.5, http"),
    ("port-text", "port: 8080, http", "port: http, http"),
    ("port-missing", "protocol: tcp, port: 5432, bind", "protocol: tcp, bind"),
    ("port-zero", "port: 5432, bind", "port: 0, bind"),
    ("port-too-big", "port: 5432, bind", "port: 70000, bind"),
    ("port-negative", "port: 5432, bind", "port: -1, bind"),
    ("port-list", "port: 5432, bind", "port: [5432], bind"),
    ("ttl-text", "ttl: 300}", "ttl: five}"),
    ("ttl-negative", "ttl: 300}", "ttl: -5}"),
    ("ttl-float", "ttl: 60}", "ttl: 1.5}"),
    ("ttl-huge", "ttl: 60}", "ttl: 99999999999}"),
    ("mtu-bool", "mtu: 1500", "mtu: true"),
    ("mtu-range", "mtu: 1500", "mtu: 100"),
    ("private-text", "private: true", "private: maybe"),
    ("rule-text", "{rule: 100, protocol: all, cidr: 0.0.0.0/0, action: allow}\n        egress:\n          - {rule: 100, protocol: all, cidr: 0.0.0.0/0, action: allow}\n    subnets:\n      - {name: public-a",
     "{rule: first, protocol: all, cidr: 0.0.0.0/0, action: allow}\n        egress:\n          - {rule: 100, protocol: all, cidr: 0.0.0.0/0, action: allow}\n    subnets:\n      - {name: public-a"),
    ("rule-float", "egress:\n          - {rule: 100, protocol: all, cidr: 0.0.0.0/0, action: allow}\n    subnets:\n      - {name: public-a",
     "egress:\n          - {rule: 100.5, protocol: all, cidr: 0.0.0.0/0, action: allow}\n    subnets:\n      - {name: public-a"),
    ("running-text", "port: 5432, bind: 0.0.0.0}", "port: 5432, bind: 0.0.0.0, running: \"no\"}"),
    ("http-status-text", "http: {\"/\": 200}}", "http: {\"/\": ok}}"),
    ("http-list", "http: {\"/\": 200}}", "http: [\"/\"]}"),
    ("targets-scalar", "targets: [app-1]", "targets: app-1"),
    ("zone-vpcs-scalar", "vpcs: [prod]", "vpcs: prod"),
    ("domains-scalar", "domains: [shop.example.com]", "domains: shop.example.com"),
    ("security-groups-scalar", "security_groups: [sg-lb]", "security_groups: sg-lb"),
    ("values-number", "values: [203.0.113.10]", "values: 5"),
    ("name-list", "name: base", "name: [a, b]"),
    ("name-mapping", "name: base", "name: {first: a}"),
    ("description-list", "description: |\n  headline: https://shop.example.com/", "description: [a, b]"),
    ("clock-number", "clock: 2026-11-21T12:00:00Z", "clock: 12345"),
    ("ip-number", "ip: 198.51.100.10", "ip: 12345"),
    ("health-check-list", "health_check: {path: /healthz, matcher: \"200\"}", "health_check: [/healthz]"),
    ("nodes-mapping", "nodes:\n          - {subnet: public-a, private_ip: 10.0.1.10, public_ip: 203.0.113.10}\n          - {private_ip: 10.0.20.11, public_ip: 203.0.113.12, subnet: \"data-a\"}", "nodes: {subnet: public-a}"),
    ("internet-list", "internet:\n  clients:", "internet: []\nx:\n  clients:"),
    ("vpc-text", "vpcs:\n  - name: prod", "vpcs:\n  - prod\n  - name: prod"),
    ("routes-number", "routes:\n          - {destination: 10.0.0.0/16, target: pcx-1}", "routes: 3"),
    ("record-list-item-text", "- {name: api.partner, type: A, value: 192.0.2.80}", "- api.partner A 192.0.2.80"),
    ("ingress-mapping", "ingress:\n          - {protocol: tcp, ports: 443, source: 0.0.0.0/0}", "ingress: {protocol: tcp}"),
    ("not-before-number", "not_before: 2026-01-01T00:00:00Z, not_after: 2027-01-01T00:00:00Z}\n  - {name: partner-cert", "not_before: 20260101, not_after: 2027-01-01T00:00:00Z}\n  - {name: partner-cert"),
    # unknown keys: every one, in file order, with a suggestion
    ("unknown-top", "clock:", "clok:"),
    ("unknown-vpc", "internet_gateway: igw-prod", "internet_gw: igw-prod"),
    ("unknown-subnet", "route_table: rt-public, network_acl", "routetable: rt-public, network_acl"),
    ("unknown-instance", "private_ip: 10.0.10.21", "privateip: 10.0.10.21"),
    ("unknown-sg-rule", "source: sg-lb}", "src: sg-lb}"),
    ("unknown-acl-rule", "{rule: 100, protocol: all, cidr: 0.0.0.0/0, action: allow}\n    subnets:\n      - {name: partner-a", "{rule: 100, protocol: all, cidr: 0.0.0.0/0, actoin: allow}\n    subnets:\n      - {name: partner-a"),
    ("unknown-record", "value: 10.0.20.10}", "vaule: 10.0.20.10}"),
    ("unknown-lb", "listeners:", "listener:"),
    ("unknown-tg", "health_check:", "healthcheck:"),
    ("unknown-zone", "nameservers:\n        - {name: ns1.example.com, ip: 192.0.2.53}\n      delegation", "name_servers:\n        - {name: ns1.example.com, ip: 192.0.2.53}\n      delegation"),
    ("unknown-peering", "status: active", "state: active"),
    ("unknown-cert", "not_after: 2027-01-01T00:00:00Z}\n  - {name: partner-cert", "expires: 2027-01-01T00:00:00Z}\n  - {name: partner-cert"),
    ("unknown-service", "{name: postgres, protocol: tcp", "{name: postgres, proto: tcp"),
    ("unknown-firewall", "{chain: input, protocol: tcp, port: 22", "{chian: input, protocol: tcp, port: 22"),
    ("unknown-hyphen", "route_tables:\n      - name: rt-public", "route-tables:\n      - name: rt-public"),
    ("unknown-capital", "name: base", "Name: base"),
    ("unknown-client", "resolver: public-resolver", "resovler: public-resolver"),
    ("unknown-nothing-close", "clock: 2026-11-21T12:00:00Z", "clock: 2026-11-21T12:00:00Z\ncolour: blue"),
    ("unknown-several", "    internet_gateway: igw-prod", "    internet_gateway: igw-prod\n    colour: red\n    sizee: 3\n    tags: {team: web}"),
    ("unknown-everywhere", "name: base", "name: base\nowner: me"),
    # names, text and control characters
    ("no-name", "name: base\n", ""),
    ("world-name-path", "name: base", "name: ../../tmp/x"),
    ("world-name-space", "name: base", "name: my world"),
    ("world-name-slash", "name: base", "name: a/b"),
    ("name-escape", "name: base", "name: \"base\\e[2J\""),
    ("name-osc-title", "- name: app-1", "- name: \"app\\e]0;pwned\\a\""),
    ("name-nul", "- name: db-1", "- name: \"db\\0one\""),
    ("name-bidi", "- name: sg-app", "- name: \"sg\\u202Eppa\""),
    ("name-bell", "- name: tg-app", "- name: \"tg\\a\""),
    ("name-c1", "- name: rt-public", "- name: \"rt\\x9b31m\""),
    ("description-escape", "description: |\n  headline: https://shop.example.com/", "description: \"shop \\e[31mred\""),
    ("key-control", "clock:", "\"clo\\x01ck\":"),
    ("name-too-long", "- {name: partner-a,", "- {name: " + "p" * 300 + ","),
    ("name-huge", "- name: db-1", "- name: " + "d" * 70000),
    ("name-empty", "- name: db-1", "- name: \"\""),
    ("name-null", "- name: db-1", "- name: ~"),
    ("zone-empty", "zone: a, route_table: rt-public", "zone: \"\", route_table: rt-public"),
    ("zone-null", "zone: a, route_table: rt-private, network_acl: acl-open}\n      - {name: data-a", "zone: ~, route_table: rt-private, network_acl: acl-open}\n      - {name: data-a"),
    ("resolver-empty", "resolver: public-resolver", "resolver: \"\""),
    ("null-key", "name: base", "~: x\nname: base"),
    ("empty-key", "clock:", "\"\": x\nclock:"),
    ("merge-key", "    internet_gateway: igw-prod", "    <<: {internet_gateway: igw-prod}"),
    ("unknown-tag", "name: base", "name: !custom base"),
    ("binary-tag", "name: base", "name: !!binary YmFzZQ=="),
    ("timestamp-tag", "clock: 2026-11-21T12:00:00Z", "clock: !!timestamp 2026-11-21T12:00:00Z"),
    # validation
    ("duplicate-name", "- name: db-1", "- name: app-1"),
    ("duplicate-across-kinds", "- name: sg-app", "- name: rt-public"),
    ("igw-name-taken", "internet_gateway: igw-prod", "internet_gateway: sg-lb"),
    ("cidr-bad", "cidr: 10.0.0.0/16\n    internet", "cidr: 10.300.0.0/16\n    internet"),
    ("cidr-host-bits", "cidr: 10.0.0.0/16\n    internet", "cidr: 10.0.0.1/16\n    internet"),
    ("vpc-too-big", "cidr: 10.0.0.0/16\n    internet", "cidr: 10.0.0.0/8\n    internet"),
    ("vpc-cidr-missing", "    cidr: 10.1.0.0/16\n", ""),
    ("subnet-outside-vpc", "cidr: 10.0.1.0/24", "cidr: 10.5.1.0/24"),
    ("subnet-overlap", "cidr: 10.0.10.0/24", "cidr: 10.0.1.0/25"),
    ("ip-outside-subnet", "private_ip: 10.0.10.21", "private_ip: 10.0.11.21"),
    ("ip-taken", "private_ip: 10.0.20.10", "private_ip: 10.0.10.21"),
    ("ip-v6", "private_ip: 10.0.10.21", "private_ip: 2001:db8::21"),
    ("ip-bad", "private_ip: 10.0.10.21", "private_ip: 10.0.10.256"),
    ("ip-missing", "        private_ip: 10.0.20.10\n", ""),
    ("nat-public-private", "public_ip: 203.0.113.20", "public_ip: 10.9.9.9"),
    ("client-private-ip", "ip: 198.51.100.10", "ip: 10.0.0.5"),
    ("internet-ip-taken", "ip: 198.51.100.53", "ip: 198.51.100.10"),
    ("resolver-missing", "resolver: public-resolver", "resolver: nobody"),
    ("route-target-not-routable", "target: igw-prod}", "target: sg-lb}"),
    ("route-destination-bad", "{destination: 0.0.0.0/0, target: igw-prod}", "{destination: everywhere, target: igw-prod}"),
    ("route-destination-v6", "{destination: 0.0.0.0/0, target: igw-prod}", "{destination: ::/0, target: igw-prod}"),
    ("route-duplicate", "{destination: 0.0.0.0/0, target: igw-prod}", "{destination: 0.0.0.0/0, target: igw-prod}\n          - {destination: 0.0.0.0/0, target: nat-a}"),
    ("route-table-missing", "route_table: rt-public, network_acl", "route_table: rt-none, network_acl"),
    ("acl-missing", "network_acl: acl-open}\n      - {name: app-a", "network_acl: acl-none}\n      - {name: app-a"),
    ("sg-missing", "security_groups: [sg-app]\n        services:\n          - {name: shop-app", "security_groups: [sg-none]\n        services:\n          - {name: shop-app"),
    ("sg-source-missing", "source: sg-lb}", "source: sg-none}"),
    ("sg-protocol-bad", "{protocol: tcp, ports: 443", "{protocol: smtp, ports: 443"),
    ("sg-protocol-missing", "{protocol: tcp, ports: 443, source", "{ports: 443, source"),
    ("sg-source-missing-key", "{protocol: tcp, ports: 443, source: 0.0.0.0/0}", "{protocol: tcp, ports: 443}"),
    ("ports-backwards", "ports: 443,", "ports: 9000-8000,"),
    ("ports-open-range", "ports: 443,", "ports: \"80-\","),
    ("ports-too-big", "ports: 443,", "ports: 70000,"),
    ("ports-on-all", "{protocol: all, destination: 0.0.0.0/0}\n      - name: sg-app", "{protocol: all, ports: 80, destination: 0.0.0.0/0}\n      - name: sg-app"),
    ("acl-action-bad", "cidr: 0.0.0.0/0, action: allow}\n        egress:\n          - {rule: 100, protocol: all, cidr: 0.0.0.0/0, action: allow}\n    subnets:\n      - {name: public-a",
     "cidr: 0.0.0.0/0, action: permit}\n        egress:\n          - {rule: 100, protocol: all, cidr: 0.0.0.0/0, action: allow}\n    subnets:\n      - {name: public-a"),
    ("acl-rule-range", "{rule: 100, protocol: all, cidr: 0.0.0.0/0, action: allow}\n    subnets:\n      - {name: public-a", "{rule: 40000, protocol: all, cidr: 0.0.0.0/0, action: allow}\n    subnets:\n      - {name: public-a"),
    ("acl-cidr-bad", "{rule: 100, protocol: all, cidr: 0.0.0.0/0, action: allow}\n    subnets:\n      - {name: partner-a", "{rule: 100, protocol: all, cidr: 0.0.0.0/33, action: allow}\n    subnets:\n      - {name: partner-a"),
    ("lb-type-bad", "type: application", "type: classic"),
    ("lb-scheme-bad", "scheme: internet-facing", "scheme: public"),
    ("listener-protocol-bad", "{port: 443, protocol: https", "{port: 443, protocol: ftp"),
    ("listener-cert-missing", "certificate: shop-cert", "certificate: no-cert"),
    ("listener-https-no-cert", "certificate: shop-cert, ", ""),
    ("listener-tg-missing", "target_group: tg-app}", "target_group: tg-none}"),
    ("listener-no-action", ", target_group: tg-app}", "}"),
    ("tg-target-missing", "targets: [app-1]", "targets: [app-9]"),
    ("tg-protocol-bad", "protocol: http\n            port: 8080", "protocol: smtp\n            port: 8080"),
    ("tg-port-missing", "            port: 8080\n", ""),
    ("hc-matcher-bad", "matcher: \"200\"", "matcher: \"abc\""),
    ("hc-port-bad", "health_check: {path: /healthz", "health_check: {port: 99999, path: /healthz"),
    ("nat-subnet-missing", "{name: nat-a, subnet: public-a", "{name: nat-a, subnet: public-z"),
    ("nat-ip-outside", "private_ip: 10.0.1.5", "private_ip: 10.0.2.5"),
    ("node-subnet-missing", "{subnet: public-a, private_ip: 10.0.1.10", "{subnet: nowhere, private_ip: 10.0.1.10"),
    ("cert-date-bad", "not_before: 2026-01-01T00:00:00Z, not_after: 2027-01-01T00:00:00Z}\n  - {name: partner-cert", "not_before: yesterday, not_after: 2027-01-01T00:00:00Z}\n  - {name: partner-cert"),
    ("cert-date-missing", "not_before: 2026-01-01T00:00:00Z, not_after: 2027-01-01T00:00:00Z}\n  - {name: partner-cert", "not_after: 2027-01-01T00:00:00Z}\n  - {name: partner-cert"),
    ("cert-domain-bad", "domains: [shop.example.com]", "domains: [\"shop example com\"]"),
    ("cert-no-domains", "domains: [shop.example.com], ", ""),
    ("clock-bad", "clock: 2026-11-21T12:00:00Z", "clock: tomorrow"),
    ("record-type-bad", "{name: web-lb, type: A", "{name: web-lb, type: SRV"),
    ("record-a-bad", "value: 192.0.2.80}", "value: not-an-ip}"),
    ("record-aaaa-v4", "type: A, value: 192.0.2.80}", "type: AAAA, value: 192.0.2.80}"),
    ("record-cname-root", "value: web-lb.example.com", "value: \".\""),
    ("record-ns-root", "- {name: api.partner, type: A, value: 192.0.2.80}", "- {name: sub, type: NS, value: \".\"}"),
    ("record-value-and-values", "type: A, value: 192.0.2.80}", "type: A, value: 192.0.2.80, values: [192.0.2.81]}"),
    ("record-no-value", ", value: 192.0.2.80}", "}"),
    ("record-outside-zone", "{name: api.partner, type: A", "{name: api.other.org., type: A"),
    ("record-name-empty", "{name: api.partner, type: A", "{name: \"\", type: A"),
    ("cname-two-values", "type: CNAME, value: web-lb.example.com", "type: CNAME, values: [a.example.com, b.example.com]"),
    ("cname-and-a", "- {name: api.partner, type: A", "- {name: shop, type: A, value: 192.0.2.9}\n        - {name: api.partner, type: A"),
    ("zone-root", "- name: example.com", "- name: \".\""),
    ("zone-name-bad", "- name: example.com", "- name: \"exa mple.com\""),
    ("zone-twice", "    - name: internal.shop\n", "    - name: example.com\n      nameservers: [{name: ns1.example.com, ip: 192.0.2.53}]\n    - name: internal.shop\n"),
    ("private-zone-no-vpcs", "      vpcs: [prod]\n", ""),
    ("private-zone-vpc-missing", "vpcs: [prod]", "vpcs: [nope]"),
    ("private-zone-nameservers", "      vpcs: [prod]\n", "      vpcs: [prod]\n      nameservers: [{name: ns.internal.shop, ip: 192.0.2.99}]\n"),
    ("public-zone-no-nameservers", "      nameservers:\n        - {name: ns1.example.com, ip: 192.0.2.53}\n      delegation:\n        - {name: ns1.example.com, ip: 192.0.2.53}\n", ""),
    ("delegation-root", "delegation:\n        - {name: ns1.example.com", "delegation:\n        - {name: \".\""),
    ("nameserver-private-ip", "- {name: ns1.example.com, ip: 192.0.2.53}\n      delegation", "- {name: ns1.example.com, ip: 10.0.0.53}\n      delegation"),
    ("nameserver-bad-name", "- {name: ns1.example.com, ip: 192.0.2.53}\n      delegation", "- {name: \"ns 1\", ip: 192.0.2.53}\n      delegation"),
    ("peering-vpc-missing", "vpcs: [prod, partner-vpc]", "vpcs: [prod, nope]"),
    ("peering-one-vpc", "vpcs: [prod, partner-vpc]", "vpcs: [prod]"),
    ("peering-self", "vpcs: [prod, partner-vpc]", "vpcs: [prod, prod]"),
    ("peering-status-bad", "status: active", "status: up"),
    ("peering-overlap", "cidr: 10.1.0.0/16", "cidr: 10.0.0.0/16"),
    ("peering-mtu-big", "mtu: 1500", "mtu: 10000"),
    ("firewall-chain-bad", "{chain: input, protocol: tcp, port: 8080", "{chain: forward, protocol: tcp, port: 8080"),
    ("firewall-action-bad", "source: 10.0.0.0/16, action: accept", "source: 10.0.0.0/16, action: allow"),
    ("firewall-source-bad", "source: 10.0.0.0/16, action: accept", "source: the-lb, action: accept"),
    ("service-protocol-bad", "{name: postgres, protocol: tcp", "{name: postgres, protocol: icmp"),
    ("service-tls-missing", "tls: partner-cert", "tls: no-cert"),
    ("service-same-port", "- {name: postgres, protocol: tcp, port: 5432, bind: 0.0.0.0}", "- {name: postgres, protocol: tcp, port: 5432, bind: 0.0.0.0}\n          - {name: pg2, protocol: tcp, port: 5432}"),
    ("service-no-name", "{name: postgres, protocol", "{protocol"),
    ("service-bind-bad", "bind: 0.0.0.0}", "bind: everywhere}"),
    ("instance-no-subnet", "        subnet: data-a\n", ""),
    ("instance-subnet-missing", "subnet: data-a", "subnet: data-z"),
]


RAW_WORLDS = [
    ("empty", b""),
    ("blank-lines", b"\n\n   \n"),
    ("comment-only", b"# a world, some day\n"),
    ("binary", b"PK\x03\x04\x00\x00binary"),
    ("control-byte", b"name: w\x1b[2J\n"),
    ("invalid-utf8", b"name: w\xff\xfe\n"),
    ("list-at-top", b"- name: a\n- name: b\n"),
    ("scalar-at-top", b"just some text\n"),
    ("two-documents", b"name: a\n---\nname: b\n"),
    ("tab-indent", b"name: w\ninternet:\n\tclients: []\n"),
    ("unclosed-bracket", b"name: w\nvpcs: [\n"),
    ("unclosed-brace", b"name: w\ninternet: {clients: []\n"),
    ("unclosed-quote", b"name: \"w\n"),
    ("unclosed-quote-late", b"name: w\ndescription: \"shop\nclock: 2026-11-21T12:00:00Z\ninternet:\n  clients:\n    - name: browser\n      ip: 198.51.100.10\n      resolver: r\n  resolvers:\n    - name: \"r\"\n      ip: 198.51.100.53\n"),
    ("unclosed-single-quote", b"name: w\ninternet:\n  clients:\n    - {name: 'b, ip: 198.51.100.10}\n  resolvers:\n    - name: 'r'\n      ip: 198.51.100.53\n"),
    ("bad-indent", b"name: w\ninternet:\n  clients:\n  - name: a\n     ip: 198.51.100.10\n"),
    ("duplicate-key", b"name: w\nname: v\n"),
    ("alias-bomb", b"name: w\na: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\ne: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\nf: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]\n"),
    ("alias-undefined", b"name: *nothing\n"),
    ("deep-brackets", b"name: w\nx: " + b"[" * 70 + b"]" * 70 + b"\n"),
    ("deep-braces", b"name: w\nx: " + b"{a: " * 70 + b"1" + b"}" * 70 + b"\n"),
    ("deep-dashes", b"name: w\nx:\n" + b"- " * 70 + b"x\n"),
    ("deep-block", deep_block(70).encode()),
    ("many-keys", ("name: w\n" + "".join("k%d: v\n" % i for i in range(600))).encode()),
    ("many-items", ("name: w\nx: [" + "1," * 20001 + "]\n").encode()),
    ("vpcs-text", b"name: w\nvpcs: prod\n"),
    ("crlf-unknown-key", b"name: w\r\nvpcz: []\r\n"),
    ("bom-unknown-key", b"\xef\xbb\xbfname: w\nvpcz: []\n"),
    ("directive", b"%YAML 1.1\n---\nname: w\nvpcz: []\n"),
    ("flow-at-top", b"{name: w, vpcz: []}\n"),
    ("number-key", b"name: w\n443: https\n"),
    ("complex-key", b"name: w\n? [a, b]\n: c\n"),
]

SCENARIO_MUTATIONS = [
    ("id-missing", "id: base-scenario\n", ""),
    ("id-upper", "id: base-scenario", "id: Base_Scenario"),
    ("id-long", "id: base-scenario", "id: " + "a" * 70),
    ("id-spaces", "id: base-scenario", "id: my scenario"),
    ("id-list", "id: base-scenario", "id: [a, b]"),
    ("title-missing", "title: The shop answers 504\n", ""),
    ("title-escape", "title: The shop answers 504", "title: \"The shop \\e[2J answers\""),
    ("title-osc", "title: The shop answers 504", "title: \"\\e]0;pwned\\a\""),
    ("title-nul", "title: The shop answers 504", "title: \"a\\0b\""),
    ("title-bidi", "title: The shop answers 504", "title: \"shop \\u202E405\""),
    ("title-list", "title: The shop answers 504", "title: [The, shop]"),
    ("title-huge", "title: The shop answers 504", "title: " + "t" * 70000),
    ("difficulty-bad", "difficulty: easy", "difficulty: trivial"),
    ("difficulty-number", "difficulty: easy", "difficulty: 3"),
    ("topics-missing", "topics: [security-groups, load-balancer]\n", ""),
    ("topics-bad", "topics: [security-groups, load-balancer]", "topics: [security-groups, cooking]"),
    ("topics-text", "topics: [security-groups, load-balancer]", "topics: security-groups"),
    ("world-missing", "world: shop\n", ""),
    ("world-unknown", "world: shop", "world: nosuch"),
    ("world-file-missing", "world: shop", "world: no-such-world.yaml"),
    ("world-file-bad", "world: shop", "world: ../worlds/{world:cidr-bad}"),
    ("ticket-missing", "ticket: |\n  Customers get 504 since this morning.\n", ""),
    ("ticket-escape", "ticket: |\n  Customers get 504 since this morning.", "ticket: \"504 \\e[31mred\""),
    ("ticket-mapping", "ticket: |\n  Customers get 504 since this morning.", "ticket: {from: support}"),
    ("hints-missing", "hints:\n  - Look at what the balancer says about its targets.\n", ""),
    ("hints-text", "hints:\n  - Look at what the balancer says about its targets.", "hints: look at the balancer"),
    ("hints-control", "  - Look at what the balancer says about its targets.", "  - \"Look \\x07 here\""),
    ("explanation-missing", "explanation: |\n  The app servers' security group admits nothing.\n", ""),
    ("expect-code-missing", "expect:\n  code: LB_NO_HEALTHY_TARGETS\n", ""),
    ("expect-code-bad", "code: LB_NO_HEALTHY_TARGETS", "code: EVERYTHING_BROKEN"),
    ("expect-unknown-key", "code: LB_NO_HEALTHY_TARGETS", "code: LB_NO_HEALTHY_TARGETS\n  cause: sg-app"),
    ("fault-kind-missing", "  - kind: sg-missing-ingress\n", "  - decoy: false\n"),
    ("fault-kind-unknown", "kind: sg-missing-ingress", "kind: sg-on-fire"),
    ("fault-param-unknown", "    group: sg-app", "    group: sg-app\n    colour: red"),
    ("fault-param-missing", "    group: sg-app\n", ""),
    ("fault-param-mapping", "    group: sg-app", "    group: {name: sg-app}"),
    ("fault-group-missing", "group: sg-app", "group: sg-none"),
    ("fault-decoy-text", "    group: sg-app", "    group: sg-app\n    decoy: perhaps"),
    ("fault-all-decoys", "    group: sg-app", "    group: sg-app\n    decoy: true"),
    ("faults-mapping", "faults:\n  - kind: sg-missing-ingress", "faults:\n  kind: sg-missing-ingress"),
    ("fault-param-control", "group: sg-app", "group: \"sg\\e[2Japp\""),
    ("request-bad", "request: https://shop.example.com/", "request: htps:/shop"),
    ("request-bad-address", "request: https://shop.example.com/", "request: tcp://300.1.1.1:80"),
    ("request-no-port", "request: https://shop.example.com/", "request: tcp://db.internal.shop"),
    ("from-unknown", "from: browser", "from: nobody"),
    ("check-both", "  - request: https://shop.example.com/\n    want: delivered", "  - request: https://shop.example.com/\n    healthy: web-lb"),
    ("check-neither", "  - request: https://shop.example.com/\n    want: delivered", "  - want: delivered"),
    ("check-want-bad", "want: delivered", "want: maybe"),
    ("check-lb-unknown", "  - healthy: web-lb", "  - healthy: no-lb"),
    ("check-unknown-key", "want: delivered", "want: delivered\n    timeout: 5"),
    ("check-request-bad", "  - request: https://shop.example.com/\n    want: delivered", "  - request: ftp://shop.example.com/\n    want: delivered"),
    ("fix-bad", "  - sg sg-app add ingress tcp 8080 from sg-lb", "  - sg sg-app add ingress tcp -1 from sg-lb"),
    ("fix-unknown-verb", "  - sg sg-app add ingress tcp 8080 from sg-lb", "  - reboot app-1"),
    ("fix-quote", "  - sg sg-app add ingress tcp 8080 from sg-lb", "  - \"sg 'sg-app add\""),
    ("unknown-top", "ticket:", "tikcet:"),
    ("unknown-several", "title: The shop answers 504", "title: The shop answers 504\nauthor: me\ntags: [x]\ndifficuly: easy"),
    ("null-key", "id: base-scenario", "~: x\nid: base-scenario"),
    ("unknown-tag", "world: shop", "world: !world shop"),
    ("empty-value", "from: browser", "from: \"\""),
    ("deep", "title: The shop answers 504", "title: The shop answers 504\nx: " + "[" * 70 + "]" * 70),
]

RAW_SCENARIOS = [
    ("empty", b""),
    ("binary", b"\x00\x01\x02\x03"),
    ("list", b"- id: a\n"),
    ("two-documents", b"id: a\n---\nid: b\n"),
    ("unclosed-quote", b"id: \"a\ntitle: t\n"),
    ("deep-20k", b"id: a\nx: " + b"[" * 20000 + b"]" * 20000 + b"\n"),
    ("many-keys", ("id: a\n" + "".join("k%d: v\n" % i for i in range(600))).encode()),
    ("alias-bomb", b"id: a\na: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\ne: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\n"),
    ("bom-unknown-key", b"\xef\xbb\xbfid: a\ntitel: b\n"),
]


def write_cases(kind, base, mutations, raws):
    d = os.path.join(HERE, kind)
    for f in os.listdir(d) if os.path.isdir(d) else []:
        if f.endswith(".yaml"):
            os.remove(os.path.join(d, f))
    os.makedirs(d, exist_ok=True)
    n = 0
    seen = set()
    for slug, data in raws:
        n += 1
        assert slug not in seen, slug
        seen.add(slug)
        open(os.path.join(d, "%03d-%s.yaml" % (n, slug)), "wb").write(data)
    for slug, old, new in mutations:
        n += 1
        assert "raw-" + slug not in seen and slug not in seen, slug
        seen.add(slug)
        new = re.sub(r"\{world:([a-z0-9-]+)\}", lambda m: world_file(m.group(1)), new)
        open(os.path.join(d, "%03d-%s.yaml" % (n, slug)), "w").write(mutate(base, old, new))
    return n


def world_file(slug):
    for f in sorted(os.listdir(os.path.join(HERE, "worlds"))):
        if re.fullmatch(r"\d+-" + re.escape(slug) + r"\.yaml", f):
            return f
    raise KeyError(slug)


def write_lines(kind, ext, cases):
    d = os.path.join(HERE, kind)
    if os.path.isdir(d):
        for f in os.listdir(d):
            if f.endswith(ext):
                os.remove(os.path.join(d, f))
    os.makedirs(d, exist_ok=True)
    for i, (slug, text) in enumerate(cases, 1):
        if isinstance(text, list):
            text = "\n".join(text)
        if isinstance(text, str):
            text = text.encode()
        open(os.path.join(d, "%03d-%s%s" % (i, slug, ext)), "wb").write(text + b"\n")
    return len(cases)


if __name__ == "__main__":
    import cases_cli
    print("worlds", write_cases("worlds", BASE, WORLD_MUTATIONS, RAW_WORLDS))
    print("scenarios", write_cases("scenarios", SCEN, SCENARIO_MUTATIONS, RAW_SCENARIOS))
    print("args", write_lines("args", ".args", cases_cli.ARGS))
    print("shell", write_lines("shell", ".line", cases_cli.SHELL))
