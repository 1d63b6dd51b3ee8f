package tracer

import (
	"encoding/json"
	"fmt"
)

// Direction says which way a packet travels: towards the target or back.
type Direction string

const (
	Forward Direction = "forward"
	Return  Direction = "return"
)

// Stage names, in the order Diagnose walks them.
const (
	StageDNS  = "dns"
	StageTCP  = "tcp"
	StageUDP  = "udp"
	StageICMP = "icmp" // a ping
	StageTLS  = "tls"
	StageHTTP = "http"
)

// Stage verdicts.
const (
	StageOK         = "ok"
	StageBroken     = "broken"
	StageNotReached = "not_reached"
)

// Report verdicts.
const (
	Delivered = "delivered"
	Broken    = "broken"
)

// Hop is one decision or observation on the path: a component (a resource
// name from the world file, or an address in the real world) did something
// to the packet.
type Hop struct {
	Component string    `json:"component"`
	Kind      Kind      `json:"kind"`      // resolver, route-table, security-group, network-acl, ...
	Direction Direction `json:"direction"` // forward or return
	Action    Action    `json:"action"`    // allow, deny, forward, translate, answer, drop, reject, ...
	Code      Code      `json:"code"`
	// Detail is the hop in words. An engine may leave it empty and set
	// Say instead, to render it from the hop's facts when a view asks:
	// read it through Text.
	Detail string `json:"detail"`
	// Say renders the detail from the hop's facts when Detail is empty.
	Say Sayer `json:"-"`
	// Ref is the engine's own reference a Say reads beyond the hop's other
	// facts (a subnet, a listener, a service): a pointer into a world,
	// read-only.
	Ref    any    `json:"-"`
	Rule   string `json:"rule,omitempty"`   // the rule that matched, as the user wrote it
	Blocks bool   `json:"blocks,omitempty"` // this hop stops the request
	// Fix is the fix command that would mend a blocking hop, as the play
	// shell takes it: Edit's text. Empty where no single edit does.
	Fix string `json:"fix,omitempty"`
	// Edit is the fix as a value (a simnet.Edit); nil when there is none.
	Edit fmt.Stringer `json:"-"`
	// Advice is what would mend a blocking hop, in words, where no single
	// edit does.
	Advice string `json:"advice,omitempty"`
	// Flow is the packet as this step saw it, where the hop is about one.
	Flow Flow `json:"flow,omitzero"`
	// Peer is the other resource the step is about, where there is one:
	// the instance whose interface a security group guards, the subnet a
	// network ACL guards, the target a balancer forwards to.
	Peer string `json:"peer,omitempty"`
	// Status is the HTTP status the step answered with; 0 for none.
	Status int `json:"status,omitempty"`
	// Matched is the rule that decided, as a value; nil when no rule did.
	// It points into the world's rules: treat it as read-only.
	Matched *Rule `json:"-"`
	// DNS is what a DNS step decided, as values; zero on other hops.
	DNS DNSFact `json:"-"`
	// Packet is what the packet looked like at this hop; filled only when
	// the caller asked for packets (it costs allocations).
	Packet *PacketView `json:"packet,omitempty"`
}

// PacketView is a readable summary of a packet at one hop.
type PacketView struct {
	Summary string `json:"summary"`
	// Layers holds one line per protocol layer (IPv4, TCP, DNS, ...).
	Layers []string `json:"layers,omitempty"`
	// Data is the packet itself, from the IP header on, where the Network
	// built one (the simulation does, with gopacket); captures are made
	// from it. Not part of the JSON report.
	Data []byte `json:"-"`
}

// Stage is one step of a request: dns, tcp (or udp), tls, http.
type Stage struct {
	Name    string `json:"name"`
	Verdict string `json:"verdict"`
	// Summary is one line on what the stage established ("203.0.113.10",
	// "connected to 203.0.113.10:443", "HTTP 200").
	Summary string `json:"summary,omitempty"`
	Hops    []Hop  `json:"hops"`
	// Location is the redirect an http stage answered with (its Location
	// header); empty for other answers.
	Location string `json:"location,omitempty"`
	// Redirect numbers the stages of a followed redirect (1 for the
	// first); 0 for the request itself. URL is the request they make.
	Redirect int    `json:"redirect,omitempty"`
	URL      string `json:"url,omitempty"`
}

