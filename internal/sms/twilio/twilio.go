// Package twilio is tocsin's Twilio SMS provider. Through Twilio's official
// Go SDK (github.com/twilio/twilio-go) it sends messages from a number or a
// Messaging Service (sms.Provider), lists what the account sent so the
// sender can reconcile it with its ledger (sms.Lister), and checks and
// decodes Twilio's webhooks, inbound texts and status callbacks, by their
// X-Twilio-Signature (sms.Webhooks).
//
// It belongs to the sender role. It holds credentials that can text every
// subscriber, so the web role must never import it, directly or through
// another package, and must never be configured with its Config. It must
// never log, print or put into an error a phone number or a credential:
// numbers leave it only in requests to Twilio and as phone.Number values
// (which redact themselves); Twilio's error messages are passed on with
// anything that looks like a phone number removed; Config and Provider
// print with their secrets redacted.
//
// Credentials: sending and listing use an API key (SK…) and its secret,
// never the account auth token. The auth token is needed only because
// Twilio signs webhooks with it, and it can also send, so it is as precious
// as the key (see docs/ for how the split deployment keeps it out of the
// web role).
//
// Idempotency: Twilio's Messages API has no idempotency key. A send whose
// answer was lost may have been accepted; such errors wrap ErrMaybeSent as
// well as sms.ErrTemporary. The sender's ledger gives at-most-once per
// recipient; on ErrMaybeSent it can compare ListSent with the ledger
// before deciding to retry.
package twilio

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/twilio/twilio-go/client"

	"github.com/tocsin/tocsin/internal/phone"
	"github.com/tocsin/tocsin/internal/sms"
)

// Name is the provider's name, as Provider.Name returns it.
const Name = "twilio"

// twilioAPI is the base URL the SDK builds every request on. Requests to
// anything else are refused, so the credentials cannot be sent elsewhere.
const twilioAPI = "https://api.twilio.com"

// Twilio's limits on ValidityPeriod, in seconds.
const (
	minValidity = 1
	maxValidity = 36000
)

// defaultTimeout bounds one request when Config.HTTPClient is nil (the
// SDK's own default is also 10 s).
const defaultTimeout = 10 * time.Second

// listPageSize is the page size asked for when listing (Twilio's maximum).
const listPageSize = 1000

// Errors, besides the sms package's.
var (
	// ErrAuth: Twilio refused the credentials (HTTP 401 or 403). It wraps
	// sms.ErrPermanent because retrying cannot help, but it is no fault of
	// the recipient: a sender must test for ErrAuth BEFORE
	// sms.ErrPermanent, stop sending through this provider, leave the
	// message queued, and raise an alarm (revoked key, or someone rotated
	// it).
	ErrAuth = fmt.Errorf("%w: %w: twilio refused the credentials", sms.ErrAuth, sms.ErrPermanent)
	// ErrMaybeSent: the request may have reached Twilio but no usable
	// answer came back (a timeout after the request was written, a
	// broken connection, an unreadable success). It always comes wrapped
	// together with sms.ErrTemporary. Twilio has no idempotency key, so a
	// retry may send the message twice.
	ErrMaybeSent = errors.New("twilio: the request may have been accepted")
)

// Config configures a Provider. Its String, GoString and LogValue redact the
// secrets, but keep it out of logs anyway.
type Config struct {
	AccountSID string // AC…
	APIKey     string // SK…: with APISecret, used to send and list
	APISecret  string
	// AuthToken is used only to check webhook signatures (Twilio signs
	// with it). It must not be the APISecret.
	AuthToken string
	// From is the E.164 sending number, or MessagingServiceSID the MG…
	// Messaging Service; exactly one of the two.
	From                string
	MessagingServiceSID string
	// StatusCallback is the public URL of /hooks/sms/twilio, sent with each
	// message so that Twilio reports delivery. It must be https (http only
	// for a loopback host, in tests); "" sends none.
	StatusCallback string
	// BaseURL replaces https://api.twilio.com, e.g. with a
	// twiliotest.Server's URL; "" means Twilio.
	BaseURL string
	// HTTPClient carries the requests; nil means a client with a 10 s
	// timeout. Its Timeout bounds each call (send, or a whole listing)
	// on top of the caller's context; redirects are never followed.
	HTTPClient *http.Client
	// Now is the clock, for ValidityPeriod and receipt times; nil means
	// time.Now.
	Now func() time.Time
}

// String describes c without its secrets.
func (c Config) String() string {
	return fmt.Sprintf("twilio.Config{AccountSID:%s APIKey:%s APISecret:%s AuthToken:%s From:%s MessagingServiceSID:%s StatusCallback:%s BaseURL:%s}",
		c.AccountSID, c.APIKey, redact(c.APISecret), redact(c.AuthToken), phone.Number(c.From), c.MessagingServiceSID, c.StatusCallback, c.BaseURL)
}

// GoString is String, so that %#v does not print the secrets either.
func (c Config) GoString() string { return c.String() }

// LogValue is String, for slog.
func (c Config) LogValue() slog.Value { return slog.StringValue(c.String()) }

func redact(secret string) string {
	if secret == "" {
		return `""`
	}
	return "[redacted]"
}

