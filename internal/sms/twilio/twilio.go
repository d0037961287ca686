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
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"regexp"
	"strings"
	"sync/atomic"
	"time"

	"github.com/twilio/twilio-go/client"
	openapi "github.com/twilio/twilio-go/rest/api/v2010"

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

// Send sends m through Twilio's Messages API: To, Body, From or
// MessagingServiceSid, StatusCallback, and ValidityPeriod when m.ValidUntil
// is set (the whole seconds left, at most Twilio's 36000; a message with
// less than one second left is expired, sms.ErrPermanent, and not sent).
//
// Errors: HTTP 429, 5xx, timeouts and network failures wrap
// sms.ErrTemporary (and ErrMaybeSent when the request may have reached
// Twilio); 401 and 403 wrap ErrAuth (which wraps sms.ErrPermanent); every
// other 4xx, including 21211 invalid number, 21610 unsubscribed recipient,
// 21614 not a mobile number and 21408 region not enabled, wraps
// sms.ErrPermanent. Twilio's answers come as *APIError.
//
// m.IdempotencyKey is not sent: Twilio has none (see the package doc).
func (p *Provider) Send(ctx context.Context, m sms.Message) (sms.Result, error) {
	if err := ctx.Err(); err != nil {
		return sms.Result{}, fmt.Errorf("%w: twilio send: %w", sms.ErrTemporary, err)
	}
	if m.To.IsZero() {
		return sms.Result{}, fmt.Errorf("%w: twilio send: no recipient", sms.ErrPermanent)
	}
	params := &openapi.CreateMessageParams{}
	params.SetTo(m.To.E164()).SetBody(m.Body)
	if p.from != "" {
		params.SetFrom(p.from)
	} else {
		params.SetMessagingServiceSid(p.service)
	}
	if p.callback != "" {
		params.SetStatusCallback(p.callback)
	}
	if !m.ValidUntil.IsZero() {
		secs, err := validityPeriod(m.ValidUntil, p.now())
		if err != nil {
			return sms.Result{}, err
		}
		params.SetValidityPeriod(secs)
	}

	c, done := p.call(ctx)
	defer done()
	msg, err := c.api.CreateMessage(params)
	if err != nil {
		return sms.Result{}, c.classify("send", err)
	}
	if msg == nil || msg.Sid == nil || *msg.Sid == "" {
		return sms.Result{}, fmt.Errorf("%w: %w: twilio send: the answer has no message SID", sms.ErrTemporary, ErrMaybeSent)
	}
	return sms.Result{ProviderID: *msg.Sid}, nil
}

// validityPeriod is the whole seconds from now until validUntil, at most
// Twilio's maximum; less than the minimum is an expired message.
func validityPeriod(validUntil, now time.Time) (int, error) {
	left := validUntil.Sub(now)
	if left < minValidity*time.Second {
		return 0, fmt.Errorf("%w: twilio send: the message expired before it was sent", sms.ErrPermanent)
	}
	return int(min(left/time.Second, maxValidity)), nil
}

