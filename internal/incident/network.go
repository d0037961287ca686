package incident

import (
	"cmp"
	"fmt"
	"net/netip"
	"net/textproto"
	"slices"
	"strings"
	"time"
)

// sentHeaders are the request headers, besides User-Agent, that may go into
// a bundle: they describe the client and carry no secret. Authorization,
// cookies and the like never leave: they can hold the canary key itself or
// a real operator's session.
func sentHeaders() []string {
	return []string{"Accept", "Accept-Encoding", "Accept-Language", "Content-Type"}
}

// netEvent is an event with a network source, its attacker-supplied fields
// parsed and made safe to encode.
type netEvent struct {
	Event
	addr    netip.Addr
	port    int // -1 when the source had none
	ua      string
	method  string
	path    string // without query string or fragment
	headers map[string]string
}

// networkEvents returns the events that have a source address, oldest
// first. An address that does not parse is an error: the caller mapped
// something else into it.
func networkEvents(events []Event) ([]netEvent, error) {
	var out []netEvent
	for _, e := range events {
		if e.Net == nil || strings.TrimSpace(e.Net.SourceAddr) == "" {
			continue
		}
		addr, port, err := parseSource(e.Net.SourceAddr)
		if err != nil {
			return nil, fmt.Errorf("incident: event %d: %w", e.ID, err)
		}
		ne := netEvent{Event: e, addr: addr, port: port,
			ua:     clean(e.Net.UserAgent),
			method: clean(e.Net.Method),
			path:   cleanPath(e.Net.Path),
		}
		ne.headers = allowedHeaders(e.Net.Headers)
		if ne.ua == "" {
			ne.ua = clean(headerValue(e.Net.Headers, "User-Agent"))
		}
		out = append(out, ne)
	}
	slices.SortStableFunc(out, func(a, b netEvent) int {
		return cmp.Or(a.At.Compare(b.At), cmp.Compare(a.ID, b.ID))
	})
	return out, nil
}

// parseSource parses an IP address, with or without a port, dropping an
// IPv6 zone and unmapping an IPv4-mapped IPv6 address.
func parseSource(s string) (netip.Addr, int, error) {
	s = strings.TrimSpace(s)
	if a, err := netip.ParseAddr(s); err == nil {
		return a.Unmap().WithZone(""), -1, nil
	}
	ap, err := netip.ParseAddrPort(s)
	if err != nil {
		return netip.Addr{}, 0, fmt.Errorf("source address %q is not an IP address: %w", clean(s), err)
	}
	return ap.Addr().Unmap().WithZone(""), int(ap.Port()), nil
}

// clean makes attacker text valid UTF-8, so that what is hashed into an id
// is what is encoded.
func clean(s string) string { return strings.ToValidUTF8(s, "\uFFFD") }

// cleanPath drops the query string and the fragment: they can carry tokens
// and secrets (sign-up ids, hook secrets), and no indicator needs them.
func cleanPath(p string) string {
	p, _, _ = strings.Cut(p, "?")
	p, _, _ = strings.Cut(p, "#")
	return clean(p)
}

func allowedHeaders(h map[string]string) map[string]string {
	out := map[string]string{}
	for _, name := range sentHeaders() {
		if v := clean(headerValue(h, name)); v != "" {
			out[name] = v
		}
	}
	return out
}

// headerValue looks a header up whatever the case of its name; of two
// spellings of one name, the first in byte order wins.
func headerValue(h map[string]string, name string) string {
	keys := make([]string, 0, len(h))
	for k := range h {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if textproto.CanonicalMIMEHeaderKey(k) == name {
			return h[k]
		}
	}
	return ""
}

// seen is what is known of one indicator across the incident's events.
type seen struct {
	value       string
	first, last time.Time
	count       int
	kinds       []string
	severe      bool // seen in a high or critical event
}

func (s *seen) add(e *netEvent) {
	if s.count == 0 || e.At.Before(s.first) {
		s.first = e.At
	}
	if e.At.After(s.last) {
		s.last = e.At
	}
	s.count++
	if k := clean(e.Kind); !slices.Contains(s.kinds, k) {
		s.kinds = append(s.kinds, k)
		slices.Sort(s.kinds)
	}
	if e.Severity == "high" || e.Severity == "critical" {
		s.severe = true
	}
}

// tally groups events by key, in order of first sighting.
func tally(evs []netEvent, key func(*netEvent) string) []*seen {
	var out []*seen
	byKey := map[string]*seen{}
	for i := range evs {
		k := key(&evs[i])
		if k == "" {
			continue
		}
		s := byKey[k]
		if s == nil {
			s = &seen{value: k}
			byKey[k] = s
			out = append(out, s)
		}
		s.add(&evs[i])
	}
	return out
}
