package spec

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// CertLifetime is how long a renewed certificate is valid.
const CertLifetime = 365 * 24 * time.Hour

// CertRenewEdit reissues a certificate valid from a day before the
// world's clock for a year, optionally for other names:
//
//	cert NAME renew [DOMAIN...]
type CertRenewEdit struct {
	Cert    string
	Domains []string // nil keeps the certificate's names
}

// CertReissueEdit reissues a certificate with the given validity and
// names, as the certificate authority would have issued it:
//
//	cert NAME reissue NOT_BEFORE NOT_AFTER DOMAIN [DOMAIN...]
//
// The times are RFC 3339.
type CertReissueEdit struct {
	Cert      string
	NotBefore string
	NotAfter  string
	Domains   []string
}

func parseCertEdit(w []string) (Edit, error) {
	if len(w) < 3 {
		return nil, wordCount("cert", "name the certificate, then renew or reissue")
	}
	name := w[1]
	if err := nameArg("cert", "certificate", name); err != nil {
		return nil, err
	}
	var domains []string
	checkDomains := func(ds []string) error {
		for _, d := range ds {
			if d == "" || strings.ContainsAny(d, " /:@") {
				return usagef("cert", "%q is not a domain name", d)
			}
		}
		if len(ds) > 0 {
			domains = slices.Clone(ds)
		}
		return nil
	}
	switch w[2] {
	case "renew":
		if err := checkDomains(w[3:]); err != nil {
			return nil, err
		}
		return CertRenewEdit{Cert: name, Domains: domains}, nil
	case "reissue":
		if len(w) < 6 {
			return nil, wordCount("cert", "reissue takes NOT_BEFORE NOT_AFTER and at least one domain")
		}
		for _, t := range w[3:5] {
			if _, err := time.Parse(time.RFC3339, t); err != nil {
				return nil, usagef("cert", "%q is not a time such as 2026-01-01T00:00:00Z", t)
			}
		}
		if err := checkDomains(w[5:]); err != nil {
			return nil, err
		}
		return CertReissueEdit{Cert: name, NotBefore: w[3], NotAfter: w[4], Domains: domains}, nil
	}
	return nil, usagef("cert", "%q is not renew or reissue", w[2])
}

func (e CertRenewEdit) String() string {
	return JoinLine(append([]string{"cert", e.Cert, "renew"}, e.Domains...))
}

func (e CertReissueEdit) String() string {
	return JoinLine(append([]string{"cert", e.Cert, "reissue", e.NotBefore, e.NotAfter}, e.Domains...))
}

func certUndo(c *CertSpec) CertReissueEdit {
	return CertReissueEdit{Cert: c.Name, NotBefore: c.NotBefore, NotAfter: c.NotAfter, Domains: slices.Clone(c.Domains)}
}

func (e CertRenewEdit) Apply(s *WorldSpec) (Edit, error) { u, _, err := e.apply(s); return u, err }

func (e CertRenewEdit) apply(s *WorldSpec) (Edit, string, error) {
	c := specCert(s, e.Cert)
	if c == nil {
		return nil, "", fmt.Errorf("no certificate is named %q", e.Cert)
	}
	undo := certUndo(c)
	if len(undo.Domains) == 0 {
		return nil, "", fmt.Errorf("certificate %s names no domains", e.Cert)
	}
	start := SpecClock(s).Truncate(24 * time.Hour).Add(-24 * time.Hour)
	c.NotBefore = start.Format(time.RFC3339)
	c.NotAfter = start.Add(CertLifetime).Format(time.RFC3339)
	if len(e.Domains) > 0 {
		c.Domains = slices.Clone(e.Domains)
	}
	return undo, fmt.Sprintf("%s: reissued for %s, valid %s to %s", e.Cert, strings.Join(c.Domains, ", "), c.NotBefore, c.NotAfter), nil
}

func (e CertReissueEdit) Apply(s *WorldSpec) (Edit, error) { u, _, err := e.apply(s); return u, err }

func (e CertReissueEdit) apply(s *WorldSpec) (Edit, string, error) {
	c := specCert(s, e.Cert)
	if c == nil {
		return nil, "", fmt.Errorf("no certificate is named %q", e.Cert)
	}
	if len(e.Domains) == 0 {
		return nil, "", usagef("cert", "a certificate needs at least one domain")
	}
	undo := certUndo(c)
	if len(undo.Domains) == 0 {
		return nil, "", fmt.Errorf("certificate %s names no domains", e.Cert)
	}
	c.NotBefore, c.NotAfter, c.Domains = e.NotBefore, e.NotAfter, slices.Clone(e.Domains)
	return undo, fmt.Sprintf("%s: reissued for %s, valid %s to %s", e.Cert, strings.Join(c.Domains, ", "), c.NotBefore, c.NotAfter), nil
}

// PeeringEdit requests, accepts, deletes or withdraws a VPC peering:
//
//	peering create NAME VPC VPC
//	peering NAME accept|delete
//	peering NAME withdraw
//
// Withdraw takes back a request nobody accepted, leaving no trace.
type PeeringEdit struct {
	Op   string // create, accept, delete, withdraw
	Name string
	VPCs []string // create: the two VPCs
}

// PeeringStatusEdit sets a peering's status as the provider reports it
// (active, pending-acceptance, deleted, rejected, failed, expired):
//
//	peering NAME status STATUS
type PeeringStatusEdit struct {
	Name   string
	Status string
}

