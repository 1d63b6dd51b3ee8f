package graph

import (
	"fmt"
	"sort"
	"strings"

	"github.com/pathlab/pathlab/simnet"
	"github.com/pathlab/pathlab/simnet/spec"
	"github.com/pathlab/pathlab/tracer"
)

// Graph formats.
const (
	GraphMermaid = "mermaid" // renders in a GitHub README (in a ```mermaid block)
	GraphDot     = "dot"     // renders with Graphviz
)

// Graph draws the world: the internet side and each VPC as clusters,
// subnets as clusters inside them (with their route table and ACL), and
// gateways, balancer nodes, NAT gateways and instances as nodes; routes
// leave subnets towards their targets, balancers point at their targets.
// With a trace report, the request's path is drawn numbered and
// highlighted up to where it breaks, and the break is marked.
func Graph(w *simnet.World, format string, r *tracer.Report) (string, error) {
	g := graphModel(w)
	if r != nil {
		g.trace(w, r)
	}
	switch format {
	case GraphMermaid, "":
		return g.mermaid(), nil
	case GraphDot:
		return g.dot(), nil
	}
	return "", fmt.Errorf("graph format %q: use %s or %s", format, GraphMermaid, GraphDot)
}

type gNode struct {
	id    string
	lines []string // the label, one line each
	shape string   // client, internet, igw, nat, lb, instance, server, resolver, peering
}

type gCluster struct {
	id      string
	lines   []string
	nodes   []*gNode
	subs    []*gCluster
	isLocal bool // a subnet: edges may start at it
}

type gEdge struct {
	from, to string // node or cluster ids
	label    string
	kind     string // link (undirected), route, target, path, break
	step     int    // path edges: their number
}

type graph struct {
	name     string
	clusters []*gCluster // top level: the internet, the VPCs
	loose    []*gNode    // nodes outside clusters (peerings, the break)
	edges    []gEdge
	ids      map[string]bool
	byName   map[string]string // resource name → node id
	onPath   map[string]bool
	broken   string // the node id the break is marked on
}

// newID makes a unique identifier from a prefix and a name.
func (g *graph) newID(prefix, name string) string {
	var b strings.Builder
	b.WriteString(prefix)
	for _, r := range name {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
		} else {
			b.WriteByte('_')
		}
	}
	id := b.String()
	for n := 2; g.ids[id]; n++ {
		id = fmt.Sprintf("%s%s_%d", prefix, b.String()[len(prefix):], n)
	}
	g.ids[id] = true
	return id
}

func (g *graph) node(c *gCluster, name, shape string, lines ...string) *gNode {
	n := &gNode{id: g.newID("n_", name), lines: append([]string{name}, lines...), shape: shape}
	if c != nil {
		c.nodes = append(c.nodes, n)
	} else {
		g.loose = append(g.loose, n)
	}
	if _, ok := g.byName[name]; !ok {
		g.byName[name] = n.id
	}
	return n
}

func (g *graph) edge(from, to, label, kind string) {
	for _, e := range g.edges {
		if e.from == from && e.to == to && e.kind == kind && e.label == label {
			return
		}
	}
	g.edges = append(g.edges, gEdge{from: from, to: to, label: label, kind: kind})
}

