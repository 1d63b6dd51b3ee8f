package spec

import (
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"
)

// DNSRecordEdit sets or removes the records of one name and type:
//
//	dns ZONE set NAME TYPE [ttl SECONDS] VALUE [VALUE...]
//	dns ZONE remove NAME TYPE
//
// Set replaces every record of the name and type; without ttl it keeps
// their TTL. ZONE may be written private:NAME or public:NAME when both
// kinds of zone share a name.
type DNSRecordEdit struct {
	Zone   string
	Op     string // set, remove
	Name   string
	Type   string // upper case
	Values []string
	TTL    *int
}

// defaultTTL is the TTL of a record that gives none.
const defaultTTL = 300

// DNSDelegateEdit sets the nameservers the parent zone hands out for a
// public zone:
//
//	dns ZONE delegate NSNAME IP [NSNAME IP...]
type DNSDelegateEdit struct {
	Zone    string
	Servers []NameserverSpec
}

// ZoneAssocEdit associates a private zone with a VPC, or dissociates it:
//
//	dns ZONE associate|disassociate VPC
type ZoneAssocEdit struct {
	Zone string
	Op   string // associate, disassociate
	VPC  string
}

// ZoneEdit creates a private zone, or deletes one that holds no records
// (as Route 53 refuses to delete a zone that is not empty):
//
//	dns ZONE create private VPC [VPC...]
//	dns ZONE delete
type ZoneEdit struct {
	Zone string
	Op   string   // create, delete
	VPCs []string // create
}

func parseDNSEdit(w []string) (Edit, error) {
	if len(w) < 3 {
		return nil, wordCount("dns", "name the zone and what to do")
	}
	zone, op := w[1], w[2]
	if err := nameArg("dns", "zone", zone); err != nil {
		return nil, err
	}
	switch op {
	case "alias":
		return parseDNSAliasEdit(w) // edit_cloud.go
	case "set":
		if len(w) < 6 {
			return nil, wordCount("dns", "set needs NAME, TYPE and at least one value")
		}
		e := DNSRecordEdit{Zone: zone, Op: op, Name: w[3], Type: strings.ToUpper(w[4])}
		vals := w[5:]
		if len(vals) >= 3 && vals[0] == "ttl" {
			n, err := strconv.Atoi(vals[1])
			if err != nil || n < 0 || n > 2147483647 {
				return nil, usagef("dns", "ttl %q is not a number of seconds", vals[1])
			}
			e.TTL, vals = &n, vals[2:]
		}
		e.Values = slices.Clone(vals)
		if err := nameArg("dns", "record name", e.Name); err != nil {
			return nil, err
		}
		if err := checkRecord(e.Type, e.Values); err != nil {
			return nil, err
		}
		return e, nil
	case "remove":
		if len(w) != 5 {
			return nil, wordCount("dns", "remove takes NAME and TYPE")
		}
		e := DNSRecordEdit{Zone: zone, Op: op, Name: w[3], Type: strings.ToUpper(w[4])}
		if err := nameArg("dns", "record name", e.Name); err != nil {
			return nil, err
		}
		return e, nil
	case "delegate":
		rest := w[3:]
		if len(rest) == 0 || len(rest)%2 != 0 {
			return nil, wordCount("dns", "delegate takes NSNAME IP pairs")
		}
		e := DNSDelegateEdit{Zone: zone}
		for i := 0; i < len(rest); i += 2 {
			if rest[i] == "" {
				return nil, usagef("dns", "a nameserver's name is missing")
			}
			if _, err := netip.ParseAddr(rest[i+1]); err != nil {
				return nil, usagef("dns", "%q is not an address (write NSNAME IP pairs)", rest[i+1])
			}
			e.Servers = append(e.Servers, NameserverSpec{Name: rest[i], IP: rest[i+1]})
		}
		return e, nil
	case "associate", "disassociate":
		if len(w) != 4 || w[3] == "" {
			return nil, wordCount("dns", op+" takes one VPC")
		}
		return ZoneAssocEdit{Zone: zone, Op: op, VPC: w[3]}, nil
	case "create":
		if len(w) < 5 || w[3] != "private" {
			return nil, wordCount("dns", "only private zones are created here: create private VPC [VPC...]")
		}
		for _, v := range w[4:] {
			if v == "" {
				return nil, usagef("dns", "a VPC name is empty")
			}
		}
		return ZoneEdit{Zone: zone, Op: op, VPCs: slices.Clone(w[4:])}, nil
	case "delete":
		if len(w) != 3 {
			return nil, wordCount("dns", "delete takes nothing more")
		}
		return ZoneEdit{Zone: zone, Op: op}, nil
	}
	return nil, usagef("dns", "%q is not set, remove, delegate, associate, disassociate, create or delete", op)
}