// ListSent lists the messages the account sent on or after since (at
// Twilio's one-second precision, so it may include messages up to a second
// older), through every page: those from our number (filtered by Twilio),
// or those of our Messaging Service (filtered here: Twilio's list has no
// such filter). Inbound messages are left out. Messages not yet sent have
// no date_sent and appear in a later listing.
//
// It sees only our number or service: messages the same credentials send
// from another number of the account are not listed, so give tocsin an
// account (or subaccount) of its own. A record whose recipient Twilio
// gives in a form that is not a phone number (a channel address) has a
// zero To: it matches no ledger entry and so raises the alarm, as it should.
func (p *Provider) ListSent(ctx context.Context, since time.Time) ([]sms.Record, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("%w: twilio list: %w", sms.ErrTemporary, err)
	}
	since = since.UTC().Truncate(time.Second)
	params := &openapi.ListMessageParams{}
	params.SetDateSentAfter(since).SetPageSize(listPageSize)
	if p.from != "" {
		params.SetFrom(p.from)
	}

	c, done := p.call(ctx)
	defer done()
	msgs, err := c.api.ListMessage(params)
	if err != nil {
		return nil, c.classify("list", err)
	}
	var out []sms.Record
	for _, m := range msgs {
		if strings.HasPrefix(deref(m.Direction), "inbound") {
			continue
		}
		if p.service != "" && deref(m.MessagingServiceSid) != p.service {
			continue
		}
		at, ok := parseDate(deref(m.DateSent))
		if !ok {
			at, _ = parseDate(deref(m.DateCreated))
		}
		if at.Before(since) {
			continue
		}
		to, err := phone.Parse(deref(m.To), "US")
		if err != nil {
			to = ""
		}
		out = append(out, sms.Record{ProviderID: deref(m.Sid), To: to, Body: deref(m.Body), SentAt: at})
	}
	return out, nil
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// parseDate reads Twilio's RFC 2822 dates.
func parseDate(s string) (time.Time, bool) {
	if s == "" {
		return time.Time{}, false
	}
	for _, layout := range []string{time.RFC1123Z, time.RFC1123} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}

// Verify checks h's X-Twilio-Signature with the SDK's RequestValidator
// under the auth token, over h.URL and h.Form exactly as Twilio signs:
// h.URL must be the URL as configured at Twilio (scheme, host, path and
// query string), and h.Form the POST body's parameters only (r.PostForm,
// not r.Form, which would mix in the query). A missing or wrong signature,
// or a parameter sent more than once (the SDK signs one value per name), is
// sms.ErrForged. Configure Twilio to POST its webhooks (its default): a GET
// webhook is signed over the URL alone, and the query parameters the web
// tier puts into h.Form for a GET make it fail here, closed, as ErrForged.
// The all-in-one server can answer 403 at once on failure.
func (p *Provider) Verify(h sms.Hook) error { return verify(p.validator, h) }

func verify(validator client.RequestValidator, h sms.Hook) error {
	if h.Signature == "" {
		return fmt.Errorf("%w: no X-Twilio-Signature", sms.ErrForged)
	}
	if h.URL == "" {
		return fmt.Errorf("%w: no URL to check the signature over", sms.ErrForged)
	}
	params := make(map[string]string, len(h.Form))
	for k, vs := range h.Form {
		if len(vs) != 1 {
			return fmt.Errorf("%w: parameter %q sent %d times", sms.ErrForged, k, len(vs))
		}
		params[k] = vs[0]
	}
	if !validator.Validate(h.URL, params, h.Signature) {
		return fmt.Errorf("%w: X-Twilio-Signature does not match", sms.ErrForged)
	}
	return nil
}

// ParseHook verifies h (see Verify) and decodes it: a status callback
// (MessageStatus) becomes a Receipt, an inbound text (From and Body) an
// InboundText, with To the number of ours it reached (zero when To is
// absent or not a phone number: the text is kept all the same) and ID its
// MessageSid (required: the sender refuses a replay by it). A request that verifies but is neither, has an unknown
// status, or comes from something that is not a phone number is an error
// that is not sms.ErrForged.
func (p *Provider) ParseHook(h sms.Hook) (sms.Event, error) {
	if err := p.Verify(h); err != nil {
		return sms.Event{}, err
	}
	return decode(h.Form, p.now)
}

