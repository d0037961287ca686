// Package public is the people's surface: the home page, alert and notice
// pages, the report form and its JSON twin, sign-ups and their codes, the
// check of a forwarded text (/verify and its API). Nobody signs in here, and nothing here knows who
// anyone is.
//
// It must never import another surface package, the sender, a provider or
// the vault: it seals a phone number at once and never opens one, and it
// never logs or stores an IP address, a user agent or a number in the
// clear.
package public

import (
	"github.com/tocsin/tocsin/internal/geo"
	"github.com/tocsin/tocsin/internal/phone"
	"github.com/tocsin/tocsin/internal/store"
	"github.com/tocsin/tocsin/internal/web/abuse"
	"github.com/tocsin/tocsin/internal/web/logview"
	"github.com/tocsin/tocsin/internal/web/webkit"
)

// Store is what the people's pages read and write: reports, sign-ups, the
// alerts and notices they show, partners' keys (a report may come with
// one), the abuse limits' buckets, and the log they serve.
type Store interface {
	store.Reports
	store.Signups
	store.Alerts
	store.Notices
	store.APIKeys
	store.Limits
	store.Log
}

// Config is what the people's pages need besides the shared kit.
type Config struct {
	Store  Store
	Sealer *phone.Sealer
	ZIPs   *geo.ZIPs
	// SMSPolicy is the numbers the service texts: sign-ups for any other
	// are refused at the form.
	SMSPolicy *phone.Policy
	// Wake tells an in-process sender that work is waiting.
	Wake func()
}

// Handler serves the people's pages.
type Handler struct {
	*webkit.Kit
	cfg     Config
	limits  *abuse.Limiter
	logs    *logview.Checker
	service serviceTexts         // the replies' templates, to recognise them at /verify
	scans   *webkit.EventLimiter // the scans of alert rows for texts not in the log
}

// New returns the people's pages' handler.
func New(kit *webkit.Kit, cfg Config, limits *abuse.Limiter, logs *logview.Checker) *Handler {
	return &Handler{Kit: kit, cfg: cfg, limits: limits, logs: logs, service: newServiceTexts(kit.Name),
		scans: webkit.NewEventLimiter(unloggedScansPerMinute)}
}

// SetScansPerMinute changes how many texts a minute are compared with the
// alert rows (for tests).
func (s *Handler) SetScansPerMinute(n int) { s.scans = webkit.NewEventLimiter(n) }
