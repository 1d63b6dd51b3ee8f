package play

import (
	"context"
	"time"
)

// FinalCheck runs check as the session ends (a drill's time-up): its
// verdict is the session's outcome. It is not one of the learner's
// commands, so it costs nothing.
func (s *Shell) FinalCheck(ctx context.Context) {
	s.printf("\nThe final check:\n")
	// A right fix that the clients do not see yet only because a
	// resolver keeps the old answer is judged as it will be once the
	// answer expires: the session is over, and the TTL would run out.
	if words, left := s.staleCache(ctx); words != "" {
		s.printf("(a resolver still keeps the old answer for %s; the final check judges the world after it expires)\n", left)
		s.elapsed += left + time.Second
	}
	_ = s.check(ctx, nil)
}
