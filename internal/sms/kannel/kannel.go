// Package kannel is the SMS provider for a Kannel gateway (the open-source
// SMS gateway that speaks SMPP to carriers): it sends through Kannel's
// sendsms HTTP interface, asks for delivery reports through a dlr-url that
// points back at tocsin's /hooks/sms/kannel, and decodes those reports and
// inbound texts (Kannel's sms-service get-url) from the hook's query
// parameters.
//
// It belongs to the sender role, which alone holds the sendsms password.
// The web role must never import this package. With the hook secret (which
// cannot send) it checks Kannel's calls itself through package kannelhook,
// writing delivery reports to the ledger and queueing inbound texts sealed;
// without it, it seals them to the sender, which checks and decodes them
// with ParseHook.
//
// What it must never do:
//   - log or return in an error a phone number, the sendsms password or the
//     hook secret. The sendsms request carries the password in its query
//     string, so transport errors are stripped of their URL before they are
//     wrapped (net/http's *url.Error prints the full URL);
//   - treat the hook secret as a credential that can send: it only
//     authenticates Kannel's calls to tocsin, and the sendsms password is a
//     different value that never leaves the sender's configuration.
//
// Kannel has no idempotency: a second sendsms request with the same text is
// a second text. The provider derives a stable message id from the
// idempotency key (so delivery reports of every attempt name the same
// message), but at-most-once delivery is the ledger's job: it must not
// resend a message whose Send failed with ErrMaybeSent without deciding to.
package kannel

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"github.com/tocsin/tocsin/internal/kannelhook"
	"io"
	"math"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/tocsin/tocsin/internal/sms"
	"github.com/tocsin/tocsin/internal/smstext"
)

// DLRMask asks Kannel for the final delivery reports only: 1 delivered to
// the phone, 2 not delivered to the phone, 16 rejected by the SMSC. The
// intermediate ones (4 queued, 8 accepted by the SMSC) would double the
// calls to tocsin and say nothing the sendsms answer did not: that Kannel
// took the message.
const DLRMask = 1 | 2 | 16

// ErrMaybeSent is wrapped, together with sms.ErrTemporary, when the
// request reached Kannel but no answer came back (a timeout or a dropped
// connection after the request was written): Kannel may have queued the
// text. Retrying may send it twice; the ledger decides.
var ErrMaybeSent = errors.New("kannel: the request may have been accepted")

