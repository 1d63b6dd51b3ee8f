package spec

import (
	"bytes"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"
)

// YAMLDoc reads one kind of YAML file (a world, a scenario) strictly, with
// problems that name the file, line and column. Its fields word the
// messages for that kind of file.
type YAMLDoc struct {
	What       string // "world", "scenario"
	Start      string // how such a file starts: "'name:'"
	EmptyHint  string // what a file needs at least
	NotMapping string // the message for a document that is not a mapping
	Format     string // where the format is described, for unknown fields
	MaxSize    int    // bytes
	MaxNodes   int    // what aliases may expand to
	SizeHint   string // how to raise MaxSize, if one can
}

// tooLarge is the message for a file over MaxSize.
func (d YAMLDoc) tooLarge() string {
	size := fmt.Sprintf("%d MiB", d.MaxSize>>20)
	if d.MaxSize < 1<<20 {
		size = fmt.Sprintf("%d KiB", d.MaxSize>>10)
	}
	if d.SizeHint != "" {
		return fmt.Sprintf("the file is larger than %s, the limit for a %s file; %s", size, d.What, d.SizeHint)
	}
	return fmt.Sprintf("the file is larger than %s; a %s file is a few kilobytes of YAML", size, d.What)
}

// WorldDoc reads world files.
var WorldDoc = YAMLDoc{
	What:       "world",
	Start:      "'name:'",
	EmptyHint:  "a world needs at least a name (see WORLD-FORMAT.md)",
	NotMapping: "a world file is a YAML mapping starting with 'name:'; this is not a mapping",
	Format:     "WORLD-FORMAT.md",
	MaxSize:    MaxFileSize,
	MaxNodes:   maxExpandedNodes,
	SizeHint:   "raise it with --max-world-size MIB",
}

func (d YAMLDoc) problem(name string, line, col int, msg string) []Problem {
	return []Problem{{File: name, Line: line, Col: col, Msg: msg}}
}

// Parse turns data into an AST, refusing what cannot be such a file: too
// large, empty, binary garbage, several documents, not a mapping, alias
// bombs. It never panics.
func (d YAMLDoc) Parse(name string, data []byte) (*ast.File, []Problem) {
	// A UTF-8 byte order mark, as some Windows editors write, is allowed
	// (YAML 1.2, 5.2).
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	if len(data) > d.MaxSize {
		return nil, d.problem(name, 1, 1, d.tooLarge())
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, d.problem(name, 1, 1, "the file is empty; "+d.EmptyHint)
	}
	if i := bytes.IndexFunc(data, func(r rune) bool { return r == 0 || r == 0xFFFD || (r < 0x20 && r != '\n' && r != '\r' && r != '\t') }); i >= 0 {
		return nil, d.problem(name, 1+bytes.Count(data[:i], []byte("\n")), 1, fmt.Sprintf("the file is not text (it holds control bytes); is this a %s file?", d.What))
	}
	lim, spans := scan(data)
	if lim != nil {
		return nil, d.problem(name, lim.Line, lim.Col, lim.Msg)
	}
	file, err := safeParse(data)
	if err != nil {
		problems := d.yamlProblems(name, err)
		if len(problems) == 1 {
			problems[0] = unclosedQuote(problems[0], spans)
		}
		return nil, problems
	}
	// A %YAML or %TAG directive comes as a document of its own.
	file.Docs = slices.DeleteFunc(file.Docs, func(d *ast.DocumentNode) bool {
		_, directive := d.Body.(*ast.DirectiveNode)
		return directive
	})
	if len(file.Docs) != 1 || file.Docs[0] == nil || file.Docs[0].Body == nil {
		if len(file.Docs) > 1 {
			return nil, d.problem(name, 1, 1, fmt.Sprintf("the file holds several YAML documents; put one %s in a file", d.What))
		}
		return nil, d.problem(name, 1, 1, fmt.Sprintf("the file holds no YAML mapping; a %s starts with %s", d.What, d.Start))
	}
	body := file.Docs[0].Body
	if _, ok := body.(*ast.MappingNode); !ok {
		if _, ok := body.(*ast.MappingValueNode); !ok {
			line, col := position(body)
			return nil, d.problem(name, line, col, d.NotMapping)
		}
	}
	if n, at := expandedSize(body, d.MaxNodes); n > d.MaxNodes {
		line, col := position(at)
		return nil, d.problem(name, line, col, fmt.Sprintf("aliases expand to more than %d nodes (an alias bomb?); write the values out", d.MaxNodes))
	}
	return file, nil
}

// Decode decodes the document into v strictly: an unknown field is a
// problem.
func (d YAMLDoc) Decode(name string, file *ast.File, v any) []Problem {
	if problems := d.check(name, file.Docs[0].Body, v); len(problems) > 0 {
		return problems
	}
	if err := decodeYAML(file, v); err != nil {
		return d.yamlProblems(name, err)
	}
	return nil
}

func position(n ast.Node) (line, col int) {
	if n == nil {
		return 1, 1
	}
	if tok := n.GetToken(); tok != nil && tok.Position != nil {
		return tok.Position.Line, tok.Position.Column
	}
	return 1, 1
}