func graphModel(w *simnet.World) *graph {
	g := &graph{name: w.Name, ids: map[string]bool{}, byName: map[string]string{}, onPath: map[string]bool{}}
	s := w.Spec()
	inet := &gCluster{id: g.newID("c_", "internet"), lines: []string{"Internet"}}
	g.clusters = append(g.clusters, inet)
	in := g.node(inet, "internet", "internet")
	for _, c := range s.Internet.Clients {
		n := g.node(inet, c.Name, "client", c.IP)
		g.edge(n.id, in.id, "", "link")
	}
	for _, r := range s.Internet.Resolvers {
		n := g.node(inet, r.Name, "resolver", r.IP)
		g.edge(n.id, in.id, "", "link")
	}
	for _, sv := range s.Internet.Servers {
		n := g.node(inet, sv.Name, "server", sv.IP+services(sv.Services))
		g.edge(n.id, in.id, "", "link")
	}
	subnets := map[string]*gCluster{}
	vpcClusters := map[string]*gCluster{}
	for _, v := range s.VPCs {
		vc := &gCluster{id: g.newID("c_vpc_", v.Name), lines: []string{"VPC " + v.Name, v.CIDR}}
		g.clusters = append(g.clusters, vc)
		vpcClusters[v.Name] = vc
		if v.InternetGateway != "" {
			n := g.node(vc, v.InternetGateway, "igw")
			g.edge(in.id, n.id, "", "link")
		}
		for _, sn := range v.Subnets {
			lines := []string{"subnet " + sn.Name + " " + sn.CIDR}
			if sn.Zone != "" {
				lines[0] += " (zone " + sn.Zone + ")"
			}
			lines = append(lines, sn.RouteTable+", "+sn.NetworkACL)
			c := &gCluster{id: g.newID("c_sn_", sn.Name), lines: lines, isLocal: true}
			vc.subs = append(vc.subs, c)
			subnets[sn.Name] = c
		}
		for _, ng := range v.NATGateways {
			if c := subnets[ng.Subnet]; c != nil {
				g.node(c, ng.Name, "nat", ng.PrivateIP+" · "+ng.PublicIP)
			}
		}
		for _, lb := range v.LoadBalancers {
			for _, nd := range lb.Nodes {
				if c := subnets[nd.Subnet]; c != nil {
					addr := nd.PrivateIP
					if nd.PublicIP != "" {
						addr += " · " + nd.PublicIP
					}
					var ls []string
					for _, li := range lb.Listeners {
						ls = append(ls, fmt.Sprintf("%s:%d", li.Protocol, li.Port))
					}
					g.node(c, lb.Name, "lb", addr, strings.Join(ls, " "))
				}
			}
		}
		for _, inst := range v.Instances {
			if c := subnets[inst.Subnet]; c != nil {
				addr := inst.PrivateIP
				if inst.PublicIP != "" {
					addr += " · " + inst.PublicIP
				}
				g.node(c, inst.Name, "instance", addr+services(inst.Services))
			}
		}
	}
	for _, p := range s.Peerings {
		n := g.node(nil, p.Name, "peering", p.Status)
		for _, v := range p.VPCs {
			if vc := vpcClusters[v]; vc != nil {
				g.edge(n.id, vc.id, "", "link")
			}
		}
	}
	// Routes: each subnet towards the targets of its route table.
	for _, v := range s.VPCs {
		rts := map[string]spec.RouteTableSpec{}
		for _, rt := range v.RouteTables {
			rts[rt.Name] = rt
		}
		for _, sn := range v.Subnets {
			c := subnets[sn.Name]
			if c == nil {
				continue
			}
			for _, r := range rts[sn.RouteTable].Routes {
				to, ok := g.byName[r.Target]
				if !ok {
					continue // blackhole or missing: drawn by the trace, if it matters
				}
				g.edge(c.id, to, r.Destination, "route")
			}
		}
		// Balancers: the first node towards each target.
		for _, lb := range v.LoadBalancers {
			from, ok := g.byName[lb.Name]
			if !ok {
				continue
			}
			for _, tg := range lb.TargetGroups {
				for _, t := range tg.Targets {
					if to, ok := g.byName[t]; ok {
						g.edge(from, to, fmt.Sprintf("%s :%d", tg.Name, tg.Port), "target")
					}
				}
			}
		}
	}
	return g
}

func services(ss []spec.ServiceSpec) string {
	if len(ss) == 0 {
		return ""
	}
	var parts []string
	for _, s := range ss {
		parts = append(parts, fmt.Sprintf("%s/%d", s.Protocol, s.Port))
	}
	return "|" + strings.Join(parts, " ")
}

// lines splits a node's label on "|" (services go on their own line).
func (n *gNode) label() []string {
	var out []string
	for _, l := range n.lines {
		out = append(out, strings.Split(l, "|")...)
	}
	return out
}

// breakBefore: codes of a block that stops a packet leaving the node
// before it (the sender's own filters and routes); other blocks are marked
// on the node they protect.
var breakBefore = map[tracer.Code]bool{
	tracer.SGNoEgressRule: true, tracer.NACLEgressDenied: true, tracer.NoRoute: true, tracer.RouteBlackhole: true,
	tracer.NoPublicAddress: true, tracer.RouteLoop: true, tracer.NoReturnRoute: true,
}

