// Package console is the operators' daily screens: signing in (the
// password, the second factor, enrolment), the report queue and its
// triage, the alert list, the composer and its preview, and the counts of
// subscribers.
//
// It must never import another surface package, the sender, a provider or
// the vault. An alert composed here is a draft: it goes out only with the
// operators' signatures, which the sender checks. The sign-in throttle
// keeps a keyed hash of a network prefix in memory, never an address.
package console

import (
	"context"
	"net/netip"
	"sync"

	"github.com/tocsin/tocsin/internal/audience"
	"github.com/tocsin/tocsin/internal/auth"
	"github.com/tocsin/tocsin/internal/geo"
	"github.com/tocsin/tocsin/internal/store"
	"github.com/tocsin/tocsin/internal/web/webkit"
)

// Store is what the daily screens read and write: reports, alerts and the
// audiences they reach, the counts, operators and their sessions, and the
// audit trail, approvals and security events (store.Trust); sign-in and
// enrolment write in one transaction.
type Store interface {
	store.Reports
	store.Alerts
	store.Audience
	store.Counts
	store.Operators
	store.Audit
	store.Trust
	InWebTx(ctx context.Context, fn func(q store.WebQuerier) error) error
}

// maxThrottled bounds the log-in throttle's memory (about 100 bytes an
// entry); past it, new sources go uncounted until entries expire, and only
// the account-wide rules hold.
const maxThrottled = 100_000

// Handler serves the daily screens.
type Handler struct {
	*webkit.Kit
	st       Store
	zips     *geo.ZIPs
	audience *audience.Resolver
	throttle *sourceThrottle
	// proxies are the reverse proxies whose X-Forwarded-For names the
	// client (for log-in throttling only).
	proxies   []netip.Prefix
	warnProxy sync.Once
}

// New returns the daily screens' handler.
func New(kit *webkit.Kit, st Store, zips *geo.ZIPs, proxies []netip.Prefix) *Handler {
	return &Handler{Kit: kit, st: st, zips: zips, audience: &audience.Resolver{ZIPs: zips},
		throttle: newSourceThrottle(auth.FailureWindow, maxThrottled), proxies: proxies}
}