// decode reads a verified request's parameters (see ParseHook).
func decode(f url.Values, now func() time.Time) (sms.Event, error) {
	if st := f.Get("MessageStatus"); st != "" && st != "received" && st != "receiving" {
		status, ok := receiptStatus(st)
		if !ok {
			return sms.Event{}, fmt.Errorf("twilio hook: unknown MessageStatus %q", st)
		}
		sid := f.Get("MessageSid")
		if sid == "" {
			sid = f.Get("SmsSid")
		}
		if sid == "" {
			return sms.Event{}, errors.New("twilio hook: status callback without MessageSid")
		}
		return sms.Event{Receipt: &sms.Receipt{ProviderID: sid, Status: status, Error: f.Get("ErrorCode"), At: now().UTC()}}, nil
	}
	if f.Has("From") && f.Has("Body") {
		from, err := phone.Parse(f.Get("From"), "US")
		if err != nil {
			return sms.Event{}, fmt.Errorf("twilio hook: inbound text from something that is not a phone number: %w", err)
		}
		// To, our number that received it, is only a hint: a short code
		// or a channel address leaves it zero rather than losing the text.
		to, err := phone.Parse(f.Get("To"), "US")
		if err != nil {
			to = ""
		}
		id := cmp.Or(f.Get("MessageSid"), f.Get("SmsMessageSid"), f.Get("SmsSid"))
		if id == "" {
			// Without it a replay could not be told from a new text.
			return sms.Event{}, errors.New("twilio hook: inbound text without MessageSid")
		}
		return sms.Event{Inbound: &sms.InboundText{From: from, To: to, Body: f.Get("Body"), ID: id}}, nil
	}
	return sms.Event{}, errors.New("twilio hook: neither a status callback nor an inbound text")
}

// receiptStatus maps Twilio's message statuses.
func receiptStatus(s string) (sms.ReceiptStatus, bool) {
	switch s {
	case "queued", "accepted", "scheduled", "sending", "sent":
		return sms.StatusAccepted, true
	case "delivered", "read":
		return sms.StatusDelivered, true
	case "undelivered":
		return sms.StatusUndelivered, true
	case "failed", "canceled":
		return sms.StatusFailed, true
	}
	return "", false
}

// APIError is an error answer from Twilio. It wraps sms.ErrTemporary (429,
// 5xx), ErrAuth (401, 403) or sms.ErrPermanent (other 4xx).
type APIError struct {
	Op       string // "send" or "list"
	Status   int    // HTTP status
	Code     int    // Twilio's error code, 0 when the answer had none
	Message  string // Twilio's words, with phone numbers removed
	MoreInfo string
}

func (e *APIError) Error() string {
	return fmt.Sprintf("%v: twilio %s: HTTP %d, Twilio error %d: %s", e.Unwrap(), e.Op, e.Status, e.Code, e.Message)
}

// Unwrap returns the sentinel that says what to do.
func (e *APIError) Unwrap() error {
	switch {
	case e.Status == http.StatusUnauthorized || e.Status == http.StatusForbidden:
		return ErrAuth
	case e.Status == http.StatusTooManyRequests || e.Status >= 500:
		return sms.ErrTemporary
	case e.Status >= 400:
		return sms.ErrPermanent
	}
	return sms.ErrTemporary
}

// numberLike matches what could be a phone number in Twilio's messages
// (which repeat the number: "Invalid 'To' Phone Number: +1555…").
var numberLike = regexp.MustCompile(`\+?[0-9](?:[ ().-]*[0-9]){6,}`)

func scrub(s string) string {
	s = numberLike.ReplaceAllString(s, "[number]")
	if len(s) > 300 {
		s = s[:300] + "…"
	}
	return s
}

// call is one use of the SDK, bound to a context.
type call struct {
	api *openapi.ApiService
	tr  *callTransport
}

