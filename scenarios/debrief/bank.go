package debrief

// AllFollowUps returns every follow-up question of the bank with its model
// answer, concept by concept: what a test holds against the shell's
// commands.
func AllFollowUps() []FollowUp {
	var out []FollowUp
	for _, c := range fuBank {
		for _, q := range c.questions {
			out = append(out, FollowUp{Concept: c.name, Question: q.question, ModelAnswer: q.answer})
		}
	}
	return out
}