func checkRecord(typ string, values []string) error {
	if len(values) == 0 {
		return usagef("dns", "a record needs at least one value")
	}
	switch typ {
	case "A", "AAAA":
		for _, v := range values {
			a, err := netip.ParseAddr(v)
			if err != nil || a.Is4() != (typ == "A") {
				return usagef("dns", "%q is not an IPv%s address", v, map[bool]string{true: "4", false: "6"}[typ == "A"])
			}
		}
	case "CNAME":
		if len(values) != 1 {
			return usagef("dns", "a CNAME has exactly one value")
		}
	case "MX", "TXT", "NS":
	default:
		return usagef("dns", "record type %q is not one of A, AAAA, CNAME, MX, TXT, NS", typ)
	}
	return nil
}

func (e DNSRecordEdit) String() string {
	if e.Op == "remove" {
		return JoinLine([]string{"dns", e.Zone, "remove", e.Name, e.Type})
	}
	w := []string{"dns", e.Zone, "set", e.Name, e.Type}
	if e.TTL != nil {
		w = append(w, "ttl", strconv.Itoa(*e.TTL))
	}
	return JoinLine(append(w, e.Values...))
}

func (e DNSRecordEdit) Apply(s *WorldSpec) (Edit, error) { u, _, err := e.apply(s); return u, err }

// recordsAt returns the values and the TTL of the records at rel of type
// typ, and whether there are any.
func recordsAt(z *ZoneSpec, rel, typ string) (vals []string, ttl *int, found bool) {
	for _, r := range z.Records {
		if RelRecord(z.Name, r.Name) == rel && strings.EqualFold(r.Type, typ) {
			vals = append(vals, r.AllValues()...)
			if ttl == nil && r.TTL != nil {
				t := *r.TTL
				ttl = &t
			}
			found = true
		}
	}
	return vals, ttl, found
}

func (e DNSRecordEdit) apply(s *WorldSpec) (Edit, string, error) {
	z, err := SpecZone(s, e.Zone)
	if err != nil {
		return nil, "", err
	}
	typ := strings.ToUpper(e.Type)
	rel := RelRecord(z.Name, e.Name)
	oldVals, oldTTL, had := recordsAt(z, rel, typ)
	if oldTTL != nil && *oldTTL == defaultTTL {
		oldTTL = nil // the default, which a record without ttl gets
	}
	undo := DNSRecordEdit{Zone: e.Zone, Op: "set", Name: rel, Type: typ, Values: oldVals, TTL: oldTTL}
	switch e.Op {
	case "set":
		if err := checkRecord(typ, e.Values); err != nil {
			return nil, "", err
		}
		ttl := e.TTL
		var keep []RecordSpec
		for _, r := range z.Records {
			if RelRecord(z.Name, r.Name) != rel {
				keep = append(keep, r)
				continue
			}
			rt := strings.ToUpper(r.Type)
			switch {
			case rt == typ:
				if ttl == nil {
					ttl = r.TTL
				}
			case rt == "CNAME":
				return nil, "", fmt.Errorf("%s has a CNAME (→ %s), and a CNAME stands alone: remove it first (dns %s remove %s CNAME)", rel, r.Value, e.Zone, rel)
			case typ == "CNAME":
				return nil, "", fmt.Errorf("%s has %s records, and a CNAME stands alone: remove them first (dns %s remove %s %s)", rel, rt, e.Zone, rel, rt)
			default:
				keep = append(keep, r)
			}
		}
		if ttl != nil {
			t := *ttl
			ttl = &t
		}
		rec := RecordSpec{Name: rel, Type: typ, TTL: ttl}
		if len(e.Values) == 1 {
			rec.Value = e.Values[0]
		} else {
			rec.Values = slices.Clone(e.Values)
		}
		z.Records = append(keep, rec)
		switch {
		case !had:
			undo = DNSRecordEdit{Zone: e.Zone, Op: "remove", Name: rel, Type: typ}
		case e.TTL == nil:
			undo.TTL = nil // the records kept their TTL
		case undo.TTL == nil:
			undo.TTL = &[]int{defaultTTL}[0] // set ttl back to the default explicitly
		}
		return undo, fmt.Sprintf("%s: %s %s now %s", z.Name, rel, typ, strings.Join(e.Values, ", ")), nil
	case "remove":
		if !had {
			return nil, "", fmt.Errorf("zone %s has no %s record for %s", z.Name, typ, rel)
		}
		z.Records = slices.DeleteFunc(z.Records, func(r RecordSpec) bool {
			return RelRecord(z.Name, r.Name) == rel && strings.ToUpper(r.Type) == typ
		})
		if len(undo.Values) == 0 {
			// A record without values cannot be written back as a command;
			// such a record does not validate, so this is a spec in the
			// middle of being built.
			undo.Values = []string{""}
		}
		return undo, fmt.Sprintf("%s: removed %s %s", z.Name, rel, typ), nil
	}
	return nil, "", usagef("dns", "%q is not set or remove", e.Op)
}

func (e DNSDelegateEdit) String() string {
	w := []string{"dns", e.Zone, "delegate"}
	for _, n := range e.Servers {
		w = append(w, n.Name, n.IP)
	}
	return JoinLine(w)
}

