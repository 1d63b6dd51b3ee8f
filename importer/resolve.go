package importer

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	tfjson "github.com/hashicorp/terraform-json"
)

// Values known only after apply (the ids of resources a plan creates) are
// resolved through the configuration's references: a subnet whose vpc_id
// is unknown, configured as aws_vpc.main.id, gets the placeholder id of
// aws_vpc.main, so that it still lands in its VPC.

// listAttrs are attributes that hold lists even when a plan marks them
// wholly unknown.
var listAttrs = map[string]bool{
	"security_groups": true, "subnets": true, "cidr_blocks": true, "records": true,
	"vpc_security_group_ids": true, "subnet_ids": true, "security_group_ids": true,
}

type resolver struct {
	budget int // resolve calls left: a cyclic configuration cannot spin
	cfg    *tfjson.ConfigModule
	byBase map[string][]*resource // module instance + "|" + [data.]TYPE.NAME
	notes  []Note
}

// resolveUnknowns fills the attributes of rs that the plan knows only
// after apply: ids and ARNs get a placeholder naming their resource;
// references to other resources get those resources' values. What cannot
// be resolved is returned, named.
func resolveUnknowns(rs []*resource, cfg *tfjson.ConfigModule) []Note {
	rv := &resolver{cfg: cfg, byBase: map[string][]*resource{}}
	for _, r := range rs {
		k := r.Module + "|" + baseName(r)
		rv.byBase[k] = append(rv.byBase[k], r)
	}
	// Identities first, so that references to them find a value.
	for _, r := range rs {
		for _, k := range []string{"id", "arn", "zone_id"} {
			if unknownAt(r.Unknown, "", 0, k) && str(r.V, k) == "" {
				r.V[k] = unknownPrefix + r.Addr
			}
		}
	}
	// Then the rest; a second pass picks up values resolved by the first.
	for pass := 0; pass < 2; pass++ {
		last := pass == 1
		for _, r := range rs {
			u := asMap(r.Unknown)
			keys := make([]string, 0, len(u))
			for k := range u {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for _, k := range keys {
				if k == "id" || k == "arn" || k == "zone_id" {
					continue
				}
				rv.fill(r, k, last)
			}
		}
	}
	return rv.notes
}

func baseName(r *resource) string {
	if r.Data {
		return "data." + r.Type + "." + r.Name
	}
	return r.Type + "." + r.Name
}

// fill resolves the unknown attribute k of r, and the unknown attributes
// of the blocks it holds.
func (rv *resolver) fill(r *resource, k string, last bool) {
	expr := rv.exprOf(r, k)
	switch u := asMap(r.Unknown)[k].(type) {
	case bool:
		if !u || known(r.V[k]) {
			return
		}
		if v, ok := rv.valueOf(r, expr, listAttrs[k] || strings.HasSuffix(k, "_ids")); ok {
			r.V[k] = v
		} else if last && interesting(r.Type, k) {
			rv.notes = append(rv.notes, Note{Subject: r.Addr, Text: fmt.Sprintf("%s is known only after apply and the configuration does not say what it refers to%s", k, viaWhat(expr))})
		}
	case []any:
		cur, _ := r.V[k].([]any)
		for i, e := range u {
			if i >= len(cur) {
				break
			}
			switch ue := e.(type) {
			case bool:
				if ue && cur[i] == nil && len(expr) > 0 {
					if v, ok := rv.valueOf(r, expr, false); ok {
						cur[i] = v
					}
				}
			case map[string]any:
				blk, ok := cur[i].(map[string]any)
				if !ok {
					continue
				}
				sub := rv.nestedExpr(r, k, i, len(cur))
				subKeys := make([]string, 0, len(ue))
				for sk := range ue {
					subKeys = append(subKeys, sk)
				}
				sort.Strings(subKeys)
				for _, sk := range subKeys {
					if !unknownAt(ue, "", 0, sk) || known(blk[sk]) {
						continue
					}
					if v, ok := rv.valueOf(r, refsOf(sub[sk]), listAttrs[sk] || strings.HasSuffix(sk, "_ids") || sk == "security_groups"); ok {
						blk[sk] = v
					} else if last && interesting(r.Type, k+"."+sk) {
						rv.notes = append(rv.notes, Note{Subject: r.Addr, Text: fmt.Sprintf("%s[%d].%s is known only after apply and the configuration does not say what it refers to%s", k, i, sk, viaWhat(refsOf(sub[sk])))})
					}
				}
			}
		}
	}
}

// known reports whether a value is present: not null, not an empty list.
func known(v any) bool {
	switch x := v.(type) {
	case nil:
		return false
	case []any:
		for _, e := range x {
			if e != nil {
				return true
			}
		}
		return false
	}
	return true
}

// interesting says whether an unresolved attribute matters to the world.
func interesting(typ, k string) bool {
	switch k {
	case "vpc_id", "subnet_id", "security_group_id", "network_acl_id", "route_table_id", "gateway_id", "nat_gateway_id",
		"vpc_peering_connection_id", "peer_vpc_id", "load_balancer_arn", "target_group_arn", "target_id", "instance_id",
		"vpc_security_group_ids", "security_groups", "subnets", "source_security_group_id", "referenced_security_group_id",
		"ingress.security_groups", "egress.security_groups", "default_action.target_group_arn", "alias.name", "alias.zone_id",
		"subnet_mapping.subnet_id", "zone_id", "allocation_id", "certificate_arn", "subnet_ids", "cidr_block", "route.gateway_id", "route.nat_gateway_id",
		// issue 11
		"transit_gateway_id", "transit_gateway_attachment_id", "transit_gateway_route_table_id", "vpn_gateway_id", "customer_gateway_id",
		"vpn_connection_id", "vpc_endpoint_id", "prefix_list_id", "listener_arn", "route_table_ids", "security_group_ids", "propagating_vgws",
		"route.transit_gateway_id", "route.vpc_endpoint_id", "action.target_group_arn", "ingress.prefix_list_ids", "egress.prefix_list_ids":
		return true
	}
	return false
}

func viaWhat(refs []string) string {
	if len(refs) == 0 {
		return ""
	}
	return " (it refers to " + strings.Join(refs, ", ") + ")"
}

// exprOf returns the references of attribute k in r's configuration.
func (rv *resolver) exprOf(r *resource, k string) []string {
	cr := rv.configResource(r)
	if cr == nil {
		return nil
	}
	return refsOf(cr.Expressions[k])
}

func (rv *resolver) nestedExpr(r *resource, k string, i, n int) map[string]*tfjson.Expression {
	cr := rv.configResource(r)
	if cr == nil || cr.Expressions[k] == nil {
		return nil
	}
	nb := cr.Expressions[k].NestedBlocks
	switch {
	case len(nb) == n && i < n:
		return nb[i]
	case len(nb) == 1:
		return nb[0]
	}
	return nil
}

func refsOf(e *tfjson.Expression) []string {
	if e == nil || e.ExpressionData == nil {
		return nil
	}
	return e.References
}

// configModule finds the configuration of a module instance address.
func (rv *resolver) configModule(modInst string) *tfjson.ConfigModule {
	m := rv.cfg
	for _, name := range modulePath(modInst) {
		if m == nil {
			return nil
		}
		mc := m.ModuleCalls[name]
		if mc == nil {
			return nil
		}
		m = mc.Module
	}
	return m
}

func (rv *resolver) configResource(r *resource) *tfjson.ConfigResource {
	m := rv.configModule(r.Module)
	if m == nil {
		return nil
	}
	mode := tfjson.ManagedResourceMode
	if r.Data {
		mode = tfjson.DataResourceMode
	}
	for _, cr := range m.Resources {
		if cr != nil && cr.Type == r.Type && cr.Name == r.Name && (cr.Mode == "" || cr.Mode == mode) {
			return cr
		}
	}
	return nil
}

// modulePath lists the module names of a module instance address:
// module.a[0].module.b gives [a b].
func modulePath(modInst string) []string {
	var out []string
	for _, seg := range splitAddr(modInst) {
		if seg.name == "module" {
			continue
		}
		out = append(out, seg.name)
	}
	return out
}

type addrSeg struct {
	name string
	key  string // "" or the bracketed key as written ([0], ["a"])
}

// splitAddr splits a Terraform address or reference into its dotted
// segments, keeping bracketed keys (which may hold dots) with their
// segment.
func splitAddr(s string) []addrSeg {
	var out []addrSeg
	for len(s) > 0 {
		i := 0
		for i < len(s) && s[i] != '.' && s[i] != '[' {
			i++
		}
		seg := addrSeg{name: s[:i]}
		s = s[i:]
		for len(s) > 0 && s[0] == '[' {
			j := 1
			inStr := false
			for j < len(s) {
				if s[j] == '"' && s[j-1] != '\\' {
					inStr = !inStr
				}
				if s[j] == ']' && !inStr {
					break
				}
				j++
			}
			if j >= len(s) {
				seg.key += s
				s = ""
				break
			}
			seg.key += s[:j+1]
			s = s[j+1:]
		}
		out = append(out, seg)
		if len(s) > 0 && s[0] == '.' {
			s = s[1:]
		}
	}
	return out
}

// target is a reference resolved to a resource and one of its attributes.
type target struct {
	r    *resource
	attr string
}

// valueOf gives the value the references stand for, in r's context: a
// list of every referenced value when list, else the one value all the
// references agree on.
func (rv *resolver) valueOf(r *resource, refs []string, list bool) (any, bool) {
	var vals []string
	seen := map[string]bool{}
	rv.budget = 10000
	for _, ref := range refs {
		var these []string
		for _, t := range rv.resolve(r.Module, ref, r.Index, 0) {
			attr := t.attr
			if attr == "" {
				attr = "id"
			}
			if v := str(t.r.V, attr); v != "" {
				these = append(these, v)
			} else {
				these = append(these, strs(t.r.V, attr)...)
			}
		}
		these = dedupe(these)
		if !list && len(these) == 1 {
			// Terraform lists the most specific reference first
			// (aws_subnet.public[0].id before aws_subnet.public).
			return these[0], true
		}
		for _, v := range these {
			if !seen[v] {
				seen[v] = true
				vals = append(vals, v)
			}
		}
	}
	if !list || len(vals) == 0 {
		return nil, false
	}
	out := make([]any, len(vals))
	for i, v := range vals {
		out[i] = v
	}
	return out, true
}

// resolve follows one reference from a module instance: to a resource,
// through module outputs into child modules, and through input variables
// out to the calling module.
func (rv *resolver) resolve(modInst, ref string, selfIdx any, depth int) []target {
	if depth > 16 || rv.budget <= 0 {
		return nil
	}
	rv.budget--
	segs := splitAddr(ref)
	if len(segs) < 2 {
		return nil
	}
	switch segs[0].name {
	case "local", "each", "count", "path", "self", "terraform":
		return nil
	case "var":
		parent, call := parentModule(modInst)
		if call == "" {
			return nil
		}
		pm := rv.configModule(parent)
		if pm == nil || pm.ModuleCalls[call] == nil {
			return nil
		}
		return rv.firstSpecific(parent, refsOf(pm.ModuleCalls[call].Expressions[segs[1].name]), selfIdx, depth)
	case "module":
		m := rv.configModule(modInst)
		if m == nil || len(segs) < 3 || m.ModuleCalls[segs[1].name] == nil || m.ModuleCalls[segs[1].name].Module == nil {
			return nil
		}
		child := segs[1].name
		out := m.ModuleCalls[child].Module.Outputs[segs[2].name]
		if out == nil {
			return nil
		}
		inst := join(modInst, "module."+child+segs[1].key)
		if segs[1].key == "" {
			// A module with count or for_each, referenced whole: take its
			// only instance, if it has one.
			inst = rv.onlyInstance(join(modInst, "module."+child))
		}
		return rv.firstSpecific(inst, refsOf(out.Expression), selfIdx, depth)
	}
	data := segs[0].name == "data"
	if data {
		segs = segs[1:]
		if len(segs) < 2 {
			return nil
		}
	}
	base := segs[0].name + "." + segs[1].name
	if data {
		base = "data." + base
	}
	attr := ""
	if len(segs) > 2 {
		attr = segs[2].name
	}
	cands := rv.byBase[modInst+"|"+base]
	if k := segs[1].key; k != "" {
		for _, c := range cands {
			if indexText(c.Index) == k {
				return []target{{c, attr}}
			}
		}
		return nil
	}
	if len(cands) == 1 {
		return []target{{cands[0], attr}}
	}
	for _, c := range cands {
		if selfIdx != nil && indexText(c.Index) == indexText(selfIdx) {
			return []target{{c, attr}}
		}
	}
	out := make([]target, 0, len(cands))
	for _, c := range cands {
		out = append(out, target{c, attr})
	}
	return out
}

// firstSpecific resolves an expression's references: the first that names
// exactly one thing (Terraform lists the most specific first), else all.
func (rv *resolver) firstSpecific(modInst string, refs []string, selfIdx any, depth int) []target {
	var all []target
	for _, r := range refs {
		ts := rv.resolve(modInst, r, selfIdx, depth+1)
		if len(ts) == 1 {
			return ts
		}
		all = append(all, ts...)
	}
	return all
}

// onlyInstance returns the module instance address under prefix when
// exactly one resource's module starts with it (module.x[0]), else the
// prefix itself.
func (rv *resolver) onlyInstance(prefix string) string {
	found := ""
	for k := range rv.byBase {
		mod, _, _ := strings.Cut(k, "|")
		if mod == prefix {
			return prefix
		}
		if strings.HasPrefix(mod, prefix+"[") {
			end := strings.Index(mod[len(prefix):], "]")
			inst := mod[:len(prefix)+end+1]
			if found != "" && found != inst {
				return prefix
			}
			found = inst
		}
	}
	if found == "" {
		return prefix
	}
	return found
}

// parentModule splits module.a.module.b[0] into module.a and b.
func parentModule(modInst string) (string, string) {
	segs := splitAddr(modInst)
	if len(segs) < 2 {
		return "", ""
	}
	call := segs[len(segs)-1].name
	var b strings.Builder
	for _, s := range segs[:len(segs)-2] {
		if b.Len() > 0 {
			b.WriteByte('.')
		}
		b.WriteString(s.name + s.key)
	}
	return b.String(), call
}

var _ = strconv.Itoa
