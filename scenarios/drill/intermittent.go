package drill

import (
	"fmt"

	"github.com/pathlab/pathlab/scenarios"
	"github.com/pathlab/pathlab/scenarios/debrief"
	"github.com/pathlab/pathlab/tracer"
)

// intermittentInvestigation is the investigation of a request that works
// only some of the time: a network ACL denies part of the client's
// ephemeral range (NACL_EPHEMERAL_PARTIAL), so the connections that draw
// such a port hang. Repeating the request shows it; the ACL confirms it.
func intermittentInvestigation(flaky tracer.Hop, st *scenarios.Setup) ([]debrief.Step, []tracer.Code) {
	var steps []debrief.Step
	add := func(kind, cmd, why string) { steps = append(steps, debrief.Step{Kind: kind, Command: cmd, Why: why}) }
	t := st.Target
	cmd := "curl -v " + t.String()
	if t.Scheme == "tcp" {
		cmd = fmt.Sprintf("nc -zv %s %d", t.Host, t.Port)
	}
	add("observe", cmd, "it works this time: the failure is intermittent, so something depends on the connection, such as its ephemeral source port")
	add("inspect", "show nacl "+flaky.Component, fmt.Sprintf("which rules judge the reply for the client's ephemeral range: %s", flaky.Detail))
	for _, f := range st.Fix {
		add("fix", f.String(), "then check: the whole ephemeral range allowed, and the request delivered every time")
	}
	return steps, []tracer.Code{tracer.NACLEphemeralPartial}
}
