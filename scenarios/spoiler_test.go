package scenarios

import (
	"regexp"
	"strings"
	"testing"
)

// causeWords name a cause: the fault kinds' vocabulary. An id is the
// first thing a learner sees (scenarios list, play ID), so none may hold
// one; titles are held to the words that name a fault outright.
var (
	idCause    = regexp.MustCompile(`(^|-)(acl|nacl|sg|nat|igw|cname|dns|firewall|ephemeral|loopback|delegation|transitive|pcx|route|egress|ingress|hc|tg|listener|shadow|expired|cert|zone|herring|port|source|cidr|down|drop|reject|lame|stale|targets)(-|$)`)
	titleCause = regexp.MustCompile(`(?i)\b(ephemeral|loopback|transitive|not yet valid|wrong names?|typo|dangling|shadow|lame|unassociated|not transitive|missing route|blackhole|decoy|red herring|somewhere else|nobody allowed)\b`)
)

// TestLibraryNoSpoilers: ids and titles say nothing of the cause, every
// alias still finds its scenario, and an alias is no other scenario's id.
func TestLibraryNoSpoilers(t *testing.T) {
	lib, err := Library()
	if err != nil {
		t.Fatal(err)
	}
	for _, sc := range lib {
		if m := idCause.FindString(sc.ID); m != "" {
			t.Errorf("id %s names a cause (%q)", sc.ID, strings.Trim(m, "-"))
		}
		if m := titleCause.FindString(sc.Title); m != "" {
			t.Errorf("%s: title %q names a cause (%q)", sc.ID, sc.Title, m)
		}
		for _, a := range sc.Aliases {
			got, err := Lookup(a)
			if err != nil || got != sc {
				t.Errorf("Lookup(%q) = %v, %v; want %s", a, got, err, sc.ID)
			}
			if CanonicalID(a) != sc.ID {
				t.Errorf("CanonicalID(%q) = %q; want %q", a, CanonicalID(a), sc.ID)
			}
		}
	}
	if CanonicalID("no-such-id") != "no-such-id" {
		t.Errorf("CanonicalID changes an unknown id")
	}
}

// TestTitlesMatchTickets: a status code in a title is one its ticket
// shows (a title once said 502 where its ticket said 504).
func TestTitlesMatchTickets(t *testing.T) {
	lib, err := Library()
	if err != nil {
		t.Fatal(err)
	}
	code := regexp.MustCompile(`\b[45]0\d\b`)
	for _, sc := range lib {
		for _, c := range code.FindAllString(sc.Title, -1) {
			if !strings.Contains(sc.Ticket, c) {
				t.Errorf("%s: the title says %s, the ticket never does:\n%s", sc.ID, c, sc.Ticket)
			}
		}
	}
}

// TestGeneratedTitlesNoSpoilers: a generated scenario's title says what
// the client sees, not the fault's topic.
func TestGeneratedTitlesNoSpoilers(t *testing.T) {
	for seed := uint64(1); seed <= 12; seed++ {
		sc, err := Generate(t.Context(), seed, Options{})
		if err != nil {
			t.Fatal(err)
		}
		for _, w := range []string{"breaks (", "host firewall", "network ACL", "security group", "NAT"} {
			if strings.Contains(sc.Title, w) {
				t.Errorf("seed %d: title %q names its topic (%q)", seed, sc.Title, w)
			}
		}
	}
}

// TestFirstHintAddsSomething: the first hint tells the learner something
// the ticket does not: a command to run, or a name the ticket never says.
func TestFirstHintAddsSomething(t *testing.T) {
	lib, err := Library()
	if err != nil {
		t.Fatal(err)
	}
	commands := regexp.MustCompile(`\b(dig|curl|nc|ping|traceroute|tcpdump|ssh|ss|iptables|ip|show|nslookup|openssl|systemctl|journalctl)\b`)
	word := regexp.MustCompile(`[A-Za-z0-9][A-Za-z0-9.:/_-]*[A-Za-z0-9]`)
	for _, sc := range lib {
		h := sc.Hints[0]
		if commands.MatchString(h) {
			continue
		}
		ticket := strings.ToLower(sc.Ticket)
		news := false
		for _, w := range word.FindAllString(h, -1) {
			if len(w) > 3 && !strings.Contains(ticket, strings.ToLower(w)) {
				news = true
				break
			}
		}
		if !news {
			t.Errorf("%s: the first hint %q only repeats the ticket", sc.ID, h)
		}
	}
}
