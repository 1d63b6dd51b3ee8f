package simnet

import (
	"path/filepath"
	"testing"

	"github.com/pathlab/pathlab/tracer"
)

func TestTargetHealth(t *testing.T) {
	wrongPath, err := LoadBuiltin(DefaultWorld)
	if err != nil {
		t.Fatal(err)
	}
	spec := wrongPath.Spec()
	spec.VPCs[0].LoadBalancers[0].TargetGroups[0].HealthCheck.Path = "/health"
	if wrongPath, err = Compile(spec); err != nil {
		t.Fatal(err)
	}
	load := func(code string) *World {
		w, err := Load(filepath.Join(repoRoot, "testdata", "worlds", "codes", code+".yaml"))
		if err != nil {
			t.Fatal(err)
		}
		return w
	}
	tests := []struct {
		name           string
		w              *World
		healthy        bool
		reasonCode     string
		description    string
		cause          tracer.Code
		causeComponent string
	}{
		{"healthy", mustBuiltin(t), true, "", "", "", ""},
		{"security group", load("LB_NO_HEALTHY_TARGETS"), false, "Target.Timeout", "Request timed out", tracer.SGNoIngressRule, "sg-app"},
		{"wrong path", wrongPath, false, "Target.ResponseCodeMismatch", "Health checks failed with these codes: [404]", tracer.HTTPStatus, "app-1"},
		{"health port differs from traffic", load("LB_TARGET_REFUSED"), true, "", "", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hs, err := tt.w.TargetHealth("web-lb")
			if err != nil {
				t.Fatal(err)
			}
			if len(hs) != 4 {
				t.Fatalf("%d results; want 2 targets from 2 nodes", len(hs))
			}
			h := hs[0]
			if h.Healthy != tt.healthy || h.ReasonCode != tt.reasonCode || h.Description != tt.description || h.Cause != tt.cause || h.CauseComponent != tt.causeComponent {
				t.Errorf("TargetHealth = %+v; want healthy %v, %s %q, cause %s at %s", h, tt.healthy, tt.reasonCode, tt.description, tt.cause, tt.causeComponent)
			}
		})
	}
	if _, err := mustBuiltin(t).TargetHealth("nope"); err == nil {
		t.Error("TargetHealth of an unknown balancer: no error")
	}
}
