package lab

import (
	"context"
	"os"
	"time"

	"github.com/pathlab/pathlab/simnet/spec"
	"github.com/pathlab/pathlab/tracer"
)

// ProbeFrom diagnoses target from host's namespace of the lab st with the
// live probes (tracer/probe), as lab verify does for each flow, and says
// what a client there observes. spec is the world the lab was built from:
// it names the addresses the probes report.
func ProbeFrom(ctx context.Context, st *State, spec *spec.WorldSpec, host, target string, timeout time.Duration) (*tracer.Report, Side, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, Side{}, err
	}
	r, err := probeIn(ctx, st, exe, host, target, timeout)
	if err != nil {
		return nil, Side{}, err
	}
	return r, labSide(r, addrNames(spec)), nil
}

// Short is the side in a few words: "delivered", "tcp: timeout",
// "tls: TLS_CERT_EXPIRED", "http: HTTP 504".
func (s Side) Short() string { return s.short() }
