package importer

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"

	tfjson "github.com/hashicorp/terraform-json"
)

// Kind is what an input file holds.
type Kind string

// The kinds of input Detect recognises.
const (
	KindPlan    Kind = "terraform-plan"  // terraform show -json PLANFILE
	KindState   Kind = "terraform-state" // terraform show -json (a state)
	KindTFState Kind = "tfstate"         // a raw terraform.tfstate, version 4
	KindAWS     Kind = "aws"             // the JSON the AWS CLI prints
)

// InputError is bad input: it names the input and says what is wrong.
type InputError struct {
	Source string
	Msg    string
}

func (e *InputError) Error() string { return e.Source + ": " + e.Msg }

func inputErr(src, format string, args ...any) error {
	return &InputError{Source: src, Msg: fmt.Sprintf(format, args...)}
}

// MaxInputSize bounds what one input file may hold.
const MaxInputSize = 256 << 20

// Detect says what kind of input data is, from its content: "" when it is
// none of them (a world file, for instance).
func Detect(data []byte) Kind {
	data = bytes.TrimSpace(data)
	if len(data) == 0 || data[0] != '{' {
		return ""
	}
	var top map[string]json.RawMessage
	if json.Unmarshal(data, &top) != nil {
		return ""
	}
	_, hasFV := top["format_version"]
	switch {
	case hasFV && (has(top, "planned_values") || has(top, "resource_changes") || has(top, "prior_state") || has(top, "configuration")):
		return KindPlan
	case hasFV && (has(top, "values") || has(top, "terraform_version")):
		return KindState
	case has(top, "version") && has(top, "resources") && has(top, "lineage"):
		return KindTFState
	case has(top, "version") && has(top, "resources"):
		return KindTFState
	}
	for k := range top {
		if _, ok := awsKeys[k]; ok {
			return KindAWS
		}
	}
	return ""
}

func has(m map[string]json.RawMessage, k string) bool { _, ok := m[k]; return ok }

// jsonErr turns a JSON decoding error into words with a line and column.
func jsonErr(src string, data []byte, err error) error {
	var off int64 = -1
	switch e := err.(type) {
	case *json.SyntaxError:
		off = max(e.Offset-1, 0) // Offset counts the byte that failed
	case *json.UnmarshalTypeError:
		off = e.Offset
		field := e.Field
		if field == "" {
			field = "a value"
		}
		return inputErr(src+position(data, off), "%s is a JSON %s where a %s belongs; is this the output of the right command?", field, e.Value, jsonKind(e.Type.Kind().String()))
	}
	if off >= 0 {
		return inputErr(src+position(data, off), "not valid JSON: %v", err)
	}
	msg := err.Error()
	if strings.Contains(msg, "format version") || strings.Contains(msg, "format_version") {
		return inputErr(src, "%s; want the output of 'terraform show -json' (format_version 0.x or 1.x)", msg)
	}
	return inputErr(src, "not valid JSON: %v", err)
}

func jsonKind(k string) string {
	switch k {
	case "map", "struct":
		return "object"
	case "slice", "array":
		return "list"
	case "float64", "int", "int64", "uint64":
		return "number"
	}
	return k
}

// position renders ":LINE:COL" for a byte offset.
func position(data []byte, off int64) string {
	if off < 0 || off > int64(len(data)) {
		return ""
	}
	line, col := 1, 1
	for _, c := range data[:off] {
		if c == '\n' {
			line++
			col = 1
		} else {
			col++
		}
	}
	return fmt.Sprintf(":%d:%d", line, col)
}

// tfInput is a decoded Terraform input: the resources of one or two
// worlds (a plan has a before and an after).
type tfInput struct {
	kind       Kind
	before     []*resource // a plan's prior state; nil otherwise
	after      []*resource // the plan's planned values, or the state
	changes    []Change
	unresolved []Note
	timestamp  string
}

// Change is a resource the plan changes.
type Change struct {
	Address string   `json:"address"`
	Type    string   `json:"type"`
	Actions []string `json:"actions"`
	// Name is the world element it is (in the world after, or before
	// for a deletion); "" when it is none.
	Name string `json:"name,omitempty"`
}