// Config configures a Provider.
type Config struct {
	// SendSMSURL is smsbox's sendsms URL, e.g.
	// http://127.0.0.1:13013/cgi-bin/sendsms. It must carry no query.
	SendSMSURL string
	// Username and Password are a sendsms-user of kannel.conf.
	Username, Password string
	// From is the sender id or number (optional: Kannel's default-sender
	// or faked-sender applies when empty).
	From string
	// SMSC is the smsc-id to route through (optional).
	SMSC string
	// DLRURL is the public URL of tocsin's /hooks/sms/kannel. The provider
	// appends the query (the hook secret, the message id and Kannel's
	// escape codes) itself. Empty means no delivery reports.
	DLRURL string
	// HookSecret authenticates Kannel's calls to tocsin's hooks (delivery
	// reports and inbound texts). It cannot send. Only the URL-safe
	// characters A-Z a-z 0-9 - . _ ~ are allowed, at least 16 of them:
	// Kannel would read a percent-encoded byte as one of its escape codes.
	HookSecret string
	// Region is the ISO 3166-1 region assumed for an inbound text's number
	// (the sender's, or ours it was sent to) that is neither in +E.164 nor
	// in international digits; "" means "US".
	Region string
	// HTTPClient sends the requests; nil means a client with a 30 s timeout
	// and enough idle connections for concurrent senders.
	HTTPClient *http.Client
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// Provider sends through Kannel's sendsms interface and decodes its hooks.
// It is safe for concurrent use.
type Provider struct {
	endpoint *url.URL
	cfg      Config
	client   *http.Client
	now      func() time.Time
	dlrBase  string // DLRURL with "?" or "&" appended, "" when no DLRs
}

var (
	_ sms.Provider = (*Provider)(nil)
	_ sms.Webhooks = (*Provider)(nil)
)

// MinSecretLen is the shortest HookSecret New accepts.
const MinSecretLen = 16

// New checks cfg and returns a Provider.
func New(cfg Config) (*Provider, error) {
	u, err := url.Parse(cfg.SendSMSURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, errors.New("kannel: SendSMSURL must be an http or https URL")
	}
	if u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return nil, errors.New("kannel: SendSMSURL must carry no query, fragment or user info")
	}
	if cfg.Username == "" || cfg.Password == "" {
		return nil, errors.New("kannel: a sendsms-user needs Username and Password")
	}
	if !urlSafe(cfg.HookSecret) || len(cfg.HookSecret) < MinSecretLen {
		return nil, fmt.Errorf("kannel: HookSecret must be at least %d characters of A-Z a-z 0-9 - . _ ~", MinSecretLen)
	}
	p := &Provider{endpoint: u, cfg: cfg, client: cfg.HTTPClient, now: cfg.Now}
	if cfg.DLRURL != "" {
		d, err := url.Parse(cfg.DLRURL)
		if err != nil || (d.Scheme != "http" && d.Scheme != "https") || d.Host == "" || d.Fragment != "" {
			return nil, errors.New("kannel: DLRURL must be an http or https URL")
		}
		if strings.Contains(cfg.DLRURL, "%") {
			// Kannel would take %xx for one of its escape codes.
			return nil, errors.New("kannel: DLRURL must not contain '%'")
		}
		switch {
		case strings.HasSuffix(cfg.DLRURL, "?") || strings.HasSuffix(cfg.DLRURL, "&"):
			p.dlrBase = cfg.DLRURL
		case d.RawQuery != "":
			p.dlrBase = cfg.DLRURL + "&"
		default:
			p.dlrBase = cfg.DLRURL + "?"
		}
	}
	if p.client == nil {
		t := http.DefaultTransport.(*http.Transport).Clone()
		t.MaxIdleConns = 256
		t.MaxIdleConnsPerHost = 256
		p.client = &http.Client{Timeout: 30 * time.Second, Transport: t,
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	}
	if p.now == nil {
		p.now = time.Now
	}
	return p, nil
}

// Name returns "kannel".
func (p *Provider) Name() string { return "kannel" }

// MessageID is the id the provider gives a message with this idempotency
// key: the same for every attempt, and revealing nothing of the key.
func MessageID(idempotencyKey string) string {
	sum := sha256.Sum256([]byte("tocsin/kannel/message-id\x00" + idempotencyKey))
	return "k" + hex.EncodeToString(sum[:12])
}

// Send asks Kannel to send m. 2xx answers (Kannel's 202 "0: Accepted for
// delivery" and "3: Queued for later delivery") are success; 429, 5xx,
// connection failures and timeouts wrap sms.ErrTemporary; other answers
// (400 bad parameters, 3xx, a 403 for a denied number) wrap
// sms.ErrPermanent; a refused sendsms-user (403 "Authorization failed")
// wraps sms.ErrAuth. Result.ProviderID is the message id carried by the
// delivery reports.
func (p *Provider) Send(ctx context.Context, m sms.Message) (sms.Result, error) {
	if err := ctx.Err(); err != nil {
		return sms.Result{}, fmt.Errorf("%w: %w", sms.ErrTemporary, err)
	}
	to := m.To.E164()
	if !isE164(to) {
		return sms.Result{}, fmt.Errorf("%w: kannel: no valid recipient", sms.ErrPermanent)
	}
	if m.Body == "" {
		return sms.Result{}, fmt.Errorf("%w: kannel: empty text", sms.ErrPermanent)
	}
	id := MessageID(m.IdempotencyKey)
	if m.IdempotencyKey == "" {
		var b [12]byte
		rand.Read(b[:])
		id = "r" + hex.EncodeToString(b[:])
	}
	q, err := p.query(to, m, id)
	if err != nil {
		return sms.Result{}, err
	}
	u := *p.endpoint
	u.RawQuery = q
	var wrote bool
	trace := &httptrace.ClientTrace{WroteRequest: func(httptrace.WroteRequestInfo) { wrote = true }}
	req, err := http.NewRequestWithContext(httptrace.WithClientTrace(ctx, trace), http.MethodGet, u.String(), nil)
	if err != nil {
		return sms.Result{}, fmt.Errorf("%w: kannel: building the request failed", sms.ErrPermanent)
	}
	resp, err := p.client.Do(req)
	if err != nil {
		// Never wrap err itself: *url.Error prints the URL, which holds
		// the password and the number.
		cause := err
		var ue *url.Error
		if errors.As(err, &ue) {
			cause = ue.Err
		}
		if wrote {
			return sms.Result{}, fmt.Errorf("%w: %w: kannel: %s", sms.ErrTemporary, ErrMaybeSent, describe(cause))
		}
		return sms.Result{}, fmt.Errorf("%w: kannel: %s", sms.ErrTemporary, describe(cause))
	}
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	switch c := resp.StatusCode; {
	case c >= 200 && c < 300:
		return sms.Result{ProviderID: id}, nil
	case c == http.StatusTooManyRequests || c == http.StatusRequestTimeout || c >= 500:
		return sms.Result{}, fmt.Errorf("%w: kannel: HTTP %d: %s", sms.ErrTemporary, c, clean(string(body), 120))
	case c == http.StatusUnauthorized || c == http.StatusForbidden && strings.Contains(string(body), "Authorization failed"):
		// Our sendsms-user was refused: not the recipient's fault. (A 403
		// for a number on Kannel's black or white list is the recipient's.)
		return sms.Result{}, fmt.Errorf("%w: kannel: HTTP %d: %s", sms.ErrAuth, c, clean(string(body), 120))
	default:
		return sms.Result{}, fmt.Errorf("%w: kannel: HTTP %d: %s", sms.ErrPermanent, c, clean(string(body), 120))
	}
}

// query builds the sendsms query. The dlr-url value holds Kannel escape
// codes (%d, %F, %T, %A) that Kannel fills in when it calls us, so it is
// built by hand (url.Values would do, but the escapes must survive one
// round of decoding by Kannel: "%d" is sent as "%25d").
func (p *Provider) query(to string, m sms.Message, id string) (string, error) {
	v := url.Values{}
	v.Set("username", p.cfg.Username)
	v.Set("password", p.cfg.Password)
	if p.cfg.From != "" {
		v.Set("from", p.cfg.From)
	}
	v.Set("to", to)
	v.Set("text", m.Body)
	v.Set("charset", "UTF-8")
	if !smstext.IsGSM(m.Body) {
		v.Set("coding", "2") // UCS-2
	}
	if p.cfg.SMSC != "" {
		v.Set("smsc", p.cfg.SMSC)
	}
	if !m.ValidUntil.IsZero() {
		left := m.ValidUntil.Sub(p.now())
		if left <= 0 {
			return "", fmt.Errorf("%w: kannel: the message's validity has passed", sms.ErrPermanent)
		}
		v.Set("validity", strconv.Itoa(int(math.Ceil(left.Minutes()))))
	}
	if p.dlrBase != "" {
		v.Set("dlr-mask", strconv.Itoa(DLRMask))
		v.Set("dlr-url", p.DLRURLFor(id))
	}
	return v.Encode(), nil
}

// DLRURLFor is the dlr-url sent with message id: the hook URL, the secret,
// kind=dlr, the id and Kannel's escapes for the report type (%d), the
// SMSC's own message id (%F), the time as a Unix timestamp (%T) and the
// SMSC's report text (%A). It is "" when Config.DLRURL is empty.
func (p *Provider) DLRURLFor(id string) string {
	if p.dlrBase == "" {
		return ""
	}
	return p.dlrBase + "secret=" + p.cfg.HookSecret + "&kind=dlr&id=" + url.QueryEscape(id) +
		"&status=%d&smscid=%F&at=%T&reply=%A"
}

func describe(err error) string {
	var ne net.Error
	switch {
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &ne) && ne.Timeout():
		return "timeout"
	case errors.Is(err, context.Canceled):
		return "canceled"
	}
	var oe *net.OpError
	if errors.As(err, &oe) {
		return oe.Op + ": " + describe(oe.Err)
	}
	return err.Error()
}

func isE164(s string) bool {
	if len(s) < 3 || len(s) > 16 || s[0] != '+' {
		return false
	}
	for i := 1; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func urlSafe(s string) bool { return kannelhook.URLSafe(s) }

func clean(s string, n int) string { return kannelhook.Clean(s, n) }
