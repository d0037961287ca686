// Package web is tocsin's public face and operator console: the report form
// and API, web sign-ups, inbound SMS webhooks, public alert pages and the
// console where verified reports become alerts.
//
// It is the exposed tier. It must never import the sender, a provider or the
// vault: it can seal a phone number but never open one, and it can ask for
// an alert to be sent but never send a message itself. It never logs or
// stores an IP address, a user agent or a phone number in the clear.
package web

import (
	"embed"
	"log/slog"
	"net/http"
	"time"

	"github.com/tocsin/tocsin/internal/audience"
	"github.com/tocsin/tocsin/internal/geo"
	"github.com/tocsin/tocsin/internal/phone"
	"github.com/tocsin/tocsin/internal/store"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Config is what the web tier needs.
type Config struct {
	Store  store.Store
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
	// KannelHookSecret, when set, lets the web tier check Kannel's calls
	// itself (the secret cannot send): delivery reports go straight to the
	// ledger. Without it they are sealed to the sender like other hooks.
	KannelHookSecret string
	// Secure marks cookies Secure and sends HSTS (served over TLS).
	Secure bool
	// Limits bound what anonymous callers can spend (limits.go).
	Limits Limits
	// LogPublicKey is the transparency log's public key (the note verifier
	// key in log.pub), to check checkpoints before showing proofs.
	LogPublicKey string
	// TrustAnchor is the root public key the roster chain verifies back to
	// (public; nil before tocsin init).
	TrustAnchor []byte
}

// Server serves HTTP.
type Server struct {
	cfg      Config
	events   *eventLimiter
	limits   *limiter
	tmpl     *templates
	audience *audience.Resolver
	mux      *http.ServeMux
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
	t, err := parseTemplates()
	if err != nil {
		return nil, err
	}
	s := &Server{cfg: cfg, events: &eventLimiter{perMinute: 60}, limits: newLimiter(cfg.Limits, cfg.CSRFKey), tmpl: t, audience: &audience.Resolver{ZIPs: cfg.ZIPs}, mux: http.NewServeMux()}
	s.routes()
	return s, nil
}

// ServeHTTP serves a request through the middleware chain.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.recoverer(s.securityHeaders(s.logRequests(s.watchCredentials(s.mux)))).ServeHTTP(w, r)
}
