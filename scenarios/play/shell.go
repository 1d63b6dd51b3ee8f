// Package play is the trainer's shell: a learner reads a ticket,
// investigates with the commands of real hosts (dig, curl, nc, ping,
// traceroute, tcpdump, ssh) over a simulated world, fixes the world with
// fix commands, and checks the outcome.
//
// A Shell is driven line by line (Exec), so that a terminal, a script on
// stdin, a test or a timed drill can all run it; its clock, its output and
// the editor behind the edit command are injected.
package play

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime/debug"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/pathlab/pathlab/scenarios"
	"github.com/pathlab/pathlab/simnet"
	"github.com/pathlab/pathlab/simnet/spec"
	"github.com/pathlab/pathlab/tracer"
)

// Shell is one play session over a scenario.
type Shell struct {
	setup *scenarios.Setup
	out   io.Writer
	opts  Options

	spec     *spec.WorldSpec // the world as the learner has it now
	world    *simnet.World
	undo     []change
	vantage  []string       // the host stack: ssh pushes, exit pops
	broken   *tracer.Report // the headline request on the starting world: the answer key
	last     *lastRequest   // for tcpdump
	hint     int
	named    map[int]bool // faults whose cause the learner has named
	stats    Stats
	solvedAt time.Time
	checked  bool // a check ran
	passed   bool // the last check passed: the session's outcome
	gaveUp   bool
	quit     bool
	warnings []scenarios.Warning
	// elapsed is simulated time: what the commands would have taken on
	// real hosts (timeouts included), shown in their output.
	elapsed time.Duration
	// live is set in a live shell (NewLive): the real network, no world.
	live *Live
	// written holds the files commands wrote (curl -o), by host and path.
	written map[string]map[string]string
	// fwCounts are the host firewalls' counters (iptables -L -v).
	fwCounts map[fwKey]*fwCounter
	// cache is what the resolvers learnt this session (cmd_cache.go): it
	// outlives fixes, as real resolvers' caches do.
	cache *simnet.ResolverCache
}

type change struct {
	spec  *spec.WorldSpec
	world *simnet.World // spec, compiled
	what  string
}

// Options are a shell's injected dependencies. The zero value works: the
// real clock, $EDITOR, no colour.
type Options struct {
	// Now is the wall clock the score's time comes from.
	Now func() time.Time
	// Editor opens path for editing and returns when the learner is done.
	Editor func(ctx context.Context, path string) error
	// Color enables ANSI colour in traces.
	Color bool
	// Prompt, if set, is shown before the shell's own prompt (a drill's
	// time left).
	Prompt func() string
	// Echo prints each command after the prompt, for scripts read from a
	// file, so the transcript shows what ran.
	Echo bool
	// Lab, if set, is the world built in the kernel (play --lab).
	Lab Lab
}

// Stats count what a session did, for the score.
type Stats struct {
	Start        time.Time
	Commands     int
	Hints        int
	WrongAnswers int
	Fixes        int
	// Timeline lists the commands in order, for debriefs.
	Timeline []Entry
}

// Entry is one command of a session.
type Entry struct {
	At   time.Duration `json:"at"` // since the start
	Line string        `json:"line"`
	Kind string        `json:"kind"` // observe, inspect, fix, flow, other
}

// New starts a shell over a prepared scenario.
func New(ctx context.Context, st *scenarios.Setup, out io.Writer, o Options) (*Shell, error) {
	w := st.World // compiled once, with the setup
	if w == nil {
		var err error
		if w, err = simnet.Compile(st.Broken); err != nil {
			return nil, err
		}
	}
	broken, err := w.Trace(ctx, st.From, st.Target)
	if err != nil {
		return nil, err
	}
	return newShell(st, out, o, w, broken), nil
}

