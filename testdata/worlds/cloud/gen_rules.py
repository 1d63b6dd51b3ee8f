#!/usr/bin/env python3
"""Writes the listener-rule worlds of issue 11 (Build item 2) under
testdata/worlds/cloud/ as rules-*.yaml.

Each is the built-in shop world (simnet/worlds/shop.yaml) with one change
to web-lb's listeners; its header says the change, the Elastic Load
Balancing behaviour it follows and the trace that shows it.
simnet/listener_rules_test.go holds each to that. Run from this directory
after changing a case: python3 gen_rules.py
"""
import os

HERE = os.path.dirname(os.path.abspath(__file__))
SHOP = open(os.path.join(HERE, "..", "..", "..", "simnet", "worlds", "shop.yaml")).read()
SHOP = SHOP[SHOP.index("name: shop"):]

LISTENERS = """          - {port: 443, protocol: https, certificate: shop-cert, target_group: tg-app}
          - {port: 80, protocol: http, redirect: https}
"""

# tg-cart: a second target group (app-2 only), for path routing.
TG_CART = """          - name: tg-cart
            protocol: http
            port: 8080
            health_check: {protocol: http, port: 8080, path: /healthz, matcher: "200"}
            targets: [app-2]
"""


def world(listeners, extra_certs=""):
    w = SHOP.replace(LISTENERS, listeners, 1)
    assert w != SHOP
    w = w.replace("            targets: [app-1, app-2]\n", "            targets: [app-1, app-2]\n" + TG_CART, 1)
    # api.shop.example.com: a second name on the balancer (host rules, SNI)
    rec = "        - {name: shop, type: CNAME, value: web-lb.example.com, ttl: 300}\n"
    w = w.replace(rec, rec + rec.replace("name: shop,", "name: api.shop,") + rec.replace("name: shop,", "name: www,"), 1)
    if extra_certs:
        w = w.replace("certificates:\n", "certificates:\n" + extra_certs, 1)
    return w


HTTPS = "          - port: 443\n            protocol: https\n            certificate: shop-cert\n"

CASES = [
    ("rules-path-forward",
     "web-lb's 443 listener forwards /cart* to tg-cart (rule 10); the rest goes to tg-app (default action).",
     "ELB User Guide, Listener rules: rules are evaluated by priority, lowest first; the first whose conditions match acts, else the default rule.",
     "pathlab trace --world testdata/worlds/cloud/rules-path-forward.yaml https://shop.example.com/cart\n#   -> delivered by app-2, LB_RULE rule 10 (path /cart*) -> forward tg-cart",
     HTTPS + """            target_group: tg-app
            rules:
              - {priority: 10, conditions: {path: ["/cart*"]}, forward: tg-cart}
              - {priority: 20, conditions: {host: ["API.shop.example.com"]}, forward: tg-cart}
          - {port: 80, protocol: http, redirect: https}
"""),
    ("rules-order-catchall",
     "rule 5 (path /*) forwards to tg-cart ahead of rule 10 (path /cart*): the catch-all wins.",
     "ELB User Guide, Listener rules: the lowest priority number is evaluated first; a broad pattern ahead of a specific one takes its requests.",
     "pathlab trace --world testdata/worlds/cloud/rules-order-catchall.yaml https://shop.example.com/\n#   -> broken: app-2 answers 404? no: LB_RULE rule 5 (path /*)",
     HTTPS + """            target_group: tg-app
            rules:
              - {priority: 5, conditions: {path: ["/*"]}, fixed_response: {status_code: 404, content_type: text/plain, message_body: "not here"}}
              - {priority: 10, conditions: {path: ["/cart*"]}, forward: tg-cart}
          - {port: 80, protocol: http, redirect: https}
"""),
    ("rules-maintenance",
     "the default action is a fixed 503 maintenance page left in after a change window.",
     "ELB User Guide, Rule action types: fixed-response answers the request itself with the status and body given; no target sees it.",
     "pathlab trace --world testdata/worlds/cloud/rules-maintenance.yaml https://shop.example.com/\n#   -> broken at http web-lb LB_FIXED_RESPONSE",
     HTTPS + """            fixed_response: {status_code: 503, content_type: text/html, message_body: "<h1>Down for maintenance</h1>"}
            rules:
              - {priority: 10, conditions: {source_ip: [203.0.113.200/32]}, forward: tg-app}
          - {port: 80, protocol: http, redirect: https}
"""),
    ("rules-redirect-missing-listener",
     "the http listener redirects to HTTPS on port 8443, which sg-lb admits but where web-lb has no listener.",
     "ELB User Guide, Rule action types (redirect): the client follows the Location; a port with no listener goes unanswered (LB_NO_LISTENER).",
     "pathlab trace --world testdata/worlds/cloud/rules-redirect-missing-listener.yaml http://shop.example.com/\n#   -> broken at the redirect's tcp: web-lb LB_NO_LISTENER",
     """          - {port: 443, protocol: https, certificate: shop-cert, target_group: tg-app}
          - port: 80
            protocol: http
            default_redirect: {protocol: HTTPS, port: "8443", status_code: HTTP_301}
"""),
    ("rules-redirect-loop",
     "rule 1 sends /old to api.shop.example.com, and rule 2 sends api.shop.example.com back to shop.example.com/old: a loop.",
     "ELB User Guide, Rule action types (redirect); curl -L stops after --max-redirs (50): 'Maximum (50) redirects followed'.",
     "pathlab trace --world testdata/worlds/cloud/rules-redirect-loop.yaml https://shop.example.com/old\n#   -> broken: REDIRECT_LOOP",
     HTTPS + """            target_group: tg-app
            rules:
              - {priority: 1, conditions: {path: ["/old"]}, redirect: {host: "api.shop.example.com", status_code: HTTP_302}}
              - {priority: 2, conditions: {host: ["api.shop.example.com"]}, redirect: {host: "shop.example.com", path: "/old"}}
          - {port: 80, protocol: http, redirect: https}
"""),
    ("rules-sni",
     "web-lb's 443 listener also offers www-cert (certificate list); www.example.com, which shop-cert does not cover, is served it by SNI.",
     "ELB User Guide, SSL certificates: the balancer picks the certificate of its list that matches the client's SNI name, else the default certificate.",
     "pathlab trace --world testdata/worlds/cloud/rules-sni.yaml https://www.example.com/\n#   -> delivered, certificate www-cert",
     HTTPS + """            certificates: [www-cert]
            target_group: tg-app
          - {port: 80, protocol: http, redirect: https}
""",
     """  - name: www-cert
    domains: [www.example.com]
    not_before: 2026-01-01T00:00:00Z
    not_after: 2027-01-01T00:00:00Z
"""),
]


SG_8443 = ("          - {protocol: tcp, ports: 80, source: 0.0.0.0/0}\n",
           "          - {protocol: tcp, ports: 80, source: 0.0.0.0/0}\n          - {protocol: tcp, ports: 8443, source: 0.0.0.0/0}\n")


def main():
    for case in CASES:
        name, change, aws, trace, listeners = case[:5]
        certs = case[5] if len(case) > 5 else ""
        head = "# pathlab test world (issue 11, listener rules), derived from the built-in shop world.\n"
        head += "# Change: " + change + "\n# ELB: " + aws + "\n# " + trace + "\n"
        with open(os.path.join(HERE, name + ".yaml"), "w") as f:
            w = world(listeners, certs)
            if name == "rules-redirect-missing-listener":
                assert SG_8443[0] in w
                w = w.replace(*SG_8443, 1)
            f.write(head + w)


if __name__ == "__main__":
    main()