// trace draws the request's path: the DNS question to the resolver, the
// connection hop by hop, the balancer's own connection, up to the break,
// which is marked on the node it stops the request at.
func (g *graph) trace(w *simnet.World, r *tracer.Report) {
	type stop struct {
		id  string
		cut bool // no path edge leads here from the stop before
	}
	var seq []stop
	push := func(id string, cut bool) {
		if len(seq) > 0 && seq[len(seq)-1].id == id {
			return
		}
		seq = append(seq, stop{id, cut || len(seq) == 0})
	}
	var brk *tracer.Hop
	pending := false // the break is marked on the next node the request reaches
	// scan walks the hops; it reports false once the break is placed.
	scan := func(st tracer.Stage) bool {
		for i := range st.Hops {
			h := &st.Hops[i]
			id, isNode := g.byName[h.Component]
			if st.Name == tracer.StageDNS {
				if i == 0 {
					if c, ok := g.byName[r.From]; ok {
						push(c, true)
					}
					if isNode {
						push(id, false)
					}
				}
				if h.Blocks {
					brk = h
					return false
				}
				continue
			}
			if pending {
				if isNode && h.Direction == tracer.Forward {
					push(id, false)
					return false
				}
				continue
			}
			if h.Blocks {
				brk = h
				switch {
				case isNode:
					push(id, false)
				case !breakBefore[h.Code] && h.Direction == tracer.Forward:
					pending = true
					continue
				}
				return false
			}
			if h.Direction == tracer.Return || !isNode {
				continue
			}
			push(id, h.Code == tracer.Sent && h.Kind != tracer.KindLoadBalancer)
		}
		return true
	}
	for _, st := range r.Stages {
		if !scan(st) {
			break
		}
	}
	step := 0
	for i, s := range seq {
		g.onPath[s.id] = true
		if i > 0 && !s.cut {
			step++
			g.edges = append(g.edges, gEdge{from: seq[i-1].id, to: s.id, kind: "path", step: step})
		}
	}
	if brk != nil && len(seq) > 0 {
		g.broken = seq[len(seq)-1].id
		what := brk.Component + ": " + string(brk.Code)
		if brk.Direction == tracer.Return && breakBefore[brk.Code] || brk.Code == tracer.NACLIngressDenied && brk.Direction == tracer.Return {
			what += " (the reply)"
		}
		n := &gNode{id: g.newID("brk_", brk.Component), lines: []string{"✗ " + what}, shape: "break"}
		g.loose = append(g.loose, n)
		g.edges = append(g.edges, gEdge{from: n.id, to: g.broken, kind: "break"})
	}
}

// mermaid renders a flowchart.
func (g *graph) mermaid() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%%%% pathlab graph of world %s\nflowchart LR\n", g.name)
	var cluster func(c *gCluster, indent string)
	cluster = func(c *gCluster, indent string) {
		fmt.Fprintf(&b, "%ssubgraph %s[\"%s\"]\n", indent, c.id, mmText(strings.Join(c.lines, "<br/>")))
		for _, n := range c.nodes {
			b.WriteString(indent + "  " + mmNode(n) + "\n")
		}
		for _, s := range c.subs {
			cluster(s, indent+"  ")
		}
		b.WriteString(indent + "end\n")
	}
	for _, c := range g.clusters {
		cluster(c, "  ")
	}
	for _, n := range g.loose {
		b.WriteString("  " + mmNode(n) + "\n")
	}
	var pathLinks, breakLinks []string
	for i, e := range g.edges {
		switch e.kind {
		case "link":
			fmt.Fprintf(&b, "  %s --- %s\n", e.from, e.to)
		case "route", "target":
			fmt.Fprintf(&b, "  %s -.->|\"%s\"| %s\n", e.from, mmText(e.label), e.to)
		case "path":
			fmt.Fprintf(&b, "  %s ==>|\"%d\"| %s\n", e.from, e.step, e.to)
			pathLinks = append(pathLinks, fmt.Sprint(i))
		case "break":
			fmt.Fprintf(&b, "  %s -.- %s\n", e.from, e.to)
			breakLinks = append(breakLinks, fmt.Sprint(i))
		}
	}
	if len(g.onPath) > 0 {
		b.WriteString("  classDef onpath fill:#ddeeff,stroke:#1f6feb,stroke-width:2px\n")
		b.WriteString("  classDef broke fill:#ffdddd,stroke:#cf222e,stroke-width:3px\n")
		var ids []string
		for id := range g.onPath {
			if id != g.broken {
				ids = append(ids, id)
			}
		}
		sort.Strings(ids)
		if len(ids) > 0 {
			fmt.Fprintf(&b, "  class %s onpath\n", strings.Join(ids, ","))
		}
		if g.broken != "" {
			var brk []string
			for _, n := range g.loose {
				if n.shape == "break" {
					brk = append(brk, n.id)
				}
			}
			fmt.Fprintf(&b, "  class %s broke\n", strings.Join(append([]string{g.broken}, brk...), ","))
		}
		if len(pathLinks) > 0 {
			fmt.Fprintf(&b, "  linkStyle %s stroke:#1f6feb,stroke-width:3px\n", strings.Join(pathLinks, ","))
		}
		if len(breakLinks) > 0 {
			fmt.Fprintf(&b, "  linkStyle %s stroke:#cf222e,stroke-width:2px\n", strings.Join(breakLinks, ","))
		}
	}
	return b.String()
}

// mmText escapes a label for a quoted mermaid string.
func mmText(s string) string {
	return strings.NewReplacer(`"`, "#quot;", "\n", "<br/>").Replace(s)
}

