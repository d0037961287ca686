package console

import (
	"log/slog"
	"net/http/httptest"
	"net/netip"
	"testing"
	"time"

	"github.com/tocsin/tocsin/internal/auth"
	"github.com/tocsin/tocsin/internal/web/webkit"
)

func TestSourceThrottle(t *testing.T) {
	t0 := time.Date(2026, 11, 25, 14, 10, 0, 0, time.UTC)
	a, b := netip.MustParsePrefix("198.51.100.0/24"), netip.MustParsePrefix("203.0.113.0/24")
	th := newSourceThrottle(time.Hour, 3)
	for range auth.FreeFailures {
		if _, _, ok := th.try("ana", a, t0); !ok {
			t.Fatal("a free try refused")
		}
	}
	if _, _, ok := th.try("ana", a, t0); ok {
		t.Fatal("a held-back source tried again")
	}
	if _, _, ok := th.try("ana", b, t0); !ok {
		t.Fatal("another source is held back")
	}
	if _, _, ok := th.try("ben", a, t0); !ok {
		t.Fatal("another account is held back")
	}
	// The table is full (3 entries): a new source goes uncounted.
	if _, n, ok := th.try("carl", a, t0); !ok || n != 0 {
		t.Errorf("full table: n %d ok %v, want an uncounted try", n, ok)
	}
	// A refund gives the try back, its time too.
	_, n, _ := th.try("ana", b, t0.Add(time.Minute))
	th.refund("ana", b, t0.Add(time.Minute))
	if _, m, _ := th.try("ana", b, t0.Add(2*time.Minute)); m != n {
		t.Errorf("after a refund the count is %d, want %d", m, n)
	}
	// The next window: a new key; the entry moves to it and still counts.
	key := th.cur.key
	at := t0.Add(time.Hour - 5*time.Minute) // 15:05, the next hour
	if _, n, ok := th.try("ana", a, at); !ok || n != auth.FreeFailures+1 {
		t.Fatalf("within its window: n %d ok %v, want try %d", n, ok, auth.FreeFailures+1)
	}
	if th.cur.key == key || th.prev == nil || th.prev.key != key {
		t.Fatal("no new key in the next window")
	}
	// A window after its last failure, the source is forgotten, and two
	// windows on no key that named it is left.
	if _, n, ok := th.try("ana", a, t0.Add(3*time.Hour)); !ok || n != 1 {
		t.Errorf("after the window: n %d ok %v, want a first try", n, ok)
	}
	if th.prev != nil && th.prev.key == key || th.cur.key == key {
		t.Error("an old key is still held")
	}
	th.succeeded("ana", a, t0.Add(3*time.Hour))
	if e := th.find("ana", a, t0.Add(3*time.Hour), false); e != nil {
		t.Error("a good login left the source's count")
	}
}

func TestClientSource(t *testing.T) {
	proxy := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("::1/128")}
	tests := []struct {
		name    string
		trusted []netip.Prefix
		peer    string
		xff     []string
		want    string
	}{
		{"peer", nil, "198.51.100.7:5000", nil, "198.51.100.0/24"},
		{"IPv6 peer", nil, "[2001:db8:1:2:3::9]:5000", nil, "2001:db8:1::/56"},
		{"mapped", nil, "[::ffff:198.51.100.7]:5000", nil, "198.51.100.0/24"},
		{"forged without a trusted proxy", nil, "198.51.100.7:5000", []string{"203.0.113.9"}, "198.51.100.0/24"},
		{"forged by an untrusted peer", proxy, "198.51.100.7:5000", []string{"203.0.113.9"}, "198.51.100.0/24"},
		{"trusted proxy", proxy, "10.1.2.3:5000", []string{"203.0.113.9"}, "203.0.113.0/24"},
		{"prepended lie", proxy, "10.1.2.3:5000", []string{"192.0.2.1, 203.0.113.9"}, "203.0.113.0/24"},
		{"two proxies", proxy, "10.1.2.3:5000", []string{"203.0.113.9", "10.9.9.9"}, "203.0.113.0/24"},
		{"malformed hop", proxy, "10.1.2.3:5000", []string{"203.0.113.9, junk"}, "10.1.2.0/24"},
		{"no header", proxy, "[::1]:5000", nil, "::/56"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := &Handler{Kit: &webkit.Kit{Config: webkit.Config{Log: slog.New(slog.DiscardHandler)}}, proxies: tt.trusted}
			r := httptest.NewRequest("POST", "/console/login", nil)
			r.RemoteAddr = tt.peer
			for _, v := range tt.xff {
				r.Header.Add("X-Forwarded-For", v)
			}
			if got := s.source(r); got.String() != tt.want {
				t.Errorf("source = %s, want %s", got, tt.want)
			}
		})
	}
}
