package play

import (
	"strings"
)

// knownComponent reports whether an answer names something of the world:
// a resource, a cause of the scenario, or a component the broken request
// meets. A typo is no wrong answer: it names nothing, and costs nothing.
func (s *Shell) knownComponent(name string) bool {
	name = strings.TrimSuffix(strings.TrimSpace(name), ".")
	bare := name
	for _, p := range []string{"private:", "public:"} {
		bare = strings.TrimPrefix(bare, p)
	}
	for _, n := range []string{name, bare} {
		if s.world.Kind(n) != "" || s.setup.World != nil && s.setup.World.Kind(n) != "" {
			return true
		}
	}
	same := func(c string) bool {
		c = strings.TrimSuffix(c, ".")
		return strings.EqualFold(c, name) || strings.EqualFold(c, bare)
	}
	for _, c := range s.setup.Causes {
		if same(c) {
			return true
		}
	}
	for _, a := range s.setup.Applied {
		for _, c := range a.Components {
			if same(c) {
				return true
			}
		}
	}
	if s.broken != nil {
		for _, st := range s.broken.Stages {
			for _, h := range st.Hops {
				if same(h.Component) {
					return true
				}
			}
		}
	}
	for _, n := range s.world.Names("") {
		if strings.EqualFold(n, name) || strings.EqualFold(n, bare) {
			return true
		}
	}
	return false
}
