package incident

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/tocsin/tocsin/internal/stix"
)

// ErrNoIndicators is returned by IOCs for an incident none of whose events
// came with a network source: there is nothing to export.
var ErrNoIndicators = errors.New("incident: no event of the incident has a source address: no network indicator to export")

// addressValidity is how long after its last sighting an address indicator
// stays valid: addresses are reassigned, and a stale one blocks someone else.
const addressValidity = 90 * 24 * time.Hour

// IOCs returns the network indicators of the incident's events as a STIX 2.1
// bundle (JSON): an identity for the instance, an ipv4-addr or ipv6-addr
// observable and an indicator for each source address, an indicator for
// each user agent, and for each event with a source an observed-data (the
// address, and a network-traffic with the HTTP request) and a sighting of
// the address's indicator. Events without a source address are left out.
//
// Ids are deterministic except the bundle's: the same incident exported
// again gives the same objects, with modified set to now. IOCs refuses
// (with an error) to return a bundle in which any string looks like a phone
// number, and checks its own output with stix.Validate.
func IOCs(inc Incident, now time.Time) ([]byte, error) {
	if inc.ID == "" {
		return nil, errors.New("incident: the incident has no id")
	}
	evs, err := networkEvents(inc.Events)
	if err != nil {
		return nil, err
	}
	if len(evs) == 0 {
		return nil, ErrNoIndicators
	}
	if last := evs[len(evs)-1].At; millis(now).Before(millis(last)) {
		return nil, fmt.Errorf("incident: event %d at %s is after now (%s)", evs[len(evs)-1].ID, stix.Timestamp(last), stix.Timestamp(now))
	}
	b := &iocBuilder{service: clean(inc.service()), incidentID: clean(inc.ID), modified: millis(now)}
	if err := b.build(evs); err != nil {
		return nil, err
	}
	id, err := uuid.NewRandom()
	if err != nil {
		return nil, fmt.Errorf("incident: bundle id: %w", err)
	}
	out, err := encode(stix.Bundle{Type: "bundle", ID: "bundle--" + id.String(), Objects: b.objects})
	if err != nil {
		return nil, err
	}
	if err := refusePhones(out); err != nil {
		return nil, err
	}
	if err := stix.Validate(out); err != nil {
		return nil, fmt.Errorf("incident: the bundle made does not validate: %w", err)
	}
	return out, nil
}

func encode(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return nil, fmt.Errorf("incident: encode bundle: %w", err)
	}
	return buf.Bytes(), nil
}

// iocBuilder collects the objects of one bundle.
type iocBuilder struct {
	service    string
	incidentID string
	modified   time.Time
	identityID string
	addrRefs   map[netip.Addr]string // address → observable id
	addrInds   map[netip.Addr]string // address → indicator id
	objects    []any
}

func (b *iocBuilder) build(evs []netEvent) error {
	b.objects = append(b.objects, b.identity())
	b.addrRefs, b.addrInds = map[netip.Addr]string{}, map[netip.Addr]string{}
	for _, s := range tally(evs, func(e *netEvent) string { return e.addr.String() }) {
		if err := b.address(s); err != nil {
			return err
		}
	}
	for _, s := range tally(evs, func(e *netEvent) string { return e.ua }) {
		b.objects = append(b.objects, b.userAgent(s))
	}
	for i := range evs {
		if err := b.event(&evs[i]); err != nil {
			return err
		}
	}
	return nil
}

// identityCreated is when the producer identity is said to be created: a
// fixed time, since its only content, the service's name, fixes its id.
func identityCreated() time.Time { return time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC) }

func (b *iocBuilder) identity() stix.Identity {
	b.identityID = objectID("identity", b.service, "", "producer")
	return stix.Identity{
		SDO:           stix.SDO{Type: "identity", SpecVersion: stix.SpecVersion, ID: b.identityID, Created: stix.Timestamp(identityCreated()), Modified: stix.Timestamp(identityCreated())},
		Name:          b.service,
		Description:   "A tocsin instance (community SMS alert network). It saw these indicators touch its bait: canary keys, decoy URLs, canary accounts.",
		IdentityClass: "system",
	}
}

func (b *iocBuilder) sdo(typ, key string, created time.Time) stix.SDO {
	created = millis(created)
	return stix.SDO{Type: typ, SpecVersion: stix.SpecVersion, ID: objectID(typ, b.service, b.incidentID, key),
		CreatedByRef: b.identityID, Created: stix.Timestamp(created), Modified: stix.Timestamp(b.modified)}
}

func (b *iocBuilder) address(s *seen) error {
	addr := netip.MustParseAddr(s.value)
	typ := "ipv6-addr"
	if addr.Is4() {
		typ = "ipv4-addr"
	}
	id, err := stix.ObservableID(typ, map[string]any{"value": s.value})
	if err != nil {
		return err
	}
	b.addrRefs[addr] = id
	b.objects = append(b.objects, stix.Address{Type: typ, SpecVersion: stix.SpecVersion, ID: id, Value: s.value})
	until := stix.Timestamp(millis(s.last.Add(addressValidity)))
	ind := stix.Indicator{
		SDO:  b.sdo("indicator", "address\x00"+s.value, s.first),
		Name: "Source address " + s.value,
		Description: fmt.Sprintf("%s touched bait of %s %s (%s). An address can be shared (NAT, VPN, Tor, a cloud provider): treat it as a lead, not as a person.",
			s.value, b.service, times(s), strings.Join(s.kinds, ", ")),
		IndicatorTypes: indicatorTypes(s),
		Pattern:        "[" + typ + ":value = " + stix.Quote(s.value) + "]",
		PatternType:    "stix",
		PatternVersion: stix.SpecVersion,
		ValidFrom:      stix.Timestamp(millis(s.first)),
		ValidUntil:     &until,
	}
	b.addrInds[addr] = ind.ID
	b.objects = append(b.objects, ind)
	return nil
}

