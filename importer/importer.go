package importer

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/pathlab/pathlab/simnet"
	"github.com/pathlab/pathlab/simnet/spec"
)

// Note is one remark of the report about a subject (an address, a world
// name).
type Note struct {
	Subject string `json:"subject"`
	Text    string `json:"text"`
}

// Item is one resource of the input: what it became, or why not.
type Item struct {
	Address string `json:"address"`
	Type    string `json:"type"`
	Name    string `json:"name,omitempty"`   // the world element it is part of
	Reason  string `json:"reason,omitempty"` // why it is unsupported
}

// Report says what an import did with every resource.
type Report struct {
	Source      string `json:"source"`
	Kind        Kind   `json:"kind"`
	World       string `json:"world"`
	Imported    []Item `json:"imported"`
	Unsupported []Item `json:"unsupported"`
	Assumed     []Note `json:"assumed"`
	Unresolved  []Note `json:"unresolved"`
	Warnings    []Note `json:"warnings"`
	Sensitive   []Note `json:"sensitive,omitempty"`
}

// WriteJSON writes the report as one JSON object.
func (r *Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(r)
}

// WriteText writes the report for a person.
func (r *Report) WriteText(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "import of %s (%s) into world %s: %d resources imported, %d unsupported, %d assumptions, %d unresolved, %d warnings\n",
		r.Source, kindText(r.Kind), r.World, len(r.Imported), len(r.Unsupported), len(r.Assumed), len(r.Unresolved), len(r.Warnings))
	if len(r.Unsupported) > 0 {
		fmt.Fprintf(&b, "\nunsupported (not in the world):\n")
		for _, it := range r.Unsupported {
			fmt.Fprintf(&b, "  %s (%s): %s\n", it.Address, it.Type, it.Reason)
		}
	}
	notes := func(title string, ns []Note) {
		if len(ns) == 0 {
			return
		}
		fmt.Fprintf(&b, "\n%s:\n", title)
		for _, n := range ns {
			fmt.Fprintf(&b, "  %s: %s\n", n.Subject, n.Text)
		}
	}
	notes("unresolved (known only after apply)", r.Unresolved)
	notes("assumed (the input does not say; marked '# assumed:' in the world)", r.Assumed)
	notes("warnings", r.Warnings)
	notes("sensitive", r.Sensitive)
	if len(r.Imported) > 0 {
		fmt.Fprintf(&b, "\nimported:\n")
		for _, it := range r.Imported {
			fmt.Fprintf(&b, "  %s → %s\n", it.Address, it.Name)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func kindText(k Kind) string {
	switch k {
	case KindPlan:
		return "Terraform plan"
	case KindState:
		return "Terraform state"
	case KindTFState:
		return "terraform.tfstate"
	case KindAWS:
		return "AWS CLI output"
	}
	return string(k)
}

// Result is one imported world.
type Result struct {
	World  []byte          // the world file: YAML with a comment on each element
	Spec   *spec.WorldSpec // the world as parsed back from World
	Report *Report
	// Addresses maps each world name to the address (or AWS id) of the
	// resource it came from.
	Addresses map[string]string
	compiled  *simnet.World
	picks     map[string]string // the addresses assumed, by resource
}

// Compiled returns the world, validated and compiled.
func (r *Result) Compiled() *simnet.World { return r.compiled }

// PlanResult is a plan imported: the world before and after it, and the
// resources it changes.
type PlanResult struct {
	Before, After *Result
	Changes       []Change
}

// worldName derives a world name from a file name.
func worldName(src string) string {
	base := filepath.Base(src)
	for _, ext := range []string{".json", ".tfstate", ".tfplan"} {
		base = strings.TrimSuffix(base, ext)
	}
	if n := sanitize(base); n != "" {
		return n
	}
	return "imported"
}

// finish writes and checks the world a builder made.
func (b *builder) finish(header string) (*Result, error) {
	b.rep.World = b.w.name
	out := b.w.emit([]string{
		header,
		"Each element's comment names the resource it came from; 'assumed:' marks what the input does not say.",
	})
	w, err := simnet.Parse(b.src, out)
	if err != nil {
		var se *spec.Error
		msg := err.Error()
		if errors.As(err, &se) && len(se.Problems) > 0 {
			var ps []string
			for _, p := range se.Problems {
				ps = append(ps, p.Msg)
			}
			msg = strings.Join(ps, "; ")
		}
		return nil, inputErr(b.src, "the world imported from it does not hold together: %s", msg)
	}
	for _, it := range b.rep.Imported {
		if _, ok := b.addresses[it.Name]; !ok && it.Name != "" {
			b.addresses[it.Name] = it.Address
		}
	}
	for _, z := range b.w.zones {
		for _, ns := range z.nameservers {
			if _, ok := b.addresses[ns.v.Name]; !ok {
				b.addresses[ns.v.Name] = "a nameserver of " + z.name + " (assumed address)"
			}
		}
	}
	for _, n := range b.rep.Assumed {
		if _, ok := b.addresses[n.Subject]; !ok && n.Subject != "clock" {
			b.addresses[n.Subject] = "assumed: not in the input"
		}
	}
	return &Result{World: out, Spec: w.Spec(), Report: b.rep, Addresses: b.addresses, compiled: w, picks: b.picks}, nil
}

// Terraform imports a plan (its after world), a state or a raw
// terraform.tfstate.
func Terraform(src string, data []byte) (*Result, error) {
	in, err := decodeTerraform(src, data)
	if err != nil {
		return nil, err
	}
	if in.kind == KindPlan {
		pr, err := planFrom(src, in)
		if err != nil {
			return nil, err
		}
		return pr.After, nil
	}
	return buildTF(src, in.kind, in.after, nil, nil, nil, "", "")
}

// catchPanics turns a panic of the importer into an error naming the
// input; the fuzz tests turn it off to see the panic.
var catchPanics = true

func buildTF(src string, kind Kind, rs []*resource, names, pins map[string]string, unresolved []Note, clock, side string) (res *Result, err error) {
	defer func() {
		if !catchPanics {
			return
		}
		if p := recover(); p != nil {
			res, err = nil, inputErr(src, "the importer failed on this input (%v); please report it with the file", p)
		}
	}()
	b := newBuilder(src, kind, rs, names)
	if pins != nil {
		b.pins = pins
		for _, p := range pins {
			if a, err := netip.ParseAddr(p); err == nil {
				b.reserved[a] = true
			}
		}
	}
	b.w.clock = clock
	b.rep.Unresolved = append(b.rep.Unresolved, unresolved...)
	name := worldName(src)
	if side == "before the plan" {
		name += "-before"
	}
	b.build(name)
	header := fmt.Sprintf("Imported by 'pathlab import' from %s (%s).", filepath.Base(src), kindText(kind))
	if side != "" {
		header = fmt.Sprintf("Imported by 'pathlab import' from %s (%s): the world %s.", filepath.Base(src), kindText(kind), side)
	}
	return b.finish(header)
}

// Plan imports a plan as two worlds: before (its prior state) and after
// (its planned values), named alike.
func Plan(src string, data []byte) (*PlanResult, error) {
	in, err := decodeTerraform(src, data)
	if err != nil {
		return nil, err
	}
	if in.kind != KindPlan {
		return nil, inputErr(src, "this is a %s, not a plan; make one with 'terraform plan -out=tfplan && terraform show -json tfplan > plan.json'", kindText(in.kind))
	}
	return planFrom(src, in)
}

// planFrom builds both worlds of a plan: named alike, and the after world
// keeps the addresses the before world assumed.
func planFrom(src string, in *tfInput) (*PlanResult, error) {
	names := assignNames(in.before, in.after)
	before, err := buildTF(src, in.kind, in.before, names, nil, nil, in.timestamp, "before the plan")
	if err != nil {
		return nil, err
	}
	after, err := buildTF(src, in.kind, in.after, names, before.picks, in.unresolved, in.timestamp, "after the plan")
	if err != nil {
		return nil, err
	}
	pr := &PlanResult{Before: before, After: after}
	byAddr := map[string]string{}
	for _, res := range []*Result{before, after} {
		for _, it := range res.Report.Imported {
			byAddr[it.Address] = it.Name
		}
	}
	for _, c := range in.changes {
		c.Name = byAddr[c.Address]
		pr.Changes = append(pr.Changes, c)
	}
	sort.SliceStable(pr.Changes, func(i, j int) bool { return pr.Changes[i].Address < pr.Changes[j].Address })
	return pr, nil
}

// LoadFile reads one input file, at most MaxInputSize bytes.
func LoadFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, inputErr(path, "cannot read it: %v", errors.Unwrap(err))
	}
	defer f.Close()
	var buf bytes.Buffer
	n, err := buf.ReadFrom(io.LimitReader(f, MaxInputSize+1))
	if err != nil {
		return nil, inputErr(path, "cannot read it: %v", err)
	}
	if n > MaxInputSize {
		return nil, inputErr(path, "it is larger than %d MiB", MaxInputSize>>20)
	}
	return buf.Bytes(), nil
}

