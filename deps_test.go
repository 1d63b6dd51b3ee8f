package pathlab_test

import (
	"bufio"
	"bytes"
	"fmt"
	"os/exec"
	"strings"
	"testing"
)

const module = "github.com/pathlab/pathlab/"

// layers orders the project's packages as ARCHITECTURE.md draws them: a
// package imports ours only from a lower layer, or from its own family
// (simnet's sub-packages from simnet's, scenarios' from scenarios').
// simnet and tracer/probe share a layer, so neither imports the other.
var layers = []struct {
	layer  int
	prefix string // a package path, or a path ending in / for a tree
}{
	{0, "tracer"}, {0, "tracer/tracertest"},
	{1, "simnet/spec"},
	{2, "simnet"}, {2, "simnet/"}, {2, "tracer/probe"}, {2, "tracer/probe/"},
	{3, "story"}, {3, "graph"}, {3, "diff"}, {3, "reach"}, {3, "importer"}, {3, "importer/"}, {3, "lab"}, {3, "lab/"},
	{4, "scenarios"}, {4, "scenarios/"},
	{5, "cmd/"},
}

// rawNet are imports that open raw sockets or speak netlink: they stay in
// tracer/probe and lab.
var rawNet = []string{"golang.org/x/sys/unix", "golang.org/x/net/icmp", "github.com/vishvananda/", "github.com/google/nftables", "github.com/gopacket/gopacket/pcap", "github.com/gopacket/gopacket/afpacket"}

func layerOf(pkg string) (int, string, bool) {
	best, fam, ok, matched := 0, "", false, -1
	for _, l := range layers {
		exact := pkg == l.prefix
		if !exact && !(strings.HasSuffix(l.prefix, "/") && strings.HasPrefix(pkg, l.prefix)) {
			continue
		}
		length := len(l.prefix)
		if exact {
			length = 1 << 20 // an exact entry wins over any tree
		}
		if length > matched {
			best, fam, ok, matched = l.layer, strings.TrimSuffix(l.prefix, "/"), true, length
		}
	}
	// simnet/spec is its own family: it imports nothing of ours but tracer.
	if pkg == "simnet/spec" {
		fam = "simnet/spec"
	}
	return best, fam, ok
}

// TestImportDirection enforces the direction of imports between the
// project's packages (tailscale's deptest does the same). Every direct
// import is checked, so the transitive ones point down too.
func TestImportDirection(t *testing.T) {
	out, err := exec.Command("go", "list", "-f", "{{.ImportPath}} {{join .Imports \" \"}}", "./...").Output()
	if err != nil {
		t.Skipf("go list: %v", err)
	}
	n := 0
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) == 0 || !strings.HasPrefix(f[0], module) {
			continue
		}
		pkg := strings.TrimPrefix(f[0], module)
		from, fam, ok := layerOf(pkg)
		if !ok {
			t.Errorf("package %s has no place in ARCHITECTURE.md's layers: add it to deps_test.go", pkg)
			continue
		}
		n++
		for _, v := range violations(pkg, from, fam, f[1:]) {
			t.Error(v)
		}
	}
	if n < 5 {
		t.Fatalf("checked only %d packages; go list printed:\n%s", n, out)
	}
}

func TestLayerOf(t *testing.T) {
	tests := []struct {
		pkg   string
		layer int
		fam   string
	}{
		{"tracer", 0, "tracer"},
		{"simnet", 2, "simnet"},
		{"simnet/dns", 2, "simnet"},
		{"simnet/spec", 1, "simnet/spec"},
		{"tracer/probe/probelab", 2, "tracer/probe"},
		{"scenarios/play", 4, "scenarios"},
		{"cmd/pathlab", 5, "cmd"},
	}
	for _, tt := range tests {
		if l, fam, ok := layerOf(tt.pkg); !ok || l != tt.layer || fam != tt.fam {
			t.Errorf("layerOf(%q) = %d, %q, %v; want %d, %q", tt.pkg, l, fam, ok, tt.layer, tt.fam)
		}
	}
}

// violations lists what is wrong with pkg (at layer from, in family fam)
// importing imports.
func violations(pkg string, from int, fam string, imports []string) []string {
	var out []string
	for _, imp := range imports {
		for _, raw := range rawNet {
			if (imp == raw || strings.HasPrefix(imp, strings.TrimSuffix(raw, "/")+"/")) && !strings.HasPrefix(pkg, "tracer/probe") && pkg != "lab" && !strings.HasPrefix(pkg, "lab/") {
				out = append(out, pkg+" imports "+imp+": raw-socket and netlink code stays in tracer/probe and lab")
			}
		}
		if !strings.HasPrefix(imp, module) {
			continue
		}
		dep := strings.TrimPrefix(imp, module)
		to, depFam, _ := layerOf(dep)
		sameFamily := fam == depFam || (strings.HasPrefix(dep, fam+"/") && fam != "simnet/spec")
		switch {
		case pkg == "simnet/spec" && dep != "tracer":
			out = append(out, "simnet/spec imports "+dep+": it imports nothing of ours but tracer")
		case to >= from && !sameFamily:
			out = append(out, fmt.Sprintf("%s (layer %d) imports %s (layer %d): imports point down the layers of ARCHITECTURE.md", pkg, from, dep, to))
		}
	}
	return out
}

// TestViolations: the rules catch what they are for.
func TestViolations(t *testing.T) {
	tests := []struct {
		pkg     string
		imports []string
		bad     bool
	}{
		{"simnet", []string{module + "tracer", "github.com/gopacket/gopacket/pcapgo"}, false},
		{"simnet", []string{module + "tracer/probe"}, true},
		{"tracer/probe", []string{module + "simnet"}, true},
		{"tracer", []string{module + "simnet"}, true},
		{"simnet/spec", []string{module + "simnet"}, true},
		{"simnet", []string{module + "simnet/spec", module + "simnet/dns"}, false},
		{"simnet", []string{module + "scenarios"}, true},
		{"scenarios/play", []string{module + "scenarios", module + "simnet", module + "tracer"}, false},
		{"simnet", []string{"golang.org/x/sys/unix"}, true},
		{"scenarios", []string{"github.com/vishvananda/netlink"}, true},
		{"lab", []string{"github.com/vishvananda/netlink", module + "simnet"}, false},
		{"cmd/pathlab", []string{module + "scenarios/play", module + "lab"}, false},
	}
	for _, tt := range tests {
		from, fam, _ := layerOf(tt.pkg)
		if got := violations(tt.pkg, from, fam, tt.imports); (len(got) > 0) != tt.bad {
			t.Errorf("violations(%s, %v) = %q; want bad=%v", tt.pkg, tt.imports, got, tt.bad)
		}
	}
}