func safeParse(data []byte) (f *ast.File, err error) {
	defer func() {
		// Bad input never crashes the program, even if the parser would.
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

// expandedSize counts the nodes that aliases add to the document when
// each is replaced by its anchor's value (billion laughs), stopping early
// past limit. Nodes written out count nothing: a large file with no
// aliases expands to nothing more than itself, and is bounded by its
// size. It returns the collection where the limit was passed.
func expandedSize(root ast.Node, limit int) (int, ast.Node) {
	anchors := map[string]int{}
	expanded := 0
	var worst ast.Node
	var size func(n ast.Node) int
	// size is the number of nodes n stands for, aliases expanded (capped
	// past limit).
	size = func(n ast.Node) int {
		if n == nil || expanded > limit {
			return 0
		}
		total := 1
		switch n := n.(type) {
		case *ast.MappingNode:
			for _, v := range n.Values {
				if total += size(v); expanded > limit {
					break
				}
			}
		case *ast.MappingValueNode:
			total += size(n.Key) + size(n.Value)
		case *ast.SequenceNode:
			for _, v := range n.Values {
				if total += size(v); expanded > limit {
					break
				}
			}
		case *ast.AnchorNode:
			s := size(n.Value)
			anchors[n.Name.String()] = s
			total += s
		case *ast.AliasNode:
			s := anchors[n.Value.String()]
			total += s
			expanded += s
			return min(total, limit+1)
		case *ast.TagNode:
			total += size(n.Value)
		case *ast.MappingKeyNode:
			total += size(n.Value)
		}
		if expanded > limit && worst == nil {
			worst = n
		}
		return min(total, limit+1)
	}
	size(root)
	return expanded, worst
}

// yamlProblems turns a goccy/go-yaml error into a problem with its position.
func (d YAMLDoc) yamlProblems(name string, err error) []Problem {
	var ye yaml.Error
	if errors.As(err, &ye) {
		p := Problem{File: name, Msg: d.friendly(ye.GetMessage())}
		if tok := ye.GetToken(); tok != nil && tok.Position != nil {
			p.Line, p.Col = tok.Position.Line, tok.Position.Column
		}
		return []Problem{p}
	}
	return d.problem(name, 1, 1, err.Error())
}

// friendly words what the parser says for users. The shape check catches
// wrong kinds of values before decoding, so a decoder message that names Go
// types is a gap in it: it is replaced by a plain one, never shown.
func (d YAMLDoc) friendly(msg string) string {
	switch {
	case strings.HasPrefix(msg, "found character '\t'"), strings.Contains(msg, "'\t'"):
		return "a tab indents this line; YAML indents with spaces only"
	case duplicateKey().MatchString(msg):
		m := duplicateKey().FindStringSubmatch(msg)
		return fmt.Sprintf("key %q is given twice (first at %s:%s); keep one", m[1], m[2], m[3])
	case msg == "mapping value is not allowed in this context":
		return "a key: value here does not fit; is this line (or the one above) indented wrong, or a ': ' inside a value that needs quotes?"
	case strings.HasPrefix(msg, "could not find end character of double-quoted text"):
		return `a double-quoted value is never closed; add the closing "`
	case strings.HasPrefix(msg, "could not find end character of single-quoted text"):
		return "a single-quoted value is never closed; add the closing '"
	case strings.HasPrefix(msg, "unknown field"):
		return printable(msg) + "; check the spelling against " + d.Format
	case strings.Contains(msg, "cannot unmarshal"), strings.Contains(msg, "Go struct"), strings.Contains(msg, "Go value"),
		strings.Contains(msg, "overflow"), strings.Contains(msg, "reflect"):
		return "this value is the wrong kind for its key (a number, a text, a list or a mapping); see " + d.Format
	}
	return printable(msg)
}

// Locate attaches line and column to problems from their YAML paths (a
// missing field points at its parent; "$" is the file as a whole), names
// the file, and sorts them in file order.
func Locate(name string, file *ast.File, problems []Problem) {
	for i := range problems {
		p := &problems[i]
		p.File = name
		if p.Path == "$" {
			if p.Line == 0 {
				p.Line, p.Col = 1, 1
			}
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
			p.Line, p.Col = position(node)
			break
		}
	}
	sort.SliceStable(problems, func(i, j int) bool {
		if problems[i].Line != problems[j].Line {
			return problems[i].Line < problems[j].Line
		}
		return problems[i].Col < problems[j].Col
	})
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

var duplicateKey = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^mapping key "(.*)" already defined at \[(\d+):(\d+)\]`)
})

// unclosedQuote moves a syntax error to the quote that caused it: a quoted
// value that ran over several lines and closed just before the error (or
// never) is most likely missing its closing quote, and the parser only
// notices where the next quote closes it.
func unclosedQuote(p Problem, spans []quoteSpan) Problem {
	for i := len(spans) - 1; i >= 0; i-- {
		sp := spans[i]
		if sp.line >= p.Line {
			continue
		}
		if sp.endLine == 0 || (sp.endLine <= p.Line && sp.endLine >= p.Line-1) {
			p.Msg = fmt.Sprintf("the quoted value that starts here runs on to line %d: is its closing quote missing? (the YAML breaks at %d:%d: %s)", max(sp.endLine, p.Line), p.Line, p.Col, p.Msg)
			p.Line, p.Col = sp.line, sp.col
			return p
		}
	}
	return p
}
