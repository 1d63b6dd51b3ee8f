package scenarios

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"sort"
	"strings"
	"sync"
)

//go:embed library/*.yaml
var libraryFS embed.FS

var (
	libOnce sync.Once
	libList []*Scenario
	libErr  error
)

// Library returns the scenarios embedded in the binary, sorted by
// difficulty then id. A bad library file is an error naming it (the
// library's own tests keep that from shipping).
func Library() ([]*Scenario, error) {
	libOnce.Do(func() {
		entries, err := fs.ReadDir(libraryFS, "library")
		if err != nil {
			libErr = err
			return
		}
		var errs []error
		seen := map[string]string{}
		for _, e := range entries {
			b, err := libraryFS.ReadFile("library/" + e.Name())
			if err != nil {
				errs = append(errs, err)
				continue
			}
			sc, err := Parse("library:"+e.Name(), b, DefaultWorlds)
			if err != nil {
				errs = append(errs, err)
				continue
			}
			dup := false
			for _, id := range append([]string{sc.ID}, sc.Aliases...) {
				if prev, ok := seen[id]; ok {
					errs = append(errs, fmt.Errorf("library:%s: id %q is used by %s too", e.Name(), id, prev))
					dup = true
				}
			}
			if dup {
				continue
			}
			for _, id := range append([]string{sc.ID}, sc.Aliases...) {
				seen[id] = e.Name()
			}
			libList = append(libList, sc)
		}
		sort.SliceStable(libList, func(i, j int) bool {
			di, dj := slices.Index(Difficulties, libList[i].Difficulty), slices.Index(Difficulties, libList[j].Difficulty)
			if di != dj {
				return di < dj
			}
			return libList[i].ID < libList[j].ID
		})
		libErr = errors.Join(errs...)
	})
	return libList, libErr
}

// ErrNotFound is wrapped when no scenario has an id.
var ErrNotFound = errors.New("no such scenario")

// Lookup finds a library scenario by id.
func Lookup(id string) (*Scenario, error) {
	lib, err := Library()
	if err != nil {
		return nil, err
	}
	for _, sc := range lib {
		if sc.ID == id || slices.Contains(sc.Aliases, id) {
			return sc, nil
		}
	}
	var near []string
	for _, sc := range lib {
		if strings.Contains(sc.ID, id) || strings.Contains(id, sc.ID) {
			near = append(near, sc.ID)
		}
	}
	msg := "'pathlab scenarios list' shows them"
	if len(near) > 0 {
		msg = "did you mean " + strings.Join(near, ", ") + "?"
	}
	return nil, fmt.Errorf("%w %q; %s", ErrNotFound, id, msg)
}

// CanonicalID is the current id of a library scenario named by id or by
// an alias (an earlier id); any other id is returned as it is. Progress
// recorded under an old id counts for the scenario it names.
func CanonicalID(id string) string {
	if sc, err := Lookup(id); err == nil {
		return sc.ID
	}
	return id
}
