package stix

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
)

// Validate checks a STIX 2.1 bundle (JSON) against the rules of the STIX 2.1
// specification for the objects IOCs writes, and returns every problem it
// finds, joined, or nil. It checks:
//
//   - the bundle: type "bundle", an id "bundle--<UUID>", objects a list of
//     objects;
//   - every object: a type name as §2.8 allows (3–250 of a–z, 0–9 and "-",
//     no "--"), an id "<type>--<UUID>" whose prefix is the object's own
//     type and whose UUID is an RFC 4122 one (version 1–5, variant 10x),
//     no id twice (for domain objects, no id and modified twice);
//   - domain objects and relationships (SDOs, SROs): spec_version "2.1",
//     created and modified timestamps with millisecond precision, modified
//     not before created, created_by_ref to an identity;
//   - observables (SCOs): spec_version "2.1" when present; an ipv4-addr or
//     ipv6-addr value that is an address or CIDR block of its version; a
//     network-traffic with protocols and a src_ref or dst_ref to an
//     address, ports 0–65535, and an http-request-ext with request_method
//     and request_value; a UUIDv5 id that is the deterministic id of its
//     id-contributing properties (§2.9) — stricter than the spec's SHOULD,
//     for these types only;
//   - identity: a name; indicator: a pattern, a pattern_type, valid_from,
//     valid_until after it, and with pattern_type "stix" a pattern that
//     ValidatePattern accepts; observed-data: first_observed, last_observed
//     not before it, number_observed 1–999,999,999, object_refs to
//     observables or relationships; sighting: sighting_of_ref to a domain
//     object, observed_data_refs to observed-data, where_sighted_refs to
//     identities or locations, last_seen not before first_seen, count
//     0–999,999,999;
//   - every timestamp: YYYY-MM-DDTHH:MM:SS[.s]Z, in UTC;
//   - every property named *_ref or *_refs, at any depth: ids of the right
//     form that resolve to an object in the bundle (references to marking
//     definitions excepted: the TLP ones are never in a bundle).
func Validate(doc []byte) error {
	dec := json.NewDecoder(bytes.NewReader(doc))
	dec.UseNumber()
	var top map[string]any
	if err := dec.Decode(&top); err != nil {
		return fmt.Errorf("incident: bundle is not a JSON object: %w", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return errors.New("incident: bundle: data after the JSON object")
	}
	v := &validator{types: map[string]string{}}
	v.bundle(top)
	return errors.Join(v.errs...)
}

// validator gathers the problems of one bundle.
type validator struct {
	types map[string]string // id → type, of the objects in the bundle
	errs  []error
}

func (v *validator) failf(where, format string, args ...any) {
	v.errs = append(v.errs, fmt.Errorf("incident: %s: %s", where, fmt.Sprintf(format, args...)))
}

func (v *validator) bundle(top map[string]any) {
	if top["type"] != "bundle" {
		v.failf("bundle", "type is %v, want \"bundle\"", top["type"])
	}
	if err := checkID(top["id"], "bundle"); err != nil {
		v.failf("bundle", "%v", err)
	}
	raw, ok := top["objects"]
	if !ok {
		return
	}
	list, ok := raw.([]any)
	if !ok {
		v.failf("bundle", "objects is not a list")
		return
	}
	var objs []map[string]any
	seen := map[string]bool{}
	for i, item := range list {
		o, ok := item.(map[string]any)
		if !ok {
			v.failf(fmt.Sprintf("object %d", i), "not a JSON object")
			continue
		}
		id, ok := v.identify(o, i)
		if !ok {
			continue
		}
		key := id
		if category(o["type"].(string)) == "sdo" || category(o["type"].(string)) == "sro" {
			key += "\x00" + fmt.Sprint(o["modified"])
		}
		if seen[key] {
			v.failf(id, "appears twice in the bundle")
		}
		seen[key] = true
		v.types[id] = o["type"].(string)
		objs = append(objs, o)
	}
	for _, o := range objs {
		v.object(o)
	}
}

// identify checks an object's type and id and returns the id.
func (v *validator) identify(o map[string]any, i int) (string, bool) {
	where := fmt.Sprintf("object %d", i)
	typ, ok := o["type"].(string)
	if !ok {
		v.failf(where, "no type")
		return "", false
	}
	if err := checkTypeName(typ); err != nil {
		v.failf(where, "%v", err)
		return "", false
	}
	if err := checkID(o["id"], typ); err != nil {
		v.failf(where, "%v", err)
		return "", false
	}
	return o["id"].(string), true
}

// checkTypeName applies the rules of §2.8 to an object type name.
func checkTypeName(typ string) error {
	if len(typ) < 3 || len(typ) > 250 || strings.Contains(typ, "--") ||
		strings.Trim(typ, "abcdefghijklmnopqrstuvwxyz0123456789-") != "" {
		return fmt.Errorf("type %q is not a valid STIX type name", typ)
	}
	return nil
}

// checkID checks that id is "<typ>--<RFC 4122 UUID>".
func checkID(id any, typ string) error {
	s, ok := id.(string)
	if !ok {
		return fmt.Errorf("no id (want %s--<uuid>)", typ)
	}
	prefix, u, ok := strings.Cut(s, "--")
	if !ok || prefix != typ {
		return fmt.Errorf("id %q does not start with %q", s, typ+"--")
	}
	return checkUUID(u)
}

// checkUUID accepts the 8-4-4-4-12 hex form of an RFC 4122 UUID: variant
// 10x, version 1 to 5.
func checkUUID(u string) error {
	if len(u) != 36 {
		return fmt.Errorf("%q is not a UUID", u)
	}
	for i := 0; i < len(u); i++ {
		hyphen := i == 8 || i == 13 || i == 18 || i == 23
		if hyphen != (u[i] == '-') || (!hyphen && !isHex(rune(u[i]))) {
			return fmt.Errorf("%q is not a UUID", u)
		}
	}
	if u[14] < '1' || u[14] > '5' {
		return fmt.Errorf("UUID %q is not of version 1 to 5", u)
	}
	if !strings.ContainsRune("89abAB", rune(u[19])) {
		return fmt.Errorf("UUID %q is not of the RFC 4122 variant", u)
	}
	return nil
}

// object checks one object whose type and id are known good.
func (v *validator) object(o map[string]any) {
	c := &objectCheck{v: v, o: o, where: o["id"].(string)}
	typ := o["type"].(string)
	switch category(typ) {
	case "sdo", "sro":
		c.commonSDO()
	case "sco":
		c.commonSCO()
	}
	c.refsEverywhere(o)
	if check := typeChecks()[typ]; check != nil {
		check(c)
	}
}

// typeChecks are the type-specific checks, for the types IOCs writes.
func typeChecks() map[string]func(*objectCheck) {
	return map[string]func(*objectCheck){
		"identity":        (*objectCheck).identity,
		"indicator":       (*objectCheck).indicator,
		"observed-data":   (*objectCheck).observedData,
		"sighting":        (*objectCheck).sighting,
		"ipv4-addr":       (*objectCheck).address,
		"ipv6-addr":       (*objectCheck).address,
		"network-traffic": (*objectCheck).networkTraffic,
	}
}

// category is "sdo", "sro", "sco", "meta" for the object types of STIX 2.1,
// "" for others (custom objects, checked only for type, id and references).
func category(typ string) string {
	switch {
	case slices.Contains(sdoTypes(), typ):
		return "sdo"
	case typ == "relationship" || typ == "sighting":
		return "sro"
	case slices.Contains(scoTypes(), typ):
		return "sco"
	case typ == "marking-definition" || typ == "language-content" || typ == "extension-definition":
		return "meta"
	}
	return ""
}

func sdoTypes() []string {
	return []string{"attack-pattern", "campaign", "course-of-action", "grouping", "identity", "incident",
		"indicator", "infrastructure", "intrusion-set", "location", "malware", "malware-analysis", "note",
		"observed-data", "opinion", "report", "threat-actor", "tool", "vulnerability"}
}

func scoTypes() []string {
	return []string{"artifact", "autonomous-system", "directory", "domain-name", "email-addr", "email-message",
		"file", "ipv4-addr", "ipv6-addr", "mac-addr", "mutex", "network-traffic", "process", "software", "url",
		"user-account", "windows-registry-key", "x509-certificate"}
}

// stampValue reads a timestamp out of a decoded JSON value.
func stampValue(x any, millis bool) (time.Time, error) {
	s, ok := x.(string)
	if !ok {
		return time.Time{}, errors.New("is not a string")
	}
	return parseStamp(s, millis)
}

// addrValue checks an ipv4-addr or ipv6-addr value: an address or a CIDR
// block of the right version.
func addrValue(s string, v6 bool) error {
	if a, err := netip.ParseAddr(s); err == nil && a.Zone() == "" && a.Is6() == v6 {
		return nil
	}
	if p, err := netip.ParsePrefix(s); err == nil && p.Addr().Is6() == v6 {
		return nil
	}
	return fmt.Errorf("value %q is not an IPv%s address or CIDR block", s, map[bool]string{false: "4", true: "6"}[v6])
}

// deterministicID returns the UUIDv5 id an observable of type typ should
// have (§2.9), and false if none of its id-contributing properties are
// known to this package or present.
func deterministicID(o map[string]any, typ string) (string, bool) {
	props := map[string][]string{
		"ipv4-addr":       {"value"},
		"ipv6-addr":       {"value"},
		"network-traffic": {"start", "end", "src_ref", "dst_ref", "src_port", "dst_port", "protocols", "extensions"},
	}[typ]
	contributing := map[string]any{}
	for _, p := range props {
		if x, ok := o[p]; ok {
			contributing[p] = x
		}
	}
	if len(contributing) == 0 {
		return "", false
	}
	id, err := ObservableID(typ, contributing)
	return id, err == nil
}

// isV5 reports whether an id's UUID is of version 5.
func isV5(id string) bool {
	_, u, _ := strings.Cut(id, "--")
	parsed, err := uuid.Parse(u)
	return err == nil && parsed.Version() == 5
}
