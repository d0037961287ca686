// Package web is tocsin's public face and operator console: the report form
// and API, web sign-ups, inbound SMS webhooks, public alert pages and the
// console where verified reports become alerts.
//
// This package is the router and the middleware chain only. New builds the
// shared kit (webkit), the shared state (abuse, logview) and one handler
// per surface (public, console, consoleadmin, api, hooks, bait), each given
// only what it needs, and routes lists every endpoint in one place.
//
// It is the exposed tier. It must never import the sender, a provider or the
// vault: it can seal a phone number but never open one, and it can ask for
// an alert to be sent but never send a message itself. It never logs or
// stores an IP address, a user agent or a phone number in the clear.
package web

import (
	"fmt"
	"log/slog"
	"net/http"
	"net/netip"
	"time"

	"github.com/tocsin/tocsin/internal/geo"
	"github.com/tocsin/tocsin/internal/phone"
	"github.com/tocsin/tocsin/internal/store"
	"github.com/tocsin/tocsin/internal/tlog"
	"github.com/tocsin/tocsin/internal/web/abuse"
	"github.com/tocsin/tocsin/internal/web/api"
	"github.com/tocsin/tocsin/internal/web/bait"
	"github.com/tocsin/tocsin/internal/web/console"
	"github.com/tocsin/tocsin/internal/web/consoleadmin"
	"github.com/tocsin/tocsin/internal/web/hooks"
	"github.com/tocsin/tocsin/internal/web/logpub"
	"github.com/tocsin/tocsin/internal/web/logview"
	"github.com/tocsin/tocsin/internal/web/public"
	"github.com/tocsin/tocsin/internal/web/webkit"
)

// Config is what the web tier needs.
type Config struct {
	Store  store.Web
	Sealer *phone.Sealer
	ZIPs   *geo.ZIPs
	Log    *slog.Logger
	Now    func() time.Time
	// BaseURL is the public URL, e.g. https://alerts.example.org.
	BaseURL string
	// Name is the service's name as shown to people.
	Name string
	// CSRFKey binds form tokens to sessions (at least 16 bytes).
	CSRFKey []byte
	// Wake, when set, tells an in-process sender that work is waiting.
	Wake func()
	// DevHooks enables POST /hooks/sms/dev (outbox provider only).
	DevHooks bool
	// ProviderHooks names the providers whose webhooks are taken at
	// /hooks/sms/{name} ("twilio", "kannel").
	ProviderHooks []string
	// CanaryHook, "twilio" or "kannel", opens /hooks/sms/canary: the
	// inbound path of canary subscribers on another provider account or
	// carrier. Its requests are sealed whole to the sender, which checks
	// them; "" for none.
	CanaryHook string
	// KannelHookSecret, when set, lets the web tier check Kannel's calls
	// itself (the secret cannot send): delivery reports go straight to the
	// ledger. Without it they are sealed to the sender like other hooks.
	KannelHookSecret string
	// Secure marks cookies Secure and sends HSTS (served over TLS).
	Secure bool
	// Limits bound what anonymous callers can spend (limits.go).
	Limits abuse.Limits
	// SMSPolicy is the numbers the service texts (phone.Policy): sign-ups
	// for any other are refused at the form. nil means phone.DefaultPolicy
	// (the US and its territories).
	SMSPolicy *phone.Policy
	// LogPublicKey is the transparency log's public key (the note verifier
	// key in log.pub). The public pages show as genuine only alerts whose
	// statement is in the log under a checkpoint it verifies; without it,
	// none.
	LogPublicKey string
	// LogOrigin names the transparency log (its checkpoints' first line;
	// "tocsin-log" by default). Notices are drafted for it.
	LogOrigin string
	// TrustAnchor is the root public key the roster chain verifies back to
	// (public; nil before tocsin init).
	TrustAnchor []byte
	// TrustedProxies are the reverse proxies whose X-Forwarded-For names
	// the client (for log-in throttling only). Empty: the peer is the
	// client, and X-Forwarded-For is ignored.
	TrustedProxies []netip.Prefix
	// SMSNumbers are the service's public numbers, the ones people text
	// JOIN, STOP, START or REPORT to: every page that names a keyword shows
	// them, each as a link that opens a text with the keyword typed. Empty:
	// the pages say "our number".
	SMSNumbers []phone.Public
	// Location is the time zone pages show times in (each time names
	// it); nil means UTC.
	Location *time.Location
}

// MaxBody is the largest request body read anywhere except photo uploads.
const MaxBody = webkit.MaxBody

// Server serves HTTP.
type Server struct {
	kit     *webkit.Kit
	cfg     Config
	mux     *routeMux
	bait    *bait.Handler
	hooks   *hooks.Handler
	api     *api.Handler
	public  *public.Handler
	logpub  *logpub.Handler
	console *console.Handler
	admin   *consoleadmin.Handler
}

// New checks cfg, parses every template and returns a Server.
func New(cfg Config) (*Server, error) {
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Name == "" {
		cfg.Name = "tocsin"
	}
	if cfg.Wake == nil {
		cfg.Wake = func() {}
	}
	if cfg.LogOrigin == "" {
		cfg.LogOrigin = "tocsin-log"
	}
	if cfg.SMSPolicy == nil {
		cfg.SMSPolicy = phone.DefaultPolicy()
	}
	if cfg.LogPublicKey != "" {
		if err := tlog.CheckVerifier(cfg.LogPublicKey); err != nil {
			return nil, fmt.Errorf("the transparency log's public key (log.pub): %w", err)
		}
	}
	if cfg.Location == nil {
		cfg.Location = time.UTC
	}
	kit, err := webkit.New(webkit.Config{Log: cfg.Log, Now: cfg.Now, Name: cfg.Name, BaseURL: cfg.BaseURL, CSRFKey: cfg.CSRFKey, Secure: cfg.Secure,
		SMSNumbers: cfg.SMSNumbers, TrustAnchor: cfg.TrustAnchor, Location: cfg.Location}, cfg.Store)
	if err != nil {
		return nil, err
	}
	// The state several surfaces share: the abuse limits' and the checked
	// transparency log's.
	limits := abuse.New(cfg.Limits, cfg.CSRFKey, cfg.Store, cfg.Log, cfg.Now, cfg.SMSNumbers)
	logs := logview.NewChecker(kit, cfg.Store, cfg.LogPublicKey, cfg.LogOrigin)
	s := &Server{kit: kit, cfg: cfg, mux: newRouteMux(),
		bait: bait.New(kit, cfg.Store),
		hooks: hooks.New(kit, hooks.Config{Store: cfg.Store, Sealer: cfg.Sealer, CanaryHook: cfg.CanaryHook,
			KannelHookSecret: cfg.KannelHookSecret, Wake: cfg.Wake}),
		api: api.New(kit, cfg.Store, cfg.ZIPs, cfg.Wake),
		public: public.New(kit, public.Config{Store: cfg.Store, Sealer: cfg.Sealer, ZIPs: cfg.ZIPs, SMSPolicy: cfg.SMSPolicy, Wake: cfg.Wake},
			limits, logs),
		logpub:  logpub.New(kit, cfg.Store),
		console: console.New(kit, cfg.Store, cfg.ZIPs, cfg.TrustedProxies),
		admin:   consoleadmin.New(kit, cfg.Store, limits, logs, cfg.LogOrigin, cfg.Wake, bait.DecoyPaths()),
	}
	s.routes()
	return s, nil
}

// ServeHTTP serves a request through the middleware chain.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.recoverer(s.securityHeaders(s.logRequests(s.bait.WatchCredentials(s.mux)))).ServeHTTP(w, r)
}