var peeringStatuses = []string{"active", "pending", "pending-acceptance", "deleted", "rejected", "failed", "expired"}

func parsePeeringEdit(w []string) (Edit, error) {
	switch {
	case len(w) >= 2 && w[1] == "create":
		if len(w) != 5 || w[2] == "" || w[3] == "" || w[4] == "" {
			return nil, wordCount("peering", "create takes NAME VPC VPC")
		}
		return PeeringEdit{Op: "create", Name: w[2], VPCs: []string{w[3], w[4]}}, nil
	case len(w) == 3 && (w[2] == "accept" || w[2] == "delete" || w[2] == "withdraw"):
		if w[1] == "" {
			return nil, usagef("peering", "the peering's name is missing")
		}
		return PeeringEdit{Op: w[2], Name: w[1]}, nil
	case len(w) == 4 && w[2] == "status":
		if w[1] == "" || !slices.Contains(peeringStatuses, w[3]) {
			return nil, usagef("peering", "status %q is not one of %s", w[3], strings.Join(peeringStatuses, ", "))
		}
		return PeeringStatusEdit{Name: w[1], Status: w[3]}, nil
	case len(w) >= 3:
		return nil, usagef("peering", "%q is not accept, delete, withdraw or status", w[2])
	}
	return nil, wordCount("peering", "write create NAME VPC VPC, or NAME and what to do")
}

func (e PeeringEdit) String() string {
	if e.Op == "create" {
		return JoinLine(append([]string{"peering", "create", e.Name}, e.VPCs...))
	}
	return JoinLine([]string{"peering", e.Name, e.Op})
}

func (e PeeringStatusEdit) String() string {
	return JoinLine([]string{"peering", e.Name, "status", e.Status})
}

func (e PeeringEdit) Apply(s *WorldSpec) (Edit, error) { u, _, err := e.apply(s); return u, err }

func (e PeeringEdit) apply(s *WorldSpec) (Edit, string, error) {
	if e.Op == "create" {
		if len(e.VPCs) != 2 {
			return nil, "", usagef("peering", "a peering joins two VPCs: create NAME VPC VPC")
		}
		if p, _ := specPeering(s, e.Name); p != nil {
			return nil, "", fmt.Errorf("a peering is already named %s", e.Name)
		}
		s.Peerings = append(s.Peerings, PeeringSpec{Name: e.Name, VPCs: slices.Clone(e.VPCs), Status: "pending-acceptance"})
		return PeeringEdit{Op: "withdraw", Name: e.Name}, fmt.Sprintf("peering %s requested between %s and %s: pending acceptance (peering %s accept)", e.Name, e.VPCs[0], e.VPCs[1], e.Name), nil
	}
	p, i := specPeering(s, e.Name)
	if p == nil {
		return nil, "", fmt.Errorf("no peering is named %q", e.Name)
	}
	undo := PeeringStatusEdit{Name: e.Name, Status: p.Status}
	if undo.Status == "" {
		undo.Status = "active"
	}
	switch e.Op {
	case "delete":
		if p.Status == "deleted" {
			return nil, "", fmt.Errorf("peering %s is already deleted", e.Name)
		}
		p.Status = "deleted"
		return undo, fmt.Sprintf("peering %s deleted", e.Name), nil
	case "accept":
		switch p.Status {
		case "active", "":
			return nil, "", fmt.Errorf("peering %s is already active", e.Name)
		case "pending", "pending-acceptance":
			p.Status = "active"
			return undo, fmt.Sprintf("peering %s accepted: active", e.Name), nil
		}
		return nil, "", fmt.Errorf("peering %s is %s and cannot be accepted; create a new one (peering create NAME VPC VPC)", e.Name, p.Status)
	case "withdraw":
		if p.Status != "pending-acceptance" || p.MTU != 0 || len(p.VPCs) != 2 {
			return nil, "", fmt.Errorf("peering %s is %s: only a request nobody accepted can be withdrawn; delete it instead", e.Name, undo.Status)
		}
		u := PeeringEdit{Op: "create", Name: p.Name, VPCs: slices.Clone(p.VPCs)}
		s.Peerings = slices.Delete(s.Peerings, i, i+1)
		return u, fmt.Sprintf("peering request %s withdrawn", e.Name), nil
	}
	return nil, "", usagef("peering", "%q is not create, accept, delete or withdraw", e.Op)
}

func (e PeeringStatusEdit) Apply(s *WorldSpec) (Edit, error) { u, _, err := e.apply(s); return u, err }

func (e PeeringStatusEdit) apply(s *WorldSpec) (Edit, string, error) {
	p, _ := specPeering(s, e.Name)
	if p == nil {
		return nil, "", fmt.Errorf("no peering is named %q", e.Name)
	}
	if !slices.Contains(peeringStatuses, e.Status) {
		return nil, "", usagef("peering", "status %q is not one of %s", e.Status, strings.Join(peeringStatuses, ", "))
	}
	old := p.Status
	if old == "" {
		old = "active"
	}
	p.Status = e.Status
	var undo Edit = PeeringStatusEdit{Name: e.Name, Status: old}
	if old == "active" && (e.Status == "pending-acceptance" || e.Status == "pending") {
		undo = PeeringEdit{Op: "accept", Name: e.Name} // what the owner of the other VPC does
	}
	return undo, fmt.Sprintf("peering %s is now %s (was %s)", e.Name, e.Status, old), nil
}
