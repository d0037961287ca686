package console

import (
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// Where a log-in comes from, for throttling only. The address is reduced
// to its network prefix at once and never logged, stored or shown: the
// throttle keeps a keyed hash of it, in memory (see throttle.go).

// Source prefix lengths: a household or office is one source. A wider
// IPv6 block gives an attacker more sources, which only takes the account
// under attack sooner (auth.UnderAttack).
const (
	sourceBitsV4 = 24
	sourceBitsV6 = 56
)

// clientAddr is the address of the client that made r: the peer, or, when
// the peer is a trusted proxy, the rightmost address in X-Forwarded-For that
// is not a trusted proxy itself. X-Forwarded-For is never read otherwise:
// anyone can write it.
func (s *Handler) clientAddr(r *http.Request) netip.Addr {
	peer := peerAddr(r)
	if !s.trustedProxy(peer) {
		if len(s.proxies) == 0 && r.Header.Get("X-Forwarded-For") != "" {
			s.warnProxy.Do(func() {
				s.Log.Warn("requests carry X-Forwarded-For but no --trusted-proxy is set: behind a proxy, every log-in counts as one network source; set --trusted-proxy to the proxy's address")
			})
		}
		return peer
	}
	hops := strings.Split(strings.Join(r.Header.Values("X-Forwarded-For"), ","), ",")
	for i := len(hops) - 1; i >= 0; i-- {
		a, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			break // a malformed hop: trust nothing to its left
		}
		a = a.Unmap()
		if !s.trustedProxy(a) {
			return a
		}
		peer = a
	}
	return peer
}

func (s *Handler) trustedProxy(a netip.Addr) bool {
	for _, p := range s.proxies {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// peerAddr is the address of the TCP peer (the zero Addr if unknown).
func peerAddr(r *http.Request) netip.Addr {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	a, _ := netip.ParseAddr(host)
	return a.Unmap()
}

// sourceOf is the network source of an address: its /24 (IPv4) or /56
// (IPv6) prefix. An unknown address is one source of its own.
func sourceOf(a netip.Addr) netip.Prefix {
	bits := sourceBitsV6
	if a.Is4() {
		bits = sourceBitsV4
	}
	p, err := a.Prefix(bits)
	if err != nil {
		return netip.Prefix{}
	}
	return p
}

// source is the network source of r's client.
func (s *Handler) source(r *http.Request) netip.Prefix {
	return sourceOf(s.clientAddr(r))
}
