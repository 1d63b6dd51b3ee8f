// Package spec is a world as its file declares it: the spec types
// (WorldSpec and its parts), the strict YAML reading with line:col
// problems, the resolver of the names a spec declares (WorldSpec.Refs),
// and the edits (Edit values with ParseEdit, Apply and String) that faults
// and learners' fixes make to a spec. It imports nothing of pathlab's but
// tracer; simnet compiles a spec into a World.
package spec
