package graph

import (
	"bytes"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/pathlab/pathlab/simnet"
	"github.com/pathlab/pathlab/simnet/simtest"
	"github.com/pathlab/pathlab/tracer"
)

// graphCases are kept as golden files under testdata/graph (go test
// ./graph -update rewrites them).
var graphCases = []struct {
	name, world, from, target string
	wantBreakOn               string // the node id the break is marked on; "" when none
}{
	{"builtin", "", "", "", ""},
	{"builtin-headline", "", "", "https://shop.example.com/", ""},
	{"app-sg-admits-nothing", "issue3-app-sg-admits-nothing.yaml", "", "https://shop.example.com/", "n_web_lb"},
	{"sg-drops-syn", "issue3-sg-drops-syn.yaml", "", "https://shop.example.com/", "n_web_lb"},
	{"acl-no-ephemeral", "issue3-acl-no-ephemeral.yaml", "app-1", "tcp://db.internal.shop:5432", "n_db_1"},
}

func graphOf(t *testing.T, w *simnet.World, from, target, format string) string {
	t.Helper()
	var r *tracer.Report
	if target != "" {
		r = simtest.Trace(t, w, from, target)
	}
	out, err := Graph(w, format, r)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestGraphGolden(t *testing.T) {
	for _, tt := range graphCases {
		for _, format := range []string{GraphMermaid, GraphDot} {
			t.Run(tt.name+"/"+format, func(t *testing.T) {
				w := simtest.World(t, tt.world)
				out := graphOf(t, w, tt.from, tt.target, format)
				ext := map[string]string{GraphMermaid: ".mmd", GraphDot: ".dot"}[format]
				simtest.Golden(t, filepath.Join("testdata", "graph", tt.name+ext), []byte(out))
			})
		}
	}
}

var (
	mmPathEdge = regexp.MustCompile(`(?m)^  (\S+) ==>\|"(\d+)"\| (\S+)$`)
	mmBreak    = regexp.MustCompile(`(?m)^  (brk_\S+) -\.- (\S+)$`)
)

// TestGraphPath: the path is numbered from 1 without gaps, each edge
// leaving where the one before arrived (or from the client again after
// DNS); the break is marked on the node that stopped the request.
func TestGraphPath(t *testing.T) {
	for _, tt := range graphCases {
		if tt.target == "" {
			continue
		}
		t.Run(tt.name, func(t *testing.T) {
			w := simtest.World(t, tt.world)
			out := graphOf(t, w, tt.from, tt.target, GraphMermaid)
			edges := mmPathEdge.FindAllStringSubmatch(out, -1)
			if len(edges) == 0 {
				t.Fatal("no path drawn")
			}
			for i, e := range edges {
				if n, _ := strconv.Atoi(e[2]); n != i+1 {
					t.Errorf("path edge %d is numbered %s", i+1, e[2])
				}
				if i > 0 && e[1] != edges[i-1][3] && e[1] != edges[0][1] {
					t.Errorf("edge %s → %s does not continue from %s", e[1], e[3], edges[i-1][3])
				}
			}
			brk := mmBreak.FindStringSubmatch(out)
			switch {
			case tt.wantBreakOn == "" && brk != nil:
				t.Errorf("a delivered request has a break marked on %s", brk[2])
			case tt.wantBreakOn != "" && (brk == nil || brk[2] != tt.wantBreakOn):
				t.Errorf("break marked %v; want it on %s", brk, tt.wantBreakOn)
			case tt.wantBreakOn != "" && edges[len(edges)-1][3] != tt.wantBreakOn:
				t.Errorf("the path goes on to %s past the break at %s", edges[len(edges)-1][3], tt.wantBreakOn)
			}
		})
	}
}

// TestGraphDotParses runs Graphviz over every dot graph, when installed.
func TestGraphDotParses(t *testing.T) {
	bin, err := exec.LookPath("dot")
	if err != nil {
		t.Skip("Graphviz (dot) is not installed")
	}
	for _, tt := range graphCases {
		t.Run(tt.name, func(t *testing.T) {
			w := simtest.World(t, tt.world)
			out := graphOf(t, w, tt.from, tt.target, GraphDot)
			cmd := exec.Command(bin, "-Tsvg")
			cmd.Stdin = strings.NewReader(out)
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			if err := cmd.Run(); err != nil || stderr.Len() > 0 {
				t.Fatalf("dot -Tsvg: %v\n%s", err, stderr.String())
			}
			if !bytes.Contains(stdout.Bytes(), []byte("<svg")) {
				t.Error("dot rendered no SVG")
			}
		})
	}
}

func TestGraphBadFormat(t *testing.T) {
	w := simtest.World(t, "")
	if _, err := Graph(w, "png", nil); err == nil || !strings.Contains(err.Error(), "mermaid") {
		t.Errorf("Graph(png) = %v; want an error naming the formats", err)
	}
}
