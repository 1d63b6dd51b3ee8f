package lab

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// State is what a lab leaves on disk so that status, exec, verify and down
// find it, even after the process that built it was killed.
type State struct {
	Name   string `json:"name"`
	Prefix string `json:"prefix"`
	Dir    string `json:"dir"`
	// Source is what the lab was built from (a world or scenario).
	Source string `json:"source"`
	World  string `json:"world"`
	// Phase is "building" until Up finished, then "up".
	Phase   string    `json:"phase"`
	Started time.Time `json:"started"`
	// Offset is added to the world's clock to give the lab's real time:
	// certificates are issued shifted by it, so that they are as valid now
	// as the world's clock says.
	Offset time.Duration `json:"offset"`
	// Servers are the lab's server processes: node name to PID.
	Servers map[string]int `json:"servers"`
	// CA is the file of the lab's certificate authority, to trust.
	CA string `json:"ca"`
}

// RuntimeDir is where labs keep their state: $XDG_RUNTIME_DIR/pathlab, or
// /run/pathlab.
func RuntimeDir() string {
	if d := os.Getenv("XDG_RUNTIME_DIR"); d != "" {
		return filepath.Join(d, "pathlab")
	}
	return "/run/pathlab"
}

func statePath(name string) string { return filepath.Join(RuntimeDir(), "lab-"+name+".json") }
func labDir(name string) string    { return filepath.Join(RuntimeDir(), "lab-"+name) }

// ErrNoLab is wrapped when no lab of a name is up.
var ErrNoLab = errors.New("no such lab")

// Load reads the state of the named lab.
func Load(name string) (*State, error) {
	b, err := os.ReadFile(statePath(name))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%w: no lab named %q is up (pathlab lab status lists them; pathlab lab up builds one)", ErrNoLab, name)
	}
	if err != nil {
		return nil, err
	}
	var st State
	if err := json.Unmarshal(b, &st); err != nil {
		return nil, fmt.Errorf("lab %s: state file %s is corrupt (%v); pathlab lab down --name %s removes the lab anyway", name, statePath(name), err, name)
	}
	return &st, nil
}

func (st *State) save() error {
	if err := os.MkdirAll(filepath.Dir(statePath(st.Name)), 0o755); err != nil {
		return err
	}
	b, err := json.MarshalIndent(st, "", "  ")
	if err != nil {
		return err
	}
	tmp := statePath(st.Name) + ".tmp"
	if err := os.WriteFile(tmp, b, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, statePath(st.Name))
}

// Labs lists the labs with a state file or namespaces, sorted.
func Labs() []string {
	seen := map[string]bool{}
	entries, _ := os.ReadDir(RuntimeDir())
	for _, e := range entries {
		n := e.Name()
		if strings.HasPrefix(n, "lab-") && strings.HasSuffix(n, ".json") {
			seen[strings.TrimSuffix(strings.TrimPrefix(n, "lab-"), ".json")] = true
		}
	}
	nss, _ := os.ReadDir(netnsDir)
	for _, e := range nss {
		n := e.Name()
		if strings.HasPrefix(n, "pl-") {
			if i := strings.IndexByte(n, '.'); i > 3 {
				seen[n[3:i]] = true
			}
		}
	}
	var out []string
	for n := range seen {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}