// Import imports whatever paths hold: one Terraform file, or AWS CLI
// output (files, or directories of .json files). The kind is recognised
// by content.
func Import(paths ...string) (*Result, error) {
	if len(paths) == 0 {
		return nil, inputErr("import", "no input given")
	}
	files, err := expand(paths)
	if err != nil {
		return nil, err
	}
	if len(files) == 1 {
		if k := Detect(files[0].Data); k == KindPlan || k == KindState || k == KindTFState {
			return Terraform(files[0].Name, files[0].Data)
		}
	}
	return AWS(files)
}

// ReadFiles reads files and the .json files of directories.
func ReadFiles(paths []string) ([]File, error) { return expand(paths) }

// File is one input file.
type File struct {
	Name string
	Data []byte
}

// expand reads files and the .json files of directories, sorted.
func expand(paths []string) ([]File, error) {
	var out []File
	for _, p := range paths {
		st, err := os.Stat(p)
		if err != nil {
			return nil, inputErr(p, "cannot read it: %v", errors.Unwrap(err))
		}
		if !st.IsDir() {
			data, err := LoadFile(p)
			if err != nil {
				return nil, err
			}
			out = append(out, File{Name: p, Data: data})
			continue
		}
		entries, err := os.ReadDir(p)
		if err != nil {
			return nil, inputErr(p, "cannot read the directory: %v", err)
		}
		n := 0
		for _, e := range entries {
			if e.IsDir() || !strings.HasSuffix(strings.ToLower(e.Name()), ".json") {
				continue
			}
			data, err := LoadFile(filepath.Join(p, e.Name()))
			if err != nil {
				return nil, err
			}
			out = append(out, File{Name: filepath.Join(p, e.Name()), Data: data})
			n++
		}
		if n == 0 {
			return nil, inputErr(p, "the directory holds no .json files; save each AWS CLI command's output there (aws ec2 describe-vpcs > vpcs.json, ...)")
		}
	}
	return out, nil
}

// Recognise says whether path is something Import reads (a Terraform
// file, AWS CLI output, or a directory of it) rather than a world file.
func Recognise(path string) bool {
	st, err := os.Stat(path)
	if err != nil {
		return false
	}
	if st.IsDir() {
		return true
	}
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	head := make([]byte, 1)
	for {
		n, err := f.Read(head)
		if n == 0 || err != nil {
			return false
		}
		switch head[0] {
		case ' ', '\t', '\r', '\n':
			continue
		case '{':
			data, err := LoadFile(path)
			return err == nil && Detect(data) != ""
		}
		return false
	}
}
