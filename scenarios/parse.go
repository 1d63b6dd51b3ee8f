package scenarios

import (
	"bytes"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"
	"github.com/pathlab/pathlab/simnet"
)

// ErrInvalid is wrapped by every error about a bad scenario file; test it
// with errors.Is.
var ErrInvalid = errors.New("invalid scenario")

// MaxFileSize bounds a scenario file.
const MaxFileSize = 1 << 20

// maxExpandedNodes bounds what YAML aliases may expand to.
const maxExpandedNodes = 50_000

// Error is a bad scenario file: every problem found, in file order. Each
// problem reads file:line:col: message, as simnet's errors do.
type Error struct {
	File     string
	Problems []simnet.Problem
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

func fileError(name string, line int, msg string) *Error {
	return &Error{File: name, Problems: []simnet.Problem{{File: name, Line: line, Col: 1, Msg: msg}}}
}

// parseYAML turns data into an AST, refusing what cannot be a scenario:
// empty input, binary garbage, several documents, alias bombs.
func parseYAML(name string, data []byte) (*ast.File, error) {
	if len(data) > MaxFileSize {
		return nil, fileError(name, 1, fmt.Sprintf("the file is larger than %d KiB; a scenario is a few kilobytes of YAML", MaxFileSize>>10))
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, fileError(name, 1, "the file is empty; a scenario needs at least an id, a title, a world and a ticket (see the README)")
	}
	if i := bytes.IndexFunc(data, func(r rune) bool {
		return r == 0 || r == 0xFFFD || (r < 0x20 && r != '\n' && r != '\r' && r != '\t')
	}); i >= 0 {
		return nil, fileError(name, 1+bytes.Count(data[:i], []byte("\n")), "the file is not text (it holds control bytes); is this a scenario file?")
	}
	file, err := safeParse(data)
	if err != nil {
		return nil, yamlError(name, err)
	}
	if len(file.Docs) != 1 || file.Docs[0] == nil || file.Docs[0].Body == nil {
		if len(file.Docs) > 1 {
			return nil, fileError(name, 1, "the file holds several YAML documents; a scenario file holds one")
		}
		return nil, fileError(name, 1, "the file holds no YAML mapping; a scenario starts with 'id: ...'")
	}
	if _, ok := file.Docs[0].Body.(*ast.MappingNode); !ok {
		if _, ok := file.Docs[0].Body.(*ast.MappingValueNode); !ok {
			tok := file.Docs[0].Body.GetToken()
			line := 1
			if tok != nil && tok.Position != nil {
				line = tok.Position.Line
			}
			return nil, fileError(name, line, "the scenario must be a YAML mapping (keys such as id:, title:, world:)")
		}
	}
	if n, where := expandedSize(file.Docs[0].Body); n > maxExpandedNodes {
		line := 1
		if where != nil && where.GetToken() != nil && where.GetToken().Position != nil {
			line = where.GetToken().Position.Line
		}
		return nil, fileError(name, line, "YAML aliases expand to too many nodes; write the scenario out without alias tricks")
	}
	return file, nil
}

func safeParse(data []byte) (f *ast.File, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("the YAML could not be parsed: %v", r)
		}
	}()
	return parser.ParseBytes(data, 0)
}

func decodeYAML(file *ast.File, v any) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("the YAML could not be decoded: %v", r)
		}
	}()
	return yaml.NodeToValue(file.Docs[0].Body, v, yaml.Strict())
}

// expandedSize counts the nodes the document expands to when every alias
// is replaced by its anchor's value, stopping early past the limit.
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
				if total += size(v); total > maxExpandedNodes {
					break
				}
			}
		case *ast.MappingValueNode:
			total += size(n.Key) + size(n.Value)
		case *ast.SequenceNode:
			for _, v := range n.Values {
				if total += size(v); total > maxExpandedNodes {
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
		return min(total, maxExpandedNodes+1)
	}
	return size(root), worst
}

func yamlError(name string, err error) error {
	var ye yaml.Error
	if errors.As(err, &ye) {
		p := simnet.Problem{File: name, Msg: friendlyYAML(ye.GetMessage())}
		if tok := ye.GetToken(); tok != nil && tok.Position != nil {
			p.Line, p.Col = tok.Position.Line, tok.Position.Column
		}
		return &Error{File: name, Problems: []simnet.Problem{p}}
	}
	return &Error{File: name, Problems: []simnet.Problem{{File: name, Line: 1, Col: 1, Msg: err.Error()}}}
}

func friendlyYAML(msg string) string {
	switch {
	case strings.HasPrefix(msg, "unknown field"):
		return msg + "; check the spelling against the scenario format in the README"
	case strings.Contains(msg, "cannot unmarshal"):
		return msg + " (wrong kind of value)"
	}
	return msg
}

// positioned attaches line and column to problems from their YAML paths.
func positioned(name string, file *ast.File, problems []simnet.Problem) error {
	for i := range problems {
		p := &problems[i]
		p.File = name
		if p.Path == "$" {
			// About the file as a whole.
			p.Line, p.Col = 1, 1
			continue
		}
		if p.Path == "" || file == nil {
			continue
		}
		for path := p.Path; path != ""; path = parentPath(path) {
			yp, err := yaml.PathString(path)
			if err != nil {
				continue
			}
			node, err := yp.FilterFile(file)
			if err != nil || node == nil {
				continue
			}
			if tok := node.GetToken(); tok != nil && tok.Position != nil {
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