// Verb is the change in one word: create, update, delete, replace, read.
func (c Change) Verb() string {
	if len(c.Actions) == 2 {
		return "replace"
	}
	if len(c.Actions) == 1 {
		return c.Actions[0]
	}
	return strings.Join(c.Actions, "+")
}

func decodeTerraform(src string, data []byte) (*tfInput, error) {
	switch Detect(data) {
	case KindPlan:
		return decodePlan(src, data)
	case KindState:
		var st tfjson.State
		if err := json.Unmarshal(data, &st); err != nil {
			return nil, jsonErr(src, data, err)
		}
		in := &tfInput{kind: KindState}
		if st.Values != nil {
			in.after = stateResources(st.Values.RootModule, nil)
		}
		return in, nil
	case KindTFState:
		return decodeTFState(src, data)
	case KindAWS:
		return nil, inputErr(src, "this is AWS CLI output, not Terraform; use 'pathlab import aws %s'", src)
	}
	if bytes.HasPrefix(data, []byte("PK\x03\x04")) {
		return nil, inputErr(src, "this is a saved plan file (binary); give its JSON: terraform show -json %s > plan.json", src)
	}
	if err := json.Unmarshal(data, new(any)); err != nil {
		return nil, jsonErr(src, data, err)
	}
	return nil, inputErr(src, "not a Terraform plan or state: want the JSON of 'terraform show -json' (with format_version and values or planned_values) or a terraform.tfstate (version 4)")
}

// stateResources flattens a state module and its children, any depth.
func stateResources(m *tfjson.StateModule, sensitiveOverride map[string]any) []*resource {
	var out []*resource
	var walk func(m *tfjson.StateModule, depth int)
	walk = func(m *tfjson.StateModule, depth int) {
		if m == nil || depth > 64 {
			return
		}
		for _, sr := range m.Resources {
			if sr == nil || sr.Type == "" {
				continue
			}
			if sr.DeposedKey != "" {
				continue // a deposed object is on its way out
			}
			r := &resource{Addr: sr.Address, Type: sr.Type, Name: sr.Name, Index: normIndex(sr.Index), Module: m.Address, Data: sr.Mode == tfjson.DataResourceMode, V: sr.AttributeValues}
			if r.V == nil {
				r.V = map[string]any{}
			}
			if r.Addr == "" {
				r.Addr = buildAddr(m.Address, r.Data, r.Type, r.Name, r.Index)
			}
			var mask any
			if len(sr.SensitiveValues) > 0 {
				_ = json.Unmarshal(sr.SensitiveValues, &mask)
			}
			r.Sensitive = removeSensitive(r.V, mask)
			if o, ok := sensitiveOverride[r.Addr]; ok {
				r.Sensitive = dedupe(append(r.Sensitive, removeSensitive(r.V, o)...))
			}
			out = append(out, r)
		}
		for _, c := range m.ChildModules {
			walk(c, depth+1)
		}
	}
	walk(m, 0)
	return out
}

func normIndex(idx any) any {
	switch v := idx.(type) {
	case float64:
		return int(v)
	case json.Number:
		if n, err := v.Int64(); err == nil {
			return int(n)
		}
		return v.String()
	}
	return idx
}

func buildAddr(module string, data bool, typ, name string, idx any) string {
	var b strings.Builder
	if module != "" {
		b.WriteString(module)
		b.WriteByte('.')
	}
	if data {
		b.WriteString("data.")
	}
	b.WriteString(typ)
	b.WriteByte('.')
	b.WriteString(name)
	b.WriteString(indexText(idx))
	return b.String()
}