// call prepares the SDK for one operation. The SDK builds its requests on
// context.Background(), so the context reaches them through the transport;
// the configured timeout becomes a deadline on that context (the SDK reads
// and closes every answer before it returns, so done can cancel safely).
// The client is built directly rather than with twilio.NewRestClientWithParams,
// which would fall back to TWILIO_ACCOUNT_SID / TWILIO_AUTH_TOKEN from the
// environment (the auth token must never send) and build a client for
// every Twilio product on each call; the RequestHandler is built without
// NewRequestHandler so that TWILIO_EDGE / TWILIO_REGION cannot redirect it.
func (p *Provider) call(ctx context.Context) (*call, func()) {
	done := func() {}
	if p.timeout > 0 {
		ctx, done = context.WithTimeout(ctx, p.timeout)
	}
	tr := &callTransport{ctx: ctx, next: p.hc.Transport}
	hc := p.hc
	hc.Timeout = 0
	hc.Transport = tr
	c := &client.Client{Credentials: client.NewCredentials(p.apiKey, p.apiSecret), HTTPClient: &hc}
	c.SetAccountSid(p.accountSID)
	api := openapi.NewApiService(&client.RequestHandler{Client: &baseClient{Client: c, base: p.base}})
	return &call{api: api, tr: tr}, done
}

// classify turns what the SDK returned into an error that wraps the right
// sentinel and carries no phone number and no URL.
func (c *call) classify(op string, err error) error {
	status := int(c.tr.status.Load())
	var rest *client.TwilioRestError
	var v1 *client.RestErrorV1
	switch {
	case errors.As(err, &rest):
		st := rest.Status
		if st == 0 {
			st = status
		}
		return &APIError{Op: op, Status: st, Code: rest.Code, Message: scrub(rest.Message), MoreInfo: rest.MoreInfo}
	case errors.As(err, &v1):
		st := v1.HttpStatusCode
		if st == 0 {
			st = status
		}
		return &APIError{Op: op, Status: st, Code: v1.Code, Message: scrub(v1.Message)}
	case status >= 300:
		// An answer the SDK could not decode (an HTML page from a proxy).
		return &APIError{Op: op, Status: status, Message: "the error answer was not Twilio's JSON"}
	case status >= 200:
		return fmt.Errorf("%w: %w: twilio %s: HTTP %d but the answer was not understood", sms.ErrTemporary, ErrMaybeSent, op, status)
	}
	var uerr *url.Error
	if errors.As(err, &uerr) {
		err = uerr.Err // without the URL
	}
	if c.tr.wrote.Load() {
		return fmt.Errorf("%w: %w: twilio %s: no answer: %w", sms.ErrTemporary, ErrMaybeSent, op, err)
	}
	return fmt.Errorf("%w: twilio %s: %w", sms.ErrTemporary, op, err)
}

// baseClient is the SDK's own client behind the SDK's BaseClient
// interface, which is how the SDK lets a program supply its HTTP client.
// It moves requests from https://api.twilio.com to the configured BaseURL
// (the SDK's services have the Twilio host built in), and refuses to send
// the credentials to any other address.
type baseClient struct {
	*client.Client
	base string
}

func (c *baseClient) SendRequest(method, rawURL string, data url.Values, headers map[string]interface{}, body ...byte) (*http.Response, error) {
	rest, ok := strings.CutPrefix(rawURL, twilioAPI)
	if !ok || (rest != "" && rest[0] != '/') {
		return nil, errors.New("twilio: refusing a request to a host other than api.twilio.com")
	}
	if c.base != "" {
		rawURL = c.base + rest
	}
	return c.Client.SendRequest(method, rawURL, data, headers, body...)
}

// callTransport binds requests to the call's context and notes what
// classify needs: the last HTTP status, and whether the last request was
// written out (after which a lost answer means the message may be sent).
type callTransport struct {
	ctx    context.Context
	next   http.RoundTripper
	status atomic.Int32
	wrote  atomic.Bool
}

func (t *callTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	t.status.Store(0)
	t.wrote.Store(false)
	ctx := httptrace.WithClientTrace(t.ctx, &httptrace.ClientTrace{
		WroteRequest: func(info httptrace.WroteRequestInfo) {
			if info.Err == nil {
				t.wrote.Store(true)
			}
		},
	})
	resp, err := t.next.RoundTrip(req.WithContext(ctx))
	if resp != nil {
		t.status.Store(int32(resp.StatusCode))
	}
	return resp, err
}
