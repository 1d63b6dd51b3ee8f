package play

import "context"

// FinalCheck runs check as the session ends (a drill's time-up): its
// verdict is the session's outcome. It is not one of the learner's
// commands, so it costs nothing.
func (s *Shell) FinalCheck(ctx context.Context) {
	s.printf("\nThe final check:\n")
	_ = s.check(ctx, nil)
}