func (e DNSDelegateEdit) Apply(s *WorldSpec) (Edit, error) { u, _, err := e.apply(s); return u, err }

func (e DNSDelegateEdit) apply(s *WorldSpec) (Edit, string, error) {
	z, err := SpecZone(s, e.Zone)
	if err != nil {
		return nil, "", err
	}
	if z.Private {
		return nil, "", fmt.Errorf("%s is a private zone: nothing delegates to it", z.Name)
	}
	if len(e.Servers) == 0 {
		return nil, "", usagef("dns", "delegate takes NSNAME IP pairs")
	}
	old := z.Delegation
	if len(old) == 0 {
		old = z.Nameservers // no delegation means the zone's own servers
	}
	undo := DNSDelegateEdit{Zone: e.Zone, Servers: slices.Clone(old)}
	z.Delegation = slices.Clone(e.Servers)
	var parts []string
	for _, n := range e.Servers {
		parts = append(parts, n.Name+" ("+n.IP+")")
	}
	return undo, fmt.Sprintf("%s: the parent now delegates to %s", z.Name, strings.Join(parts, ", ")), nil
}

func (e ZoneAssocEdit) String() string { return JoinLine([]string{"dns", e.Zone, e.Op, e.VPC}) }

func (e ZoneAssocEdit) Apply(s *WorldSpec) (Edit, error) { u, _, err := e.apply(s); return u, err }

func (e ZoneAssocEdit) apply(s *WorldSpec) (Edit, string, error) {
	z, err := SpecZone(s, e.Zone)
	if err != nil {
		return nil, "", err
	}
	if !z.Private {
		return nil, "", fmt.Errorf("%s is a public zone: only private zones are associated with VPCs", z.Name)
	}
	has := slices.Contains(z.VPCs, e.VPC)
	switch e.Op {
	case "associate":
		if has {
			return nil, "", fmt.Errorf("%s is already associated with VPC %s", z.Name, e.VPC)
		}
		z.VPCs = append(z.VPCs, e.VPC)
		return ZoneAssocEdit{Zone: e.Zone, Op: "disassociate", VPC: e.VPC}, fmt.Sprintf("%s: associated with VPC %s", z.Name, e.VPC), nil
	case "disassociate":
		if !has {
			return nil, "", fmt.Errorf("%s is not associated with VPC %s", z.Name, e.VPC)
		}
		z.VPCs = slices.DeleteFunc(z.VPCs, func(v string) bool { return v == e.VPC })
		return ZoneAssocEdit{Zone: e.Zone, Op: "associate", VPC: e.VPC}, fmt.Sprintf("%s: no longer associated with VPC %s", z.Name, e.VPC), nil
	}
	return nil, "", usagef("dns", "%q is not associate or disassociate", e.Op)
}

func (e ZoneEdit) String() string {
	if e.Op == "create" {
		return JoinLine(append([]string{"dns", e.Zone, "create", "private"}, e.VPCs...))
	}
	return JoinLine([]string{"dns", e.Zone, e.Op})
}

func (e ZoneEdit) Apply(s *WorldSpec) (Edit, error) { u, _, err := e.apply(s); return u, err }

func (e ZoneEdit) apply(s *WorldSpec) (Edit, string, error) {
	switch e.Op {
	case "create":
		name := strings.TrimPrefix(strings.TrimPrefix(e.Zone, "private:"), "public:")
		if name == "" || len(e.VPCs) == 0 {
			return nil, "", usagef("dns", "a private zone needs a name and at least one VPC")
		}
		if z, err := SpecZone(s, "private:"+name); err == nil {
			return nil, "", fmt.Errorf("a private zone %s exists already", z.Name)
		}
		s.DNS.Zones = append(s.DNS.Zones, ZoneSpec{Name: name, Private: true, VPCs: slices.Clone(e.VPCs)})
		return ZoneEdit{Zone: "private:" + name, Op: "delete"}, fmt.Sprintf("created private zone %s for VPC %s", name, strings.Join(e.VPCs, ", ")), nil
	case "delete":
		z, i, err := specZone(s, e.Zone)
		if err != nil {
			return nil, "", err
		}
		if !z.Private {
			return nil, "", fmt.Errorf("%s is a public zone: only private zones are deleted here", z.Name)
		}
		if len(z.Records) > 0 {
			return nil, "", fmt.Errorf("zone %s still holds %d records: remove them first (a zone is deleted only when empty)", z.Name, len(z.Records))
		}
		undo := ZoneEdit{Zone: z.Name, Op: "create", VPCs: slices.Clone(z.VPCs)}
		if len(undo.VPCs) == 0 {
			return nil, "", fmt.Errorf("private zone %s is associated with no VPC", z.Name)
		}
		s.DNS.Zones = slices.Delete(s.DNS.Zones, i, i+1)
		return undo, fmt.Sprintf("deleted private zone %s", z.Name), nil
	}
	return nil, "", usagef("dns", "%q is not create or delete", e.Op)
}