// newShell starts a shell over the compiled broken world and its trace.
// Both are immutable, so shells may share them (FuzzExec starts one shell
// per input over the same world).
func newShell(st *scenarios.Setup, out io.Writer, o Options, w *simnet.World, broken *tracer.Report) *Shell {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Editor == nil {
		o.Editor = runEditor
	}
	s := &Shell{setup: st, out: out, opts: o, spec: st.Broken.Clone(), world: w, broken: broken, vantage: []string{st.From}, named: map[int]bool{}}
	s.stats.Start = o.Now()
	s.cache = seedCache(st, w) // cmd_cache.go
	return s
}

// runEditor runs $VISUAL or $EDITOR (vi when neither is set) on path.
func runEditor(ctx context.Context, path string) error {
	ed := os.Getenv("VISUAL")
	if ed == "" {
		ed = os.Getenv("EDITOR")
	}
	if ed == "" {
		ed = "vi"
	}
	args := strings.Fields(ed)
	cmd := exec.CommandContext(ctx, args[0], append(args[1:], path)...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	return cmd.Run()
}

// Setup returns the scenario the shell plays.
func (s *Shell) Setup() *scenarios.Setup { return s.setup }

// Spec returns a copy of the world as the learner has it now.
func (s *Shell) Spec() *spec.WorldSpec { return s.spec.Clone() }

// World returns the world as the learner has it now.
func (s *Shell) World() *simnet.World { return s.world }

// Host is the current vantage point.
func (s *Shell) Host() string { return s.vantage[len(s.vantage)-1] }

// Done reports whether the learner quit or gave up.
func (s *Shell) Done() bool { return s.quit }

// GaveUp reports whether the learner gave up.
func (s *Shell) GaveUp() bool { return s.gaveUp }

// Stats returns the session's counts so far.
func (s *Shell) Stats() Stats { return s.stats }

// Warnings returns the fix review's warnings from the last passing check.
func (s *Shell) Warnings() []scenarios.Warning { return s.warnings }

// Elapsed is the simulated time the commands took.
func (s *Shell) Elapsed() time.Duration { return s.elapsed }

// Solved is the session's outcome: whether the last check passed. A
// session that never ran check has not solved it (whatever its world
// holds now), and neither has a learner who gave up.
func (s *Shell) Solved(_ context.Context) bool {
	return s.checked && s.passed && !s.gaveUp
}

// Checked reports whether a check ran.
func (s *Shell) Checked() bool { return s.checked }

// Attempted reports whether the session is an attempt: it changed the
// world or ran a check. A session that only looked is not one.
func (s *Shell) Attempted() bool {
	return s.checked || s.stats.Fixes > 0 || len(s.undo) > 0 || s.gaveUp
}

// Score computes the session's score as of now.
func (s *Shell) Score(ctx context.Context) scenarios.Score {
	solved := s.Solved(ctx)
	end := s.opts.Now()
	if !s.solvedAt.IsZero() && solved {
		end = s.solvedAt
	}
	return scenarios.ComputeScore(scenarios.ScoreInput{
		Difficulty: s.setup.Scenario.Difficulty, Duration: end.Sub(s.stats.Start), Commands: s.stats.Commands,
		Hints: s.stats.Hints, WrongAnswers: s.stats.WrongAnswers, Warnings: len(s.warnings), Solved: solved, GaveUp: s.gaveUp,
	})
}

// Prompt is the prompt for the next command.
func (s *Shell) Prompt() string {
	p := fmt.Sprintf("[%s]$ ", s.Host())
	if s.opts.Prompt != nil {
		p = s.opts.Prompt() + p
	}
	return p
}

// Intro prints the ticket and how to start.
func (s *Shell) Intro() {
	if s.live != nil {
		s.liveIntro()
		return
	}
	sc := s.setup.Scenario
	fmt.Fprintf(s.out, "== %s  [%s · %s]\n\n", sc.Title, sc.Difficulty, strings.Join(sc.Topics, ", "))
	s.printTicket()
	fmt.Fprintf(s.out, "\nType help for the commands, hint when stuck, check when you think it is fixed.\n\n")
}

func (s *Shell) printTicket() {
	for _, l := range strings.Split(strings.TrimRight(s.setup.Scenario.Ticket, "\n"), "\n") {
		fmt.Fprintf(s.out, "  %s\n", l)
	}
	fmt.Fprintf(s.out, "\nYou are on %s. The request: %s\n", s.setup.From, s.setup.Target)
}

// command is one shell command.
type command struct {
	name    string
	kind    string // observe, inspect, fix, flow, other
	usage   string
	summary string
	run     func(s *Shell, ctx context.Context, args []string) error
}

// shellCommands is the shell's commands by name, built on first use: only
// a session needs them, not every start of pathlab.
var (
	commandTable map[string]*command
	commandsOnce sync.Once
)

func shellCommands() map[string]*command {
	commandsOnce.Do(func() { commandTable = buildCommands() })
	return commandTable
}

func buildCommands() (commands map[string]*command) {
	list := []*command{
		{name: "dig", kind: "observe", usage: "dig [@SERVER] NAME [TYPE] [+trace] [+short]", summary: "ask DNS, as dig does", run: (*Shell).dig},
		{name: "curl", kind: "observe", usage: "curl [-v] [-k] [-L] [-s] [-S] [-i] [-I] [-X METHOD] [-H 'NAME: VALUE'] [-o FILE] [-w FORMAT] [--resolve HOST:PORT:ADDR] [-m SECONDS] [--connect-timeout SECONDS] [-4] URL", summary: "make an HTTP(S) request, as curl does", run: (*Shell).curl},
		{name: "nc", kind: "observe", usage: "nc -zv [-w SECONDS] [-u] HOST PORT", summary: "test whether a port accepts connections", run: (*Shell).nc},
		{name: "ping", kind: "observe", usage: "ping [-c COUNT] HOST", summary: "send ICMP echo requests", run: (*Shell).ping},
		{name: "traceroute", kind: "observe", usage: "traceroute [-T] [-p PORT] [-n] HOST", summary: "list the hops towards a host", run: (*Shell).traceroute},
		{name: "tcpdump", kind: "observe", usage: "tcpdump [at NAME] [-nn] [-c COUNT] [-v] [-X] [-i IFACE] [FILTER]", summary: "show the last command's packets where NAME sees them (default: here), filtered as tcpdump filters", run: (*Shell).tcpdump},
		{name: "ssh", kind: "observe", usage: "ssh INSTANCE", summary: "log in to an instance: your commands run there (exit to come back)", run: (*Shell).ssh},
		{name: "exit", kind: "other", usage: "exit", summary: "leave an ssh session (at the top, end the session)", run: (*Shell).exit},
		{name: "ss", kind: "observe", usage: "ss [-t] [-u] [-l] [-a] [-n] [-p] [-s]", summary: "list this host's sockets (ss -tlnp: the listening ones, with their process)", run: (*Shell).ss},
		{name: "iptables", kind: "observe", usage: "iptables -L [-v] [-n] [--line-numbers] [CHAIN] | iptables -S", summary: "list this host's firewall rules (-v: with the counters of the traffic so far)", run: (*Shell).iptables},
		{name: "ip", kind: "observe", usage: "ip addr | ip -br a | ip link | ip route | ip route get ADDR | ip neigh", summary: "this host's addresses, interfaces (their MAC), routes and neighbours", run: (*Shell).ipCmd},
		{name: "hostname", kind: "observe", usage: "hostname [-I]", summary: "the host you are on (-I: its addresses)", run: (*Shell).hostnameCmd},
		{name: "exec", kind: "observe", usage: "exec HOST CMD...", summary: "run a real command in HOST of the lab (play --lab; at most 60 s)", run: (*Shell).execCmd},
		{name: "aws", kind: "inspect", usage: "aws ec2|elbv2|route53 OPERATION [--filters Name=N,Values=V] [--query JMESPATH] [--output json|text|table]", summary: "the AWS CLI: describe-* read the world, authorize-/revoke-/create-/replace-/delete-/register-/modify-* change it (fixes)", run: (*Shell).aws},
		{name: "show", kind: "inspect", usage: "show [KIND NAME]", summary: "list resources, or print one as the cloud console does (vpc, subnet, route-table, sg, nacl, lb, target-health, instance, zone, cert, peering, nat-gateway)", run: (*Shell).show},
		{name: "edit", kind: "fix", usage: "edit", summary: "open the world in $EDITOR; it is validated and reloaded", run: (*Shell).edit},
		{name: "undo", kind: "fix", usage: "undo", summary: "take back the last change", run: (*Shell).undoCmd},
		{name: "reset", kind: "fix", usage: "reset", summary: "back to the world as the ticket found it (undo brings your changes back)", run: (*Shell).reset},
		{name: "ticket", kind: "flow", usage: "ticket", summary: "read the ticket again", run: (*Shell).ticket},
		{name: "hint", kind: "flow", usage: "hint", summary: "the next hint (each costs points)", run: (*Shell).hintCmd},
		{name: "answer", kind: "flow", usage: "answer COMPONENT [CODE]", summary: "name what breaks the request (and how)", run: (*Shell).answer},
		{name: "check", kind: "flow", usage: "check", summary: "run every check of the scenario; all pass: solved", run: (*Shell).check},
		{name: "give-up", kind: "flow", usage: "give-up", summary: "see the explained trace and the reference fix", run: (*Shell).giveUp},
		{name: "help", kind: "other", usage: "help [COMMAND]", summary: "list the commands, or explain one", run: (*Shell).help},
		{name: "quit", kind: "other", usage: "quit", summary: "end the session", run: (*Shell).quitCmd},
	}
	list = append(list, hostCommands...)
	list = append(list, cacheCommands...) // cmd_cache.go
	commands = map[string]*command{}
	for _, c := range list {
		commands[c.name] = c
	}
	for _, v := range scenarios.FixVerbs {
		v := v
		commands[v] = &command{name: v, kind: "fix", usage: strings.Join(scenarios.FixUsage[v], "\n       "), summary: fixSummary[v],
			run: func(s *Shell, ctx context.Context, args []string) error {
				return s.fix(ctx, append([]string{v}, args...))
			}}
	}
	return commands
}

var fixSummary = map[string]string{
	"sg":          "add or remove a security group rule",
	"nacl":        "add, replace or remove a network ACL rule",
	"route":       "add, replace or remove a route",
	"service":     "start, stop, rebind or move a service",
	"firewall":    "remove, insert or replace a host firewall rule",
	"dns":         "set or remove records; delegate a zone; associate, create or delete a private zone",
	"lb":          "health checks, targets, target group ports and listeners",
	"cert":        "reissue a certificate (optionally for other names)",
	"peering":     "create, accept, delete or withdraw a VPC peering",
	"instance":    "turn an instance's source/destination check on or off",
	"nat":         "point a NAT gateway's routes at its replacement",
	"attachment":  "a transit gateway attachment's subnets, appliance mode, association, state",
	"propagation": "enable or disable route propagation into a route table",
	"vpn":         "a VPN connection's tunnels, static routes and state",
	"endpoint":    "a VPC endpoint's private DNS and state",
}

// Names lists every command name, sorted.
func Names() []string {
	out := make([]string, 0, len(shellCommands()))
	for n := range shellCommands() {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// ErrUnknownCommand is wrapped when a line names no command.
var ErrUnknownCommand = errors.New("unknown command")

// ParseCommand splits a command line and finds its command. An empty line
// (or a comment) gives no words and no error.
func ParseCommand(line string) (name string, args []string, err error) {
	words, err := scenarios.SplitLine(line)
	if err != nil {
		return "", nil, err
	}
	if len(words) == 0 {
		return "", nil, nil
	}
	if _, ok := shellCommands()[words[0]]; !ok {
		return words[0], words[1:], fmt.Errorf("%w %q: type help for the list", ErrUnknownCommand, words[0])
	}
	return words[0], words[1:], nil
}

// Exec runs one command line and prints its output. Bad input gets a
// message, never a crash; it reports whether the session has ended.
func (s *Shell) Exec(ctx context.Context, line string) (done bool) {
	defer func() {
		if r := recover(); r != nil {
			fmt.Fprintf(s.out, "pathlab: internal error running %q: %v (please report it)\n%s", line, r, debug.Stack())
		}
	}()
	if bad, r := controlIn(line); bad {
		// Escape sequences would act on the terminal when echoed back.
		s.stats.Commands++
		fmt.Fprintf(s.out, "pathlab: the line holds a control character (%U); type commands as plain text\n", r)
		return s.quit
	}
	name, args, err := ParseCommand(line)
	if name == "" && err == nil {
		return s.quit
	}
	s.stats.Commands++
	kind := commandKind(name, args)
	s.stats.Timeline = append(s.stats.Timeline, Entry{At: s.opts.Now().Sub(s.stats.Start), Line: strings.TrimSpace(line), Kind: kind})
	if err != nil {
		if errors.Is(err, ErrUnknownCommand) {
			fmt.Fprintf(s.out, "%s: command not found (type help for the commands)\n", name)
		} else {
			fmt.Fprintf(s.out, "pathlab: %v\n", err)
		}
		return s.quit
	}
	if s.liveRefuses(name) {
		return s.quit
	}
	before, spec := s.last, s.spec
	defer func() {
		if s.last != before && s.last != nil {
			s.countFirewall(s.last.hops)
		}
		if s.spec != spec {
			s.syncLab(ctx)
		}
	}()
	if err := shellCommands()[name].run(s, ctx, args); err != nil {
		var ue usageError
		if errors.As(err, &ue) {
			fmt.Fprintf(s.out, "usage: %s\n", shellCommands()[name].usage)
			if ue.msg != "" {
				fmt.Fprintf(s.out, "%s: %s\n", name, ue.msg)
			}
		} else {
			fmt.Fprintf(s.out, "%s: %v\n", name, err)
		}
	}
	return s.quit
}

// usageError makes Exec print the command's usage.
type usageError struct{ msg string }

func (u usageError) Error() string { return "usage: " + u.msg }

func badUsage(format string, args ...any) error { return usageError{msg: fmt.Sprintf(format, args...)} }

// LineReader reads command lines: a terminal with editing, or a script.
type LineReader interface {
	// ReadLine shows prompt (when interactive) and returns the next line;
	// io.EOF at the end.
	ReadLine(prompt string) (string, error)
}

// Run reads and runs commands until the input ends or the learner quits.
func (s *Shell) Run(ctx context.Context, in LineReader) error {
	for !s.quit {
		if err := ctx.Err(); err != nil {
			return err
		}
		line, err := in.ReadLine(s.Prompt())
		if errors.Is(err, ErrCtrlD) && len(s.vantage) > 1 {
			fmt.Fprintln(s.out)
			s.exit(ctx, nil) // Ctrl-D inside ssh logs out, as bash does
			continue
		}
		if errors.Is(err, io.EOF) {
			return nil
		}
		if errors.Is(err, ErrLineTooLong) {
			s.stats.Commands++
			fmt.Fprintf(s.out, "pathlab: %v\n", err)
			continue
		}
		if err != nil {
			return err
		}
		s.Exec(ctx, line)
	}
	return nil
}

func (s *Shell) help(_ context.Context, args []string) error {
	if len(args) > 0 {
		c := shellCommands()[args[0]]
		if c == nil {
			return fmt.Errorf("no command %q; type help for the list", args[0])
		}
		fmt.Fprintf(s.out, "usage: %s\n  %s\n", c.usage, c.summary)
		if more := helpMore[c.name]; more != "" {
			fmt.Fprintf(s.out, "\n%s\n", more)
		}
		return nil
	}
	groups := []struct{ title, kind string }{
		{"Observe (from the host you are on)", "observe"},
		{"Inspect (the cloud console)", "inspect"},
		{"Fix (each edits the world; an invalid result is refused)", "fix"},
		{"Flow", "flow"},
		{"Other", "other"},
	}
	for _, g := range groups {
		var names []string
		for n, c := range shellCommands() {
			if c.kind == g.kind && (s.live == nil || slices.Contains(liveCommands, n)) {
				names = append(names, n)
			}
		}
		if len(names) == 0 {
			continue
		}
		fmt.Fprintf(s.out, "%s:\n", g.title)
		sort.Slice(names, func(i, j int) bool {
			if order(names[i]) != order(names[j]) {
				return order(names[i]) < order(names[j])
			}
			return names[i] < names[j] // a command the order leaves out: by name, the same every time
		})
		for _, n := range names {
			c := shellCommands()[n]
			fmt.Fprintf(s.out, "  %-11s %s\n", n, c.summary)
		}
	}
	fmt.Fprintln(s.out, "\nhelp COMMAND shows its usage.")
	return nil
}

var helpOrder = []string{"dig", "nslookup", "host", "curl", "nc", "telnet", "openssl", "ping", "traceroute", "mtr", "tracepath", "tcpdump", "ssh",
	"ss", "netstat", "iptables", "ip", "hostname", "cat", "less", "head", "systemctl", "journalctl", "exec",
	"show", "sg", "nacl", "route", "service", "firewall", "dns", "lb", "cert", "peering",
	"instance", "nat", "attachment", "propagation", "vpn", "endpoint", "edit", "undo", "reset",
	"ticket", "hint", "answer", "check", "give-up", "help", "exit", "quit"}

func order(n string) int {
	if i := slices.Index(helpOrder, n); i >= 0 {
		return i
	}
	return len(helpOrder)
}

var helpMore = map[string]string{
	"sg": `PROTO is tcp, udp, icmp or all; PORTS a number, a range such as 1024-65535,
or all; SOURCE and DEST a CIDR or a security group name.
  sg sg-app add ingress tcp 8080 from sg-lb
  sg sg-app remove ingress tcp 8080 from 0.0.0.0/0`,
	"nacl": `Rules are evaluated in ascending number; the first match wins.
  nacl acl-data add egress rule 110 allow tcp 1024-65535 10.0.10.0/23
  nacl acl-data remove ingress rule 50`,
	"dns": `ZONE is the zone's name; write private:NAME or public:NAME when both exist.
  dns example.com set web-lb A 203.0.113.10 203.0.113.11
  dns example.com remove old CNAME
  dns example.com delegate ns1.example.com 192.0.2.53
  dns corp.internal associate analytics`,
	"answer": `Name the component that breaks the request as a trace would: a security
group, a network ACL, a route table, an instance, a balancer, a zone... Add
the code if you know it (SG_NO_INGRESS_RULE, NACL_EGRESS_DENIED, ...).`,
	"tcpdump": `tcpdump shows the packets of your last observing command (curl, nc, telnet,
openssl, ping, traceroute, mtr, tracepath, dig, host, nslookup) as a capture
at NAME would have seen them: your own host by default. A request holds its
DNS lookup, handshake, data and close, or the resets, ICMP errors and
retransmissions on its way; dig, host and nslookup hold the query and the
answer. The filter is tcpdump's: host, net, port, portrange, tcp, udp,
icmp, src, dst, and, or, not, parentheses.
  tcpdump at app-1
  tcpdump at db-1 -nn -c 5 'tcp port 5432 and src net 10.0.10.0/24'`,
}

func (s *Shell) quitCmd(_ context.Context, _ []string) error {
	s.quit = true
	return nil
}

// controlIn reports a control character (other than a tab) in a command
// line, or invalid UTF-8.
func controlIn(line string) (bool, rune) {
	for _, r := range line {
		if r == '\n' || (r != '\t' && spec.Printable(string(r)) != string(r)) {
			return true, r
		}
	}
	return false, 0
}
