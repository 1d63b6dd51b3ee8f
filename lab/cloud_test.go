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

// TestVerifyEndpoints holds the lab's VPC endpoints and prefix lists
// (endpoint.go) against the simulation: the shop with a gateway endpoint
// to S3, an interface endpoint with private DNS to Secrets Manager, a
// security group rule to a prefix list; and the same with the interface
// endpoint's group admitting the wrong peers and the gateway endpoint
// deleted.
func TestVerifyEndpoints(t *testing.T) {
	skip(t)
	if raceEnabled {
		t.Skip("the race detector slows the lab's probes past their timeouts; run without -race")
	}
	var extra [][2]string
	for _, from := range []string{"app-1", "app-2", "bastion", "db-1"} {
		for _, to := range []string{"https://s3.us-east-1.amazonaws.com/", "https://secretsmanager.us-east-1.amazonaws.com/", "tcp://10.0.10.50:443", "tcp://52.216.8.10:443", "https://api.partner.example.net/"} {
			extra = append(extra, [2]string{from, to})
		}
	}
	for _, f := range []string{"endpoints", "endpoints-broken"} {
		t.Run(f, func(t *testing.T) {
			verifySource(t, "../testdata/worlds/lab/"+f+".yaml", extra...)
		})
	}
}
