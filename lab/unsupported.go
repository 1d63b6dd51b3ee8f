package lab

import (
	"errors"
	"fmt"
	"strings"

	"github.com/pathlab/pathlab/simnet/spec"
)

// ErrUnsupported is wrapped by the error of a world that holds constructs
// the lab does not build yet.
var ErrUnsupported = errors.New("not built by the lab")

// Unsupported names the constructs of s that the lab cannot build yet
// (transit gateways, VPN connections and on-premises networks, virtual
// private gateways: issue 11 added them to the simulation only; endpoints
// and prefix lists are built, endpoint.go),
// or "" when it can build all of s. Building such a world without them
// would give a lab that disagrees with the simulation.
func Unsupported(s *spec.WorldSpec) string {
	var what []string
	if len(s.TransitGateways) > 0 {
		what = append(what, "transit gateways")
	}
	if len(s.VPNConnections) > 0 || len(s.OnPremises) > 0 {
		what = append(what, "VPN connections and on-premises networks")
	}
	for _, v := range s.VPCs {
		if v.VPNGateway != "" {
			what = append(what, "virtual private gateways")
			break
		}
	}
	return strings.Join(what, ", ")
}

func checkSupported(s *spec.WorldSpec) error {
	if u := Unsupported(s); u != "" {
		return fmt.Errorf("%w: world %s uses %s, which the lab does not build yet; trace it in the simulation (pathlab trace) instead", ErrUnsupported, s.Name, u)
	}
	return nil
}
