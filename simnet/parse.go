package simnet

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"sort"
	"strings"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"
)

// ErrInvalid is wrapped by every error about a bad world file; test it with
// errors.Is.
var ErrInvalid = errors.New("invalid world")

// MaxFileSize bounds what Parse reads, so that a huge file cannot exhaust
// memory.
const MaxFileSize = 4 << 20

// maxExpandedNodes bounds what aliases may expand to (billion laughs).
const maxExpandedNodes = 200_000

// Problem is one thing wrong with a world file.
type Problem struct {
	File string `json:"file"`
	Line int    `json:"line"` // 0 when unknown
	Col  int    `json:"col"`
	Path string `json:"path,omitempty"` // the YAML path, such as $.vpcs[0].subnets[1].cidr
	Msg  string `json:"message"`
}

func (p Problem) String() string {
	file := p.File
	if file == "" {
		file = "<world>"
	}
	if p.Line > 0 {
		return fmt.Sprintf("%s:%d:%d: %s", file, p.Line, p.Col, p.Msg)
	}
	if p.Path != "" {
		return fmt.Sprintf("%s: %s: %s", file, p.Path, p.Msg)
	}
	return fmt.Sprintf("%s: %s", file, p.Msg)
}

// Error is a bad world file: every problem found, in file order.
type Error struct {
	File     string
	Problems []Problem
}

func (e *Error) Error() string {
	var b strings.Builder
	for i, p := range e.Problems {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(p.String())
	}
	return b.String()
}

// Is makes errors.Is(err, ErrInvalid) true.
func (e *Error) Is(target error) bool { return target == ErrInvalid }

// Load reads, validates and compiles a world file.
func Load(path string) (*World, error) {
	spec, err := LoadSpec(path)
	if err != nil {
		return nil, err
	}
	return Compile(spec)
}

// LoadSpec reads and validates a world file without compiling it.
func LoadSpec(path string) (*WorldSpec, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, &Error{File: path, Problems: []Problem{{File: path, Msg: fmt.Sprintf("cannot read the world file: %v", errors.Unwrap(err))}}}
	}
	defer f.Close()
	var buf bytes.Buffer
	n, err := buf.ReadFrom(ioLimit(f, MaxFileSize+1))
	if err != nil {
		return nil, &Error{File: path, Problems: []Problem{{File: path, Msg: fmt.Sprintf("cannot read the world file: %v", err)}}}
	}
	if n > MaxFileSize {
		return nil, &Error{File: path, Problems: []Problem{{File: path, Line: 1, Col: 1, Msg: fmt.Sprintf("the file is larger than %d MiB; a world file is a few kilobytes of YAML", MaxFileSize>>20)}}}
	}
	return ParseSpec(path, buf.Bytes())
}

// Parse parses, validates and compiles a world from memory; name is used in
// messages.
func Parse(name string, data []byte) (*World, error) {
	spec, err := ParseSpec(name, data)
	if err != nil {
		return nil, err
	}
	return Compile(spec)
}

// ParseSpec parses a world file strictly (unknown fields are errors) and
// validates it as a whole: the error lists every problem, each with its
// line and column.
func ParseSpec(name string, data []byte) (*WorldSpec, error) {
	file, err := parseYAML(name, data)
	if err != nil {
		return nil, err
	}
	var spec WorldSpec
	if err := decodeYAML(file, &spec); err != nil {
		return nil, yamlError(name, err)
	}
	if problems := Validate(&spec); len(problems) > 0 {
		return nil, positioned(name, file, problems)
	}
	return &spec, nil
}

// parseYAML turns data into an AST, refusing what cannot be a world file:
// empty input, binary garbage, several documents, alias bombs.
func parseYAML(name string, data []byte) (*ast.File, error) {
	fail := func(line int, msg string) error {
		return &Error{File: name, Problems: []Problem{{File: name, Line: line, Col: 1, Msg: msg}}}
	}
	if len(data) > MaxFileSize {
		return nil, fail(1, fmt.Sprintf("the file is larger than %d MiB", MaxFileSize>>20))
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, fail(1, "the file is empty; a world needs at least a name (see WORLD-FORMAT.md)")
	}
	if i := bytes.IndexFunc(data, func(r rune) bool { return r == 0 || r == 0xFFFD || (r < 0x20 && r != '\n' && r != '\r' && r != '\t') }); i >= 0 {
		return nil, fail(1+bytes.Count(data[:i], []byte("\n")), "the file is not text (it holds control bytes); is this a world file?")
	}
	file, err := parser.ParseBytes(data, 0)
	if err != nil {
		return nil, yamlError(name, err)
	}
	if len(file.Docs) != 1 || file.Docs[0].Body == nil {
		if len(file.Docs) > 1 {
			return nil, fail(1, "the file holds several YAML documents; put one world in a file")
		}
		return nil, fail(1, "the file holds no YAML mapping; a world starts with 'name:'")
	}
	if _, ok := file.Docs[0].Body.(*ast.MappingNode); !ok {
		if _, ok := file.Docs[0].Body.(*ast.MappingValueNode); !ok {
			tok := file.Docs[0].Body.GetToken()
			return nil, &Error{File: name, Problems: []Problem{{File: name, Line: tok.Position.Line, Col: tok.Position.Column,
				Msg: "a world file is a YAML mapping starting with 'name:'; this is not a mapping"}}}
		}
	}
	if n, at := expandedSize(file.Docs[0].Body); n > maxExpandedNodes {
		tok := at.GetToken()
		return nil, &Error{File: name, Problems: []Problem{{File: name, Line: tok.Position.Line, Col: tok.Position.Column,
			Msg: fmt.Sprintf("aliases expand to more than %d nodes (an alias bomb?); write the values out", maxExpandedNodes)}}}
	}
	return file, nil
}

