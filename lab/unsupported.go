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

// Unsupported names the constructs of s that the lab cannot build yet, or
// "" when it can build all of s. Building such a world without them would
// give a lab that disagrees with the simulation. Every construct of the
// world format is built today (transit gateways, VPN connections,
// on-premises networks and virtual private gateways: tgw.go, vpn.go;
// endpoints and prefix lists: endpoint.go); the check stays for the next
// construct the simulation learns before the lab does.
func Unsupported(s *spec.WorldSpec) string {
	var what []string
	return strings.Join(what, ", ")
}

func checkSupported(s *spec.WorldSpec) error {
	if u := Unsupported(s); u != "" {
		return fmt.Errorf("%w: world %s uses %s, which the lab does not build yet; trace it in the simulation (pathlab trace) instead", ErrUnsupported, s.Name, u)
	}
	return nil
}
