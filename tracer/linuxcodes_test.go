package tracer

import "testing"

// TestLinuxCodes: the Linux host codes have their meaning and facts in the
// one table, and an answer from the wrong address is silence to the
// client.
func TestLinuxCodes(t *testing.T) {
	for _, c := range LinuxCodes() {
		i := c.Info()
		if i.Meaning == "" || i.Kind == "" || i.Action == "" || i.Topic == "" || !i.Blocks {
			t.Errorf("%s: incomplete info %+v", c, i)
		}
	}
	if i := ReplyFromUnexpectedSource.Info(); i.Observe.Conn != ConnTimeout || !i.Silent {
		t.Errorf("REPLY_FROM_UNEXPECTED_SOURCE observed as %+v (silent %v); want a silent timeout", i.Observe, i.Silent)
	}
}