func (b *iocBuilder) userAgent(s *seen) stix.Indicator {
	return stix.Indicator{
		SDO:  b.sdo("indicator", "user-agent\x00"+s.value, s.first),
		Name: "User agent of requests to bait",
		Description: fmt.Sprintf("Requests with this User-Agent touched bait of %s %s (%s). A user agent is whatever the client says, and common ones are shared by many: match it only together with other indicators.",
			b.service, times(s), strings.Join(s.kinds, ", ")),
		IndicatorTypes: []string{"anomalous-activity"},
		Pattern:        "[network-traffic:extensions.'http-request-ext'.request_header.'User-Agent' = " + stix.Quote(s.value) + "]",
		PatternType:    "stix",
		PatternVersion: stix.SpecVersion,
		ValidFrom:      stix.Timestamp(millis(s.first)),
	}
}

func times(s *seen) string {
	if s.count == 1 {
		return "once, at " + stix.Timestamp(s.first).String()
	}
	return fmt.Sprintf("%d times between %s and %s", s.count, stix.Timestamp(s.first), stix.Timestamp(s.last))
}

func indicatorTypes(s *seen) []string {
	if s.severe {
		return []string{"malicious-activity"}
	}
	return []string{"anomalous-activity"}
}

// event adds what one event observed and its sighting.
func (b *iocBuilder) event(e *netEvent) error {
	key := fmt.Sprint(e.ID)
	refs := []string{b.addrRefs[e.addr]}
	if e.method != "" && e.path != "" {
		nt, err := b.traffic(e)
		if err != nil {
			return err
		}
		refs = append(refs, nt.ID)
		b.objects = append(b.objects, nt)
	}
	at := stix.Timestamp(millis(e.At))
	od := stix.ObservedData{SDO: b.sdo("observed-data", key, e.At), FirstObserved: at, LastObserved: at, NumberObserved: 1, ObjectRefs: refs}
	b.objects = append(b.objects, od, stix.Sighting{
		SDO:              b.sdo("sighting", key, e.At),
		Description:      fmt.Sprintf("Security event %d: %s (%s).", e.ID, clean(e.Kind), clean(e.Severity)),
		FirstSeen:        at,
		LastSeen:         at,
		Count:            1,
		SightingOfRef:    b.addrInds[e.addr],
		ObservedDataRefs: []string{od.ID},
		WhereSightedRefs: []string{b.identityID},
	})
	return nil
}

// traffic is the network-traffic observable of an event's HTTP request,
// with its deterministic id over start, src_ref, src_port, protocols and
// extensions (its id-contributing properties that it has).
func (b *iocBuilder) traffic(e *netEvent) (stix.NetworkTraffic, error) {
	ipProto := "ipv6"
	if e.addr.Is4() {
		ipProto = "ipv4"
	}
	headers := map[string]string{}
	for k, v := range e.headers {
		headers[k] = v
	}
	if e.ua != "" {
		headers["User-Agent"] = e.ua
	}
	ext := stix.HTTPRequestExt{RequestMethod: e.method, RequestValue: e.path}
	extJSON := map[string]any{"request_method": e.method, "request_value": e.path}
	if len(headers) > 0 {
		ext.RequestHeader = headers
		extJSON["request_header"] = headers
	}
	nt := stix.NetworkTraffic{Type: "network-traffic", SpecVersion: stix.SpecVersion, Start: stix.Timestamp(millis(e.At)),
		SrcRef: b.addrRefs[e.addr], Protocols: []string{ipProto, "tcp", "http"},
		Extensions: map[string]stix.HTTPRequestExt{"http-request-ext": ext}}
	contributing := map[string]any{
		"start":      nt.Start.String(),
		"src_ref":    nt.SrcRef,
		"protocols":  nt.Protocols,
		"extensions": map[string]any{"http-request-ext": extJSON},
	}
	if e.port >= 0 {
		port := e.port
		nt.SrcPort = &port
		contributing["src_port"] = port
	}
	id, err := stix.ObservableID("network-traffic", contributing)
	nt.ID = id
	return nt, err
}

// refusePhones returns an error if any string in the JSON document looks
// like a phone number. The error names where, never the number.
func refusePhones(doc []byte) error {
	var v any
	if err := json.Unmarshal(doc, &v); err != nil {
		return fmt.Errorf("incident: %w", err)
	}
	if where := findPhoneIn(v, "bundle"); where != "" {
		return fmt.Errorf("incident: refusing to export: a string in %s looks like a phone number, and a bundle must never carry one", where)
	}
	return nil
}

// findPhoneIn returns where in v (an object id, or "bundle") a string that
// looks like a phone number is, or "".
func findPhoneIn(v any, where string) string {
	switch v := v.(type) {
	case string:
		if i, _ := findPhone(v); i >= 0 {
			return where
		}
	case []any:
		for _, item := range v {
			if w := findPhoneIn(item, where); w != "" {
				return w
			}
		}
	case map[string]any:
		if id, ok := v["id"].(string); ok {
			where = id
		}
		for k, item := range v {
			if i, _ := findPhone(k); i >= 0 {
				return where
			}
			if w := findPhoneIn(item, where); w != "" {
				return w
			}
		}
	}
	return ""
}