// Break names a component that stops the request.
type Break struct {
	Stage     string `json:"stage"`
	Component string `json:"component"`
	Code      Code   `json:"code"`
	Detail    string `json:"detail"`
	// Redirect is the followed redirect whose stage it is in (0: the
	// request itself).
	Redirect int `json:"redirect,omitempty"`
}

// Report is the result of a trace or a diagnosis.
type Report struct {
	Target string `json:"target"`
	// Request is the target as a value; Diagnose sets it.
	Request Target `json:"-"`
	From    string `json:"from"`
	World   string `json:"world,omitempty"`
	Verdict string `json:"verdict"`
	// BrokenAt is the first component on the path that stopped the
	// request; nil when delivered.
	BrokenAt *Break `json:"broken_at"`
	// Blockers lists, in path order, every component that would stop the
	// request; empty when delivered.
	Blockers []Break `json:"blockers"`
	// RootCause is the blocker a fix must change first: for a balancer's
	// 502 or 504 (where BrokenAt is the balancer, what the client sees) the
	// backend leg's first blocker; otherwise BrokenAt. Nil when delivered.
	RootCause *Break  `json:"root_cause"`
	Stages    []Stage `json:"stages"`
	// Notes are remarks on how the report was made ("fell back to
	// connect(): no CAP_NET_RAW").
	Notes []string `json:"notes,omitempty"`
}

// Delivered reports whether the request reached its target.
func (r *Report) Delivered() bool { return r.Verdict == Delivered }

// Stage returns the stage with the given name, or nil.
func (r *Report) Stage(name string) *Stage {
	for i := range r.Stages {
		if r.Stages[i].Name == name {
			return &r.Stages[i]
		}
	}
	return nil
}

// Finish derives the verdict, BrokenAt and Blockers from the stages' hops.
// Diagnose calls it; a Network that builds a Report by hand calls it too.
func (r *Report) Finish() {
	r.Blockers = r.Blockers[:0]
	for _, s := range r.Stages {
		for i := range s.Hops {
			if h := &s.Hops[i]; h.Blocks {
				r.Blockers = append(r.Blockers, Break{Stage: s.Name, Component: h.Component, Code: h.Code, Detail: h.Text(), Redirect: s.Redirect})
			}
		}
	}
	if r.Blockers == nil {
		r.Blockers = []Break{}
	}
	r.BrokenAt, r.RootCause = nil, nil
	r.Verdict = Delivered
	if len(r.Blockers) > 0 {
		b := r.Blockers[0]
		r.BrokenAt = &b
		r.Verdict = Broken
		rc := b
		for _, x := range r.Blockers {
			if !x.Code.Info().Relays {
				rc = x
				break
			}
		}
		r.RootCause = &rc
	}
	for i := range r.Stages {
		if r.Stages[i].Hops == nil {
			r.Stages[i].Hops = []Hop{}
		}
	}
}

// ExitCode is the process exit status for the report: 0 delivered, 1 broken.
func (r *Report) ExitCode() int {
	if r.Delivered() {
		return 0
	}
	return 1
}

func blocked(hops []Hop) bool {
	for _, h := range hops {
		if h.Blocks {
			return true
		}
	}
	return false
}

// UnmarshalJSON reads a report and its request from the target's text.
func (r *Report) UnmarshalJSON(b []byte) error {
	type plain Report
	if err := json.Unmarshal(b, (*plain)(r)); err != nil {
		return err
	}
	if t, err := ParseTarget(r.Target); err == nil {
		r.Request = t
	}
	return nil
}

// Mend is what would mend the hop: its fix command, or its advice.
func (h *Hop) Mend() string {
	if h.Fix != "" {
		return h.Fix
	}
	return h.Advice
}