func decodePlan(src string, data []byte) (*tfInput, error) {
	var p tfjson.Plan
	if err := json.Unmarshal(data, &p); err != nil {
		return nil, jsonErr(src, data, err)
	}
	in := &tfInput{kind: KindPlan, timestamp: p.Timestamp}
	in.before = []*resource{}
	if p.PriorState != nil && p.PriorState.Values != nil {
		in.before = stateResources(p.PriorState.Values.RootModule, nil)
	}
	unknown := map[string]any{}
	sens := map[string]any{}
	for _, rc := range p.ResourceChanges {
		if rc == nil || rc.Change == nil || rc.DeposedKey != "" {
			continue
		}
		unknown[rc.Address] = rc.Change.AfterUnknown
		if rc.Change.AfterSensitive != nil {
			sens[rc.Address] = rc.Change.AfterSensitive
		}
		acts := make([]string, 0, len(rc.Change.Actions))
		for _, a := range rc.Change.Actions {
			acts = append(acts, string(a))
		}
		if len(acts) == 0 || (len(acts) == 1 && (acts[0] == "no-op" || acts[0] == "read")) {
			continue
		}
		in.changes = append(in.changes, Change{Address: rc.Address, Type: rc.Type, Actions: acts})
	}
	if p.PlannedValues != nil {
		in.after = stateResources(p.PlannedValues.RootModule, sens)
	}
	for _, r := range in.after {
		r.Unknown = unknown[r.Addr]
	}
	var cfg *tfjson.ConfigModule
	if p.Config != nil {
		cfg = p.Config.RootModule
	}
	in.unresolved = resolveUnknowns(in.after, cfg)
	return in, nil
}

// decodeTFState reads a raw terraform.tfstate (format version 4).
func decodeTFState(src string, data []byte) (*tfInput, error) {
	var st struct {
		Version   *int `json:"version"`
		Resources []struct {
			Module    string `json:"module"`
			Mode      string `json:"mode"`
			Type      string `json:"type"`
			Name      string `json:"name"`
			Instances []struct {
				IndexKey            any             `json:"index_key"`
				Deposed             string          `json:"deposed"`
				Attributes          map[string]any  `json:"attributes"`
				SensitiveAttributes json.RawMessage `json:"sensitive_attributes"`
			} `json:"instances"`
		} `json:"resources"`
	}
	if err := json.Unmarshal(data, &st); err != nil {
		return nil, jsonErr(src, data, err)
	}
	if st.Version == nil || *st.Version != 4 {
		v := "none"
		if st.Version != nil {
			v = strconv.Itoa(*st.Version)
		}
		return nil, inputErr(src, "terraform.tfstate version %s: only version 4 (Terraform 0.12 and later) is read; run 'terraform show -json > state.json' with a current Terraform and import that", v)
	}
	in := &tfInput{kind: KindTFState}
	for _, rs := range st.Resources {
		if rs.Type == "" || rs.Name == "" {
			return nil, inputErr(src, "a resource without type or name: is this a terraform.tfstate?")
		}
		for _, inst := range rs.Instances {
			if inst.Deposed != "" {
				continue
			}
			idx := normIndex(inst.IndexKey)
			data := rs.Mode == "data"
			r := &resource{Type: rs.Type, Name: rs.Name, Index: idx, Module: rs.Module, Data: data, V: inst.Attributes}
			r.Addr = buildAddr(rs.Module, data, rs.Type, rs.Name, idx)
			if r.V == nil {
				r.V = map[string]any{}
			}
			r.Sensitive = removeSensitivePaths(r.V, inst.SensitiveAttributes)
			in.after = append(in.after, r)
		}
	}
	return in, nil
}

// removeSensitivePaths applies a tfstate's sensitive_attributes: a list of
// paths, each a list of steps. The whole top-level attribute a path starts
// in is removed, which never lets a sensitive value through.
func removeSensitivePaths(values map[string]any, raw json.RawMessage) []string {
	if len(raw) == 0 {
		return nil
	}
	var paths []any
	if json.Unmarshal(raw, &paths) != nil {
		return nil
	}
	var out []string
	for _, p := range paths {
		var first map[string]any
		switch x := p.(type) {
		case []any: // a path: a list of steps
			if len(x) > 0 {
				first = asMap(x[0])
			}
		case map[string]any: // a single step
			first = x
		}
		k, _ := first["value"].(string)
		if k == "" {
			continue
		}
		if _, ok := values[k]; ok {
			delete(values, k)
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}