// Provider sends through Twilio, lists what the account sent and checks
// Twilio's webhooks. It is safe for concurrent use.
type Provider struct {
	accountSID string
	apiKey     string
	apiSecret  string
	from       string
	service    string
	callback   string
	base       string // "" or Config.BaseURL without a trailing slash
	hc         http.Client
	timeout    time.Duration
	now        func() time.Time
	validator  client.RequestValidator
}

var (
	_ sms.Provider = (*Provider)(nil)
	_ sms.Lister   = (*Provider)(nil)
	_ sms.Webhooks = (*Provider)(nil)
)

var (
	sidAccount = regexp.MustCompile(`^AC[0-9a-fA-F]{32}$`)
	sidKey     = regexp.MustCompile(`^SK[0-9a-fA-F]{32}$`)
	sidService = regexp.MustCompile(`^MG[0-9a-fA-F]{32}$`)
	e164       = regexp.MustCompile(`^\+[1-9][0-9]{7,14}$`)
	// The SDK refuses Basic-auth credentials with other characters.
	alnum = regexp.MustCompile(`^[a-zA-Z0-9]+$`)
)

// New checks cfg and returns a Provider. It refuses: SIDs without their
// AC/SK/MG prefix and 32 hex digits; an account SID given as the API key
// (that is the account SID + auth token pair, which the sender must not
// use); an API secret equal to the auth token (the auth token pasted as the
// secret); both or neither of From and MessagingServiceSID; a From that is
// not E.164; a StatusCallback that is not https. It cannot tell an auth
// token from a secret by its form (both are 32 characters): a secret that
// is in truth the auth token of the account is found only by the equality
// check, so configure both.
func New(cfg Config) (*Provider, error) {
	var problems []string
	bad := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	if !sidAccount.MatchString(cfg.AccountSID) {
		bad("AccountSID must be AC followed by 32 hex digits")
	}
	switch {
	case strings.HasPrefix(cfg.APIKey, "AC"):
		bad("APIKey is an account SID: create an API key (SK…) for sending, never use the account SID and auth token")
	case !sidKey.MatchString(cfg.APIKey):
		bad("APIKey must be an API key SID: SK followed by 32 hex digits")
	}
	switch {
	case cfg.APISecret == "":
		bad("APISecret is missing")
	case !alnum.MatchString(cfg.APISecret):
		bad("APISecret must be letters and digits")
	case cfg.APISecret == cfg.AuthToken:
		bad("APISecret is the auth token: sending must use an API key's secret")
	}
	if cfg.AuthToken == "" {
		bad("AuthToken is missing: it is needed to check webhook signatures")
	}
	switch {
	case cfg.From != "" && cfg.MessagingServiceSID != "":
		bad("set From or MessagingServiceSID, not both")
	case cfg.From == "" && cfg.MessagingServiceSID == "":
		bad("set From or MessagingServiceSID")
	case cfg.From != "" && !e164.MatchString(cfg.From):
		bad("From must be an E.164 number such as +13105550123")
	case cfg.MessagingServiceSID != "" && !sidService.MatchString(cfg.MessagingServiceSID):
		bad("MessagingServiceSID must be MG followed by 32 hex digits")
	}
	if cfg.StatusCallback != "" {
		if err := checkURL(cfg.StatusCallback, true); err != nil {
			bad("StatusCallback: %v", err)
		}
	}
	base := ""
	if cfg.BaseURL != "" {
		u, err := url.Parse(cfg.BaseURL)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || strings.Trim(u.Path, "/") != "" || u.RawQuery != "" || u.User != nil {
			bad("BaseURL must be a scheme and host only, such as http://127.0.0.1:8081")
		}
		base = strings.TrimRight(cfg.BaseURL, "/")
	}
	if len(problems) > 0 {
		return nil, fmt.Errorf("twilio: bad configuration: %s", strings.Join(problems, "; "))
	}

	p := &Provider{
		accountSID: cfg.AccountSID,
		apiKey:     cfg.APIKey,
		apiSecret:  cfg.APISecret,
		from:       cfg.From,
		service:    cfg.MessagingServiceSID,
		callback:   cfg.StatusCallback,
		base:       base,
		timeout:    defaultTimeout,
		now:        cfg.Now,
		validator:  client.NewRequestValidator(cfg.AuthToken),
	}
	if cfg.HTTPClient != nil {
		p.hc = *cfg.HTTPClient
		p.timeout = cfg.HTTPClient.Timeout
	}
	if p.hc.CheckRedirect == nil {
		p.hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	}
	if p.hc.Transport == nil {
		p.hc.Transport = http.DefaultTransport
	}
	if p.now == nil {
		p.now = time.Now
	}
	return p, nil
}

// checkURL accepts an absolute https URL, or http to a loopback host.
func checkURL(raw string, allowLoopbackHTTP bool) error {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return errors.New("not an absolute URL")
	}
	switch u.Scheme {
	case "https":
		return nil
	case "http":
		if ip := net.ParseIP(u.Hostname()); allowLoopbackHTTP && (u.Hostname() == "localhost" || ip != nil && ip.IsLoopback()) {
			return nil
		}
	}
	return errors.New("must be https")
}

// Name returns "twilio".
func (p *Provider) Name() string { return Name }

// String names the provider without its secrets.
func (p *Provider) String() string { return "twilio provider for " + p.accountSID }
