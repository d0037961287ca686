// Package webkit is what every surface of the web tier shares: the
// templates and their one parse at start, the pages' catalogue of texts,
// rendering, error pages and JSON errors, request decoding, sessions and
// CSRF, the audit and security-event helpers, the canary credentials and
// the state of the freeze as pages show it.
//
// It must never import a surface package (internal/web/...), the sender, a
// provider or the vault, and it holds the store only through the narrow
// Store below: it can record and read, never send or open a number.
package webkit

import (
	"embed"
	"io/fs"
	"log/slog"
	"net/http"
	"time"

	"github.com/tocsin/tocsin/internal/phone"
	"github.com/tocsin/tocsin/internal/store"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// TemplateFS is the templates, for the tests that read them.
func TemplateFS() fs.FS { return templateFS }

// Store is what the shared helpers read and write: sessions and operators,
// the audit trail, security events, the roster and freeze orders.
type Store interface {
	store.Operators
	store.Audit
	store.Trust
}

// Config is what the shared helpers need besides their store; the fields
// are read by every surface through its *Kit.
type Config struct {
	Log *slog.Logger
	Now func() time.Time
	// Name is the service's name as shown to people.
	Name string
	// BaseURL is the public URL, e.g. https://alerts.example.org ("" when
	// not configured).
	BaseURL string
	// CSRFKey binds form tokens to sessions; it also derives the canary
	// credentials of the decoy files.
	CSRFKey []byte
	// Secure marks cookies Secure.
	Secure bool
	// SMSNumbers are the service's public numbers, shown on every page.
	SMSNumbers []phone.Public
	// TrustAnchor is the root public key the roster chain verifies back to.
	TrustAnchor []byte
	// Location is the time zone pages show times in; nil means UTC.
	Location *time.Location
}

// Kit is the shared helpers of one web tier, built once by web.New and
// handed to every surface.
type Kit struct {
	Config
	st     Store // the helpers' own: a surface holds its own store, not this one
	tmpl   *templates
	events *EventLimiter // the security events unauthenticated requests cause
}

// New parses and checks every template and returns the kit. cfg's Log and
// Now must be set.
func New(cfg Config, st Store) (*Kit, error) {
	if cfg.Location == nil {
		cfg.Location = time.UTC
	}
	t, err := parseTemplates(cfg.Location)
	if err != nil {
		return nil, err
	}
	return &Kit{Config: cfg, st: st, tmpl: t, events: NewEventLimiter(60)}, nil
}

// Static serves the embedded static files under /static/.
func Static() http.Handler { return http.FileServerFS(staticFS) }
