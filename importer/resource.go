// Package importer turns infrastructure descriptions into pathlab worlds:
// the JSON of `terraform show -json` (plans and states), raw
// terraform.tfstate files (version 4), and the JSON the AWS CLI prints.
// Every resource of the input is either imported, with its address in a
// comment beside the world element it became, or listed as unsupported
// with its address and type; whatever the files do not say (services,
// internet clients, addresses of balancer nodes) is assumed, and each
// assumption is marked in the world and in the report.
package importer

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
)

// unknownPrefix starts the placeholder of a value known only after apply:
// "unknown:ADDRESS" stands for the id (or ARN) of the resource at ADDRESS.
const unknownPrefix = "unknown:"

// resource is one resource instance of the input, whatever its source:
// Terraform's attribute names are the common language (the AWS CLI reader
// translates into them).
type resource struct {
	Addr   string // aws_security_group.app, module.net[0].aws_subnet.a["x"]
	Type   string // aws_security_group
	Name   string // app
	Index  any    // count index (int) or for_each key (string), nil when neither
	Module string // module instance address, "" for the root module
	Data   bool   // a data source
	V      map[string]any
	// Unknown is the plan's after_unknown for this resource (nil for
	// states): which attributes are known only after apply.
	Unknown any
	// Sensitive lists the attribute paths whose values were removed
	// because the input marks them sensitive.
	Sensitive []string
	// label names the resource in comments: its address, or for AWS CLI
	// input the id and the Name tag.
	label string
}

func (r *resource) String() string { return r.Addr }

// Label is how comments and reports name the resource.
func (r *resource) Label() string {
	if r.label != "" {
		return r.label
	}
	return r.Addr
}

// str returns a string attribute; "" when absent, null or not a string.
func str(m map[string]any, key string) string {
	switch v := m[key].(type) {
	case string:
		return v
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(v)
	}
	return ""
}

// num returns a number attribute (numbers may come as strings).
func num(m map[string]any, key string) (int, bool) {
	switch v := m[key].(type) {
	case float64:
		if v != math.Trunc(v) || v > 1<<31 || v < -(1<<31) {
			return 0, false
		}
		return int(v), true
	case string:
		n, err := strconv.Atoi(strings.TrimSpace(v))
		return n, err == nil
	}
	return 0, false
}

func boolean(m map[string]any, key string) bool {
	switch v := m[key].(type) {
	case bool:
		return v
	case string:
		return v == "true"
	}
	return false
}

// strs returns a list (or set) of strings; a single string is a list of one.
func strs(m map[string]any, key string) []string {
	switch v := m[key].(type) {
	case []any:
		out := make([]string, 0, len(v))
		for _, x := range v {
			if s, ok := x.(string); ok && s != "" {
				out = append(out, s)
			}
		}
		return out
	case []string:
		return v
	case string:
		if v != "" {
			return []string{v}
		}
	}
	return nil
}

// blocks returns a nested block list (or a single nested object as one).
func blocks(m map[string]any, key string) []map[string]any {
	switch v := m[key].(type) {
	case []any:
		out := make([]map[string]any, 0, len(v))
		for _, x := range v {
			if b, ok := x.(map[string]any); ok {
				out = append(out, b)
			}
		}
		return out
	case map[string]any:
		return []map[string]any{v}
	}
	return nil
}

// tags returns the resource's tags map.
func tags(m map[string]any) map[string]string {
	t, ok := m["tags"].(map[string]any)
	if !ok {
		return nil
	}
	out := map[string]string{}
	for k, v := range t {
		if s, ok := v.(string); ok {
			out[k] = s
		}
	}
	return out
}

// indexText renders a count index or for_each key as Terraform writes it.
func indexText(idx any) string {
	switch v := idx.(type) {
	case nil:
		return ""
	case float64:
		return "[" + strconv.FormatFloat(v, 'f', -1, 64) + "]"
	case int:
		return "[" + strconv.Itoa(v) + "]"
	case string:
		return "[" + strconv.Quote(v) + "]"
	}
	return "[" + fmt.Sprint(idx) + "]"
}

// removeSensitive deletes from values every leaf the mask marks true, and
// returns their paths. The mask has the shape of the values (Terraform's
// sensitive_values, after_sensitive).
func removeSensitive(values map[string]any, mask any) []string {
	var out []string
	var walk func(v any, m any, path string) any
	walk = func(v any, m any, path string) any {
		switch mm := m.(type) {
		case bool:
			if mm {
				out = append(out, path)
				return nil
			}
		case map[string]any:
			vm, ok := v.(map[string]any)
			if !ok {
				return v
			}
			for k, sub := range mm {
				if _, present := vm[k]; !present {
					if b, ok := sub.(bool); ok && b {
						out = append(out, join(path, k))
					}
					continue
				}
				nv := walk(vm[k], sub, join(path, k))
				if nv == nil {
					delete(vm, k)
				} else {
					vm[k] = nv
				}
			}
		case []any:
			vl, ok := v.([]any)
			if !ok {
				return v
			}
			for i := range vl {
				if i < len(mm) {
					vl[i] = walk(vl[i], mm[i], fmt.Sprintf("%s[%d]", path, i))
				}
			}
		}
		return v
	}
	if all, ok := mask.(bool); ok && all {
		// The whole object is sensitive: nothing of it is read.
		for k := range values {
			out = append(out, k)
			delete(values, k)
		}
		sort.Strings(out)
		return out
	}
	for k, sub := range asMap(mask) {
		if _, ok := values[k]; !ok {
			if b, ok := sub.(bool); ok && b {
				out = append(out, k)
			}
			continue
		}
		nv := walk(values[k], sub, k)
		if nv == nil {
			delete(values, k)
		} else {
			values[k] = nv
		}
	}
	sort.Strings(out)
	return out
}

func join(path, k string) string {
	if path == "" {
		return k
	}
	return path + "." + k
}

func asMap(v any) map[string]any {
	m, _ := v.(map[string]any)
	return m
}

// unknownAt reports whether the plan marks the attribute key (of the block
// at index i of list key outer, when outer is set) as known only after
// apply.
func unknownAt(u any, outer string, i int, key string) bool {
	m := asMap(u)
	if m == nil {
		return false
	}
	if outer != "" {
		switch v := m[outer].(type) {
		case bool:
			return v
		case []any:
			if i >= len(v) {
				return false
			}
			switch e := v[i].(type) {
			case bool:
				return e
			case map[string]any:
				m = e
			default:
				return false
			}
		case map[string]any:
			m = v
		default:
			return false
		}
	}
	switch v := m[key].(type) {
	case bool:
		return v
	case []any:
		for _, x := range v {
			if b, ok := x.(bool); ok && b {
				return true
			}
		}
	}
	return false
}