func mmNode(n *gNode) string {
	l := `"` + mmText(strings.Join(n.label(), "<br/>")) + `"`
	switch n.shape {
	case "internet", "peering":
		return n.id + "((" + l + "))"
	case "client":
		return n.id + "([" + l + "])"
	case "resolver":
		return n.id + "[(" + l + ")]"
	case "igw":
		return n.id + "{{" + l + "}}"
	case "nat":
		return n.id + "[[" + l + "]]"
	case "lb":
		return n.id + "[/" + l + "\\]"
	case "break":
		return n.id + ">" + l + "]"
	}
	return n.id + "[" + l + "]"
}

// dot renders a Graphviz digraph.
func (g *graph) dot() string {
	var b strings.Builder
	fmt.Fprintf(&b, "digraph %s {\n", dotQuote("world "+g.name))
	b.WriteString("  graph [rankdir=LR, compound=true, fontname=\"Helvetica\", fontsize=11, labelloc=t, label=" + dotQuote("world "+g.name) + "];\n")
	b.WriteString("  node [fontname=\"Helvetica\", fontsize=10, shape=box, style=rounded];\n")
	b.WriteString("  edge [fontname=\"Helvetica\", fontsize=9, arrowhead=none];\n")
	anchor := map[string]string{} // cluster id → a node inside it, for edges
	var cluster func(c *gCluster, indent string)
	cluster = func(c *gCluster, indent string) {
		fmt.Fprintf(&b, "%ssubgraph cluster_%s {\n", indent, c.id)
		fmt.Fprintf(&b, "%s  label=%s;\n", indent, dotQuote(strings.Join(c.lines, "\n")))
		a := "a_" + c.id
		anchor[c.id] = a
		fmt.Fprintf(&b, "%s  %s [shape=point, style=invis, width=0.01];\n", indent, a)
		for _, n := range c.nodes {
			b.WriteString(indent + "  " + g.dotNode(n) + "\n")
		}
		for _, s := range c.subs {
			cluster(s, indent+"  ")
		}
		b.WriteString(indent + "}\n")
	}
	for _, c := range g.clusters {
		cluster(c, "  ")
	}
	for _, n := range g.loose {
		b.WriteString("  " + g.dotNode(n) + "\n")
	}
	end := func(id string) (string, string) {
		if a, ok := anchor[id]; ok {
			return a, "cluster_" + id
		}
		return id, ""
	}
	for _, e := range g.edges {
		from, ltail := end(e.from)
		to, lhead := end(e.to)
		var attrs []string
		if ltail != "" {
			attrs = append(attrs, "ltail="+ltail)
		}
		if lhead != "" {
			attrs = append(attrs, "lhead="+lhead)
		}
		switch e.kind {
		case "route", "target":
			attrs = append(attrs, "label="+dotQuote(e.label), "style=dashed", "arrowhead=normal", "color=\"#57606a\"")
		case "path":
			attrs = append(attrs, "label="+dotQuote(fmt.Sprint(e.step)), "color=\"#1f6feb\"", "fontcolor=\"#1f6feb\"", "penwidth=3", "arrowhead=normal")
		case "break":
			attrs = append(attrs, "style=dashed", "color=\"#cf222e\"", "penwidth=2")
		}
		fmt.Fprintf(&b, "  %s -> %s", from, to)
		if len(attrs) > 0 {
			fmt.Fprintf(&b, " [%s]", strings.Join(attrs, ", "))
		}
		b.WriteString(";\n")
	}
	b.WriteString("}\n")
	return b.String()
}

func (g *graph) dotNode(n *gNode) string {
	attrs := []string{"label=" + dotQuote(strings.Join(n.label(), "\n"))}
	switch n.shape {
	case "internet":
		attrs = append(attrs, "shape=ellipse", "style=solid")
	case "peering":
		attrs = append(attrs, "shape=ellipse", "style=dashed")
	case "resolver":
		attrs = append(attrs, "shape=cylinder", "style=solid")
	case "igw":
		attrs = append(attrs, "shape=hexagon", "style=solid")
	case "nat":
		attrs = append(attrs, "shape=octagon", "style=solid")
	case "lb":
		attrs = append(attrs, "shape=trapezium", "style=solid")
	case "break":
		attrs = append(attrs, "shape=note", "style=solid", "color=\"#cf222e\"", "fontcolor=\"#cf222e\"")
	}
	switch {
	case n.id == g.broken:
		attrs = append(attrs, "color=\"#cf222e\"", "penwidth=3")
	case g.onPath[n.id]:
		attrs = append(attrs, "color=\"#1f6feb\"", "penwidth=2")
	}
	return n.id + " [" + strings.Join(attrs, ", ") + "];"
}

// dotQuote quotes a string for dot: backslashes and quotes escaped, line
// breaks as \n.
func dotQuote(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`).Replace(s) + `"`
}