func decodeYAML(file *ast.File, v any) (err error) {
	defer func() {
		// The decoder should never panic; if it does, the input is bad, and
		// bad input never crashes the program.
		if r := recover(); r != nil {
			err = fmt.Errorf("the YAML could not be decoded: %v", r)
		}
	}()
	return yaml.NodeToValue(file.Docs[0].Body, v, yaml.Strict())
}

// expandedSize counts the nodes the document expands to when every alias is
// replaced by its anchor's value, stopping early past the limit. It returns
// the node where the limit was passed.
func expandedSize(root ast.Node) (int, ast.Node) {
	anchors := map[string]int{}
	var worst ast.Node
	var size func(n ast.Node) int
	size = func(n ast.Node) int {
		if n == nil {
			return 0
		}
		total := 1
		switch n := n.(type) {
		case *ast.MappingNode:
			for _, v := range n.Values {
				total += size(v)
				if total > maxExpandedNodes {
					break
				}
			}
		case *ast.MappingValueNode:
			total += size(n.Key) + size(n.Value)
		case *ast.SequenceNode:
			for _, v := range n.Values {
				total += size(v)
				if total > maxExpandedNodes {
					break
				}
			}
		case *ast.AnchorNode:
			s := size(n.Value)
			anchors[n.Name.String()] = s
			total += s
		case *ast.AliasNode:
			total += anchors[n.Value.String()]
		case *ast.TagNode:
			total += size(n.Value)
		case *ast.MappingKeyNode:
			total += size(n.Value)
		}
		if total > maxExpandedNodes && worst == nil {
			worst = n
		}
		if total > maxExpandedNodes {
			total = maxExpandedNodes + 1
		}
		return total
	}
	return size(root), worst
}

// yamlError turns a goccy/go-yaml error into an Error with its position.
func yamlError(name string, err error) error {
	var ye yaml.Error
	if errors.As(err, &ye) {
		p := Problem{File: name, Msg: friendlyYAML(ye.GetMessage())}
		if tok := ye.GetToken(); tok != nil && tok.Position != nil {
			p.Line, p.Col = tok.Position.Line, tok.Position.Column
		}
		return &Error{File: name, Problems: []Problem{p}}
	}
	return &Error{File: name, Problems: []Problem{{File: name, Line: 1, Col: 1, Msg: err.Error()}}}
}

func friendlyYAML(msg string) string {
	switch {
	case strings.HasPrefix(msg, "unknown field"):
		return msg + "; check the spelling against WORLD-FORMAT.md"
	case strings.Contains(msg, "cannot unmarshal"):
		return msg + " (wrong kind of value)"
	}
	return msg
}

// positioned attaches line and column to problems found by Validate, from
// their YAML paths.
func positioned(name string, file *ast.File, problems []Problem) error {
	for i := range problems {
		p := &problems[i]
		p.File = name
		if p.Path == "" {
			continue
		}
		// Walk up the path until a node exists (a missing field points at
		// its parent).
		for path := p.Path; path != ""; path = parentPath(path) {
			yp, err := yaml.PathString(path)
			if err != nil {
				continue
			}
			node, err := yp.FilterFile(file)
			if err != nil || node == nil {
				continue
			}
			tok := node.GetToken()
			if tok != nil && tok.Position != nil {
				p.Line, p.Col = tok.Position.Line, tok.Position.Column
			}
			break
		}
	}
	sort.SliceStable(problems, func(i, j int) bool {
		if problems[i].Line != problems[j].Line {
			return problems[i].Line < problems[j].Line
		}
		return problems[i].Col < problems[j].Col
	})
	return &Error{File: name, Problems: problems}
}

// parentPath strips the last element of a YAML path: $.a.b[2] -> $.a.b -> $.a -> $.
func parentPath(p string) string {
	if p == "$" {
		return ""
	}
	if strings.HasSuffix(p, "]") {
		if i := strings.LastIndexByte(p, '['); i > 0 {
			return p[:i]
		}
	}
	if i := strings.LastIndexByte(p, '.'); i > 0 {
		return p[:i]
	}
	return "$"
}
