package play

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/pathlab/pathlab/simnet/spec"
)

// systemctl and journalctl read a host's services from the world; start,
// stop and restart are fixes (the edit "service HOST NAME start|stop"),
// silent on success as systemctl is.

// unitName strips systemctl's ".service".
func unitName(arg string) string { return strings.TrimSuffix(arg, ".service") }

// findService returns the service of the current host named name.
func (s *Shell) findService(name string) (spec.ServiceSpec, bool) {
	svcs, _, _, _ := s.hostSpec()
	for _, sv := range svcs {
		if sv.Name == name {
			return sv, true
		}
	}
	return spec.ServiceSpec{}, false
}

// servicePID is a service's main PID, steady for a session.
func servicePID(sv spec.ServiceSpec) int { return 1200 + sv.Port%1000 }

// bootTime is when the host's services started: an hour before the
// ticket.
func (s *Shell) bootTime() time.Time { return s.now().Add(-time.Hour).Truncate(time.Minute) }

func (s *Shell) systemctl(ctx context.Context, args []string) error {
	var verb string
	var units []string
	for _, a := range args {
		switch {
		case a == "--no-pager" || a == "-l" || a == "--full" || a == "--no-legend":
		case strings.HasPrefix(a, "-"):
			s.printf("systemctl: unrecognized option '%s'\n", a)
			return nil
		case verb == "":
			verb = a
		default:
			units = append(units, a)
		}
	}
	switch verb {
	case "":
		return badUsage("systemctl status|start|stop|restart SERVICE")
	case "status", "start", "stop", "restart", "is-active":
	default:
		s.printf("Unknown command verb %s.\n", verb)
		return nil
	}
	if len(units) == 0 {
		if verb == "status" {
			return badUsage("systemctl status SERVICE (the services here: %s)", strings.Join(s.serviceNames(), ", "))
		}
		s.printf("Too few arguments.\n")
		return nil
	}
	for _, u := range units {
		name := unitName(u)
		sv, ok := s.findService(name)
		if !ok {
			switch verb {
			case "status":
				s.printf("Unit %s.service could not be found.\n", name)
			case "is-active":
				s.printf("inactive\n")
			default:
				s.printf("Failed to %s %s.service: Unit %s.service not found.\n", verb, name, name)
			}
			continue
		}
		switch verb {
		case "status":
			s.serviceStatus(sv)
		case "is-active":
			if sv.IsRunning() {
				s.printf("active\n")
			} else {
				s.printf("inactive\n")
			}
		case "start", "restart":
			if !sv.IsRunning() {
				if err := s.serviceFix(name, "start"); err != nil {
					return err
				}
			}
		case "stop":
			if sv.IsRunning() {
				if err := s.serviceFix(name, "stop"); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// serviceFix applies the fix a systemctl start or stop is.
func (s *Shell) serviceFix(name, op string) error {
	if _, err := s.applyFix([]string{"service", s.Host(), name, op}); err != nil {
		s.printf("Failed to %s %s.service: %v\n", op, name, err)
	}
	return nil
}

func (s *Shell) serviceNames() []string {
	svcs, _, _, _ := s.hostSpec()
	var out []string
	for _, sv := range svcs {
		out = append(out, sv.Name)
	}
	if len(out) == 0 {
		out = append(out, "none")
	}
	return out
}

// serviceStatus prints systemctl status as systemd 252 does.
func (s *Shell) serviceStatus(sv spec.ServiceSpec) {
	start := s.bootTime()
	host := s.Host()
	pid := servicePID(sv)
	var b strings.Builder
	dot := "●"
	if !sv.IsRunning() {
		dot = "○"
	}
	fmt.Fprintf(&b, "%s %s.service - %s\n", dot, sv.Name, sv.Name)
	fmt.Fprintf(&b, "     Loaded: loaded (/etc/systemd/system/%s.service; enabled; preset: disabled)\n", sv.Name)
	if sv.IsRunning() {
		fmt.Fprintf(&b, "     Active: active (running) since %s; %s ago\n", start.Format("Mon 2006-01-02 15:04:05 MST"), sinceText(s.now().Sub(start)))
		fmt.Fprintf(&b, "   Main PID: %d (%s)\n      Tasks: 1 (limit: 4557)\n     Memory: 4.2M\n        CPU: 120ms\n", pid, sv.Name)
		fmt.Fprintf(&b, "     CGroup: /system.slice/%s.service\n             └─%d %s\n", sv.Name, pid, serviceExec(sv))
	} else {
		stopped := start.Add(30 * time.Minute)
		fmt.Fprintf(&b, "     Active: inactive (dead) since %s; %s ago\n", stopped.Format("Mon 2006-01-02 15:04:05 MST"), sinceText(s.now().Sub(stopped)))
		fmt.Fprintf(&b, "   Duration: 30min\n    Process: %d ExecStart=%s (code=killed, signal=TERM)\n   Main PID: %d (code=killed, signal=TERM)\n        CPU: 120ms\n", pid, serviceExec(sv), pid)
	}
	b.WriteString("\n")
	for _, l := range s.journal(sv, host) {
		b.WriteString(l + "\n")
	}
	s.print(b.String())
}

// sinceText is systemd's "1h 0min" for a duration.
func sinceText(d time.Duration) string {
	d = d.Truncate(time.Second)
	h, m := int(d.Hours()), int(d.Minutes())%60
	switch {
	case h > 0:
		return fmt.Sprintf("%dh %dmin", h, m)
	case m > 0:
		return fmt.Sprintf("%dmin", m)
	}
	return fmt.Sprintf("%ds", int(d.Seconds()))
}

// journal is a service's log, from the world: when it started, the
// address it bound (a service bound to 127.0.0.1 says so), its
// certificate, and its stop.
func (s *Shell) journal(sv spec.ServiceSpec, host string) []string {
	start := s.bootTime()
	pid := servicePID(sv)
	stamp := func(t time.Time) string { return t.Format("Jan 02 15:04:05") + " " + host }
	lines := []string{
		fmt.Sprintf("%s systemd[1]: Started %s.service - %s.", stamp(start), sv.Name, sv.Name),
		fmt.Sprintf("%s %s[%d]: listening on %s (%s)", stamp(start), sv.Name, pid, netJoin(serviceBind(sv), sv.Port), strings.ToLower(orDefault(sv.Protocol, "tcp"))),
	}
	if sv.Bind == "127.0.0.1" || sv.Bind == "::1" {
		lines = append(lines, fmt.Sprintf("%s %s[%d]: bound to the loopback address only: other hosts cannot connect", stamp(start), sv.Name, pid))
	}
	if sv.TLS != "" {
		for _, c := range s.spec.Certificates {
			if c.Name != sv.TLS {
				continue
			}
			lines = append(lines, fmt.Sprintf("%s %s[%d]: TLS certificate %s for %s, valid until %s", stamp(start), sv.Name, pid, c.Name, strings.Join(c.Domains, ", "), c.NotAfter))
		}
	}
	if !sv.IsRunning() {
		stopped := start.Add(30 * time.Minute)
		lines = append(lines,
			fmt.Sprintf("%s systemd[1]: Stopping %s.service - %s...", stamp(stopped), sv.Name, sv.Name),
			fmt.Sprintf("%s systemd[1]: %s.service: Deactivated successfully.", stamp(stopped), sv.Name),
			fmt.Sprintf("%s systemd[1]: Stopped %s.service - %s.", stamp(stopped), sv.Name, sv.Name))
	}
	return lines
}

func (s *Shell) journalctl(_ context.Context, args []string) error {
	var unit string
	lines := -1
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "-u" || a == "--unit":
			if i+1 >= len(args) {
				s.printf("journalctl: option requires an argument -- 'u'\n")
				return nil
			}
			i++
			unit = unitName(args[i])
		case strings.HasPrefix(a, "--unit="):
			unit = unitName(strings.TrimPrefix(a, "--unit="))
		case a == "-n" || a == "--lines":
			if i+1 >= len(args) {
				s.printf("journalctl: option requires an argument -- 'n'\n")
				return nil
			}
			i++
			if _, err := fmt.Sscanf(args[i], "%d", &lines); err != nil || lines < 0 {
				s.printf("Failed to parse lines '%s'\n", args[i])
				return nil
			}
		case a == "--no-pager" || a == "-e" || a == "-x" || a == "-xe" || a == "-f":
		case strings.HasPrefix(a, "-"):
			s.printf("journalctl: invalid option -- '%s'\n", optLetter(a))
			return nil
		default:
			s.printf("Failed to add match '%s': Invalid argument\n", a)
			return nil
		}
	}
	if unit == "" {
		return badUsage("journalctl -u SERVICE (the services here: %s)", strings.Join(s.serviceNames(), ", "))
	}
	sv, ok := s.findService(unit)
	if !ok {
		s.printf("-- No entries --\n")
		return nil
	}
	log := s.journal(sv, s.Host())
	if lines >= 0 && lines < len(log) {
		log = log[len(log)-lines:]
	}
	for _, l := range log {
		s.printf("%s\n", l)
	}
	return nil
}
