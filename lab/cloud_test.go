package lab_test

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestVerifyCloud holds the lab against the simulation on the worlds of
// the cloud model's constructs (testdata/worlds/cloud/, each header cites
// the AWS documentation it follows): zones and cross-zone balancing,
// targets not in use, source/destination checks, alias records, deleted
// NAT gateways and route targets, partly denied ephemeral ranges.
func TestVerifyCloud(t *testing.T) {
	skip(t)
	if raceEnabled {
		t.Skip("the race detector slows the lab's probes past their timeouts; run without -race")
	}
	files, err := filepath.Glob("../testdata/worlds/cloud/*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no cloud worlds: %v", err)
	}
	total, agree := 0, 0
	for _, f := range files {
		t.Run(strings.TrimSuffix(filepath.Base(f), ".yaml"), func(t *testing.T) {
			n, a := verifySource(t, f)
			total += n
			agree += a
		})
	}
	t.Logf("FIGURE %d cloud worlds, %d flows compared, %d agree", len(files), total, agree)
}
