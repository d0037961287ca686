package alarm

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Webhook formats.
const (
	// FormatNtfy posts the text as the body, with ntfy's Title, Priority,
	// Tags and Click headers (https://docs.ntfy.sh/publish/).
	FormatNtfy = "ntfy"
	// FormatJSON posts a JSON object with the alarm's fields, plus "title"
	// and "text" (the field Slack and Mattermost incoming webhooks show).
	FormatJSON = "json"
)

// ntfyMaxBody is ntfy's default message limit; a longer body would arrive
// as an attachment.
const ntfyMaxBody = 4096

// WebhookConfig configures a Webhook.
type WebhookConfig struct {
	// URL is where alarms are POSTed: an absolute http or https URL, e.g.
	// https://ntfy.example.org/tocsin-alarms-7f3a. Its path and query are
	// treated as secret.
	URL string
	// Format is FormatNtfy (the default) or FormatJSON.
	Format string
	// Token, if set, is sent as "Authorization: Bearer <token>" (an ntfy
	// access token, a bridge's secret). It needs https, or a loopback host.
	Token string
	// Timeout bounds each request, redirects included (default 10s).
	Timeout time.Duration
	// TLSConfig, if set, is used for https (a private CA's RootCAs).
	TLSConfig *tls.Config
}

// Webhook posts alarms to a URL.
type Webhook struct {
	url    *url.URL
	format string
	token  string
	client *http.Client
}

var _ Notifier = (*Webhook)(nil)

// NewWebhook checks c and returns a Webhook.
func NewWebhook(c WebhookConfig) (*Webhook, error) {
	u, err := checkWebhookURL(c.URL)
	if err != nil {
		return nil, fmt.Errorf("alarm: webhook URL: %w", err)
	}
	format, err := checkFormat(c.Format)
	if err != nil {
		return nil, fmt.Errorf("alarm: webhook format: %w", err)
	}
	if err := checkToken(c.Token, u); err != nil {
		return nil, fmt.Errorf("alarm: webhook token: %w", err)
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	if c.TLSConfig != nil {
		tr.TLSClientConfig = c.TLSConfig.Clone()
	}
	client := &http.Client{Transport: tr, Timeout: c.Timeout, CheckRedirect: sameHostRedirect}
	if client.Timeout <= 0 {
		client.Timeout = 10 * time.Second
	}
	return &Webhook{url: u, format: format, token: c.Token, client: client}, nil
}

// String names the webhook without its secret parts: "webhook https://ntfy.example.org".
func (w *Webhook) String() string {
	return "webhook " + w.url.Scheme + "://" + w.url.Host
}

// Notify posts a. Any answer other than 2xx is an error that gives the
// status and the start of the body.
func (w *Webhook) Notify(ctx context.Context, a Alarm) error {
	req, err := w.request(ctx, a)
	if err != nil {
		return fmt.Errorf("alarm: %s: %w", w, err)
	}
	resp, err := w.client.Do(req)
	if err != nil {
		// *url.Error prints the full URL, which may hold a topic or a key.
		if ue := (*url.Error)(nil); errors.As(err, &ue) {
			err = ue.Err
		}
		return fmt.Errorf("alarm: %s: %w", w, err)
	}
	defer resp.Body.Close()
	excerpt, _ := io.ReadAll(io.LimitReader(resp.Body, 256))
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10)) // lets the connection be reused
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("alarm: %s: answered %s: %q", w, resp.Status, truncateRunes(oneLine(string(excerpt)), 200))
	}
	return nil
}

func (w *Webhook) request(ctx context.Context, a Alarm) (*http.Request, error) {
	var body []byte
	header := http.Header{}
	switch w.format {
	case FormatJSON:
		b, err := json.Marshal(jsonAlarm(a))
		if err != nil {
			return nil, err
		}
		body = b
		header.Set("Content-Type", "application/json")
	default:
		body = []byte(truncateBytes(a.Text(), ntfyMaxBody))
		ntfyHeaders(header, a)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.url.String(), bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	for k, v := range header {
		req.Header[k] = v
	}
	req.Header.Set("User-Agent", "tocsin-alarm")
	if w.token != "" {
		req.Header.Set("Authorization", "Bearer "+w.token)
	}
	return req, nil
}

// ntfyHeaders sets ntfy's headers. The title may hold non-ASCII text,
// which ntfy takes RFC 2047-encoded.
func ntfyHeaders(h http.Header, a Alarm) {
	h.Set("Content-Type", "text/plain; charset=utf-8")
	h.Set("Title", mime.QEncoding.Encode("utf-8", a.Title()))
	h.Set("Priority", ntfyPriority(a.Severity))
	h.Set("Tags", strings.Join([]string{ntfyEmoji(a.Severity), "tocsin", tag(a.Kind)}, ","))
	if u, err := url.Parse(oneLine(a.ConsoleURL)); err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != "" {
		h.Set("Click", u.String())
	}
}

func ntfyPriority(severity string) string {
	switch severity {
	case SeverityCritical:
		return "urgent" // 5
	case SeverityHigh:
		return "high" // 4
	default:
		return "default" // 3
	}
}

// ntfyEmoji is a tag ntfy shows as an emoji.
func ntfyEmoji(severity string) string {
	switch severity {
	case SeverityCritical:
		return "rotating_light"
	case SeverityHigh:
		return "warning"
	default:
		return "bell"
	}
}

// tag reduces s to the characters safe in a comma-separated tag list.
func tag(s string) string {
	s = strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '_' || r == '-' {
			return r
		}
		return '_'
	}, s)
	return truncateBytes(orDefault(s, "alarm"), 64)
}

// jsonBody is the FormatJSON body.
type jsonBody struct {
	Kind       string    `json:"kind"`
	Severity   string    `json:"severity"`
	At         time.Time `json:"at,omitzero"`
	Subject    string    `json:"subject"`
	Detail     string    `json:"detail"`
	Service    string    `json:"service"`
	ConsoleURL string    `json:"console_url,omitempty"`
	Title      string    `json:"title"`
	Text       string    `json:"text"`
}

func jsonAlarm(a Alarm) jsonBody {
	return jsonBody{Kind: a.Kind, Severity: a.Severity, At: a.At.UTC(), Subject: a.Subject, Detail: a.Detail,
		Service: a.Service, ConsoleURL: a.ConsoleURL, Title: a.Title(), Text: a.Text()}
}

// sameHostRedirect follows at most three redirects, and only on the same
// host and never from https to http: a redirect elsewhere would hand the
// alarm, and the token, to someone else.
func sameHostRedirect(req *http.Request, via []*http.Request) error {
	first := via[0].URL
	switch {
	case len(via) >= 3:
		return errors.New("too many redirects")
	case req.URL.Host != first.Host:
		return fmt.Errorf("refused a redirect to another host (%s)", req.URL.Host)
	case first.Scheme == "https" && req.URL.Scheme != "https":
		return errors.New("refused a redirect from https to http")
	}
	return nil
}

// checkWebhookURL parses an absolute http or https URL.
func checkWebhookURL(s string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimSpace(s))
	if err != nil {
		return nil, errors.New("not a URL")
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, errors.New("must start with https:// (or http://)")
	}
	if u.Host == "" || u.Hostname() == "" {
		return nil, errors.New("has no host")
	}
	return u, nil
}

func checkFormat(s string) (string, error) {
	switch s = strings.ToLower(strings.TrimSpace(s)); s {
	case "", FormatNtfy:
		return FormatNtfy, nil
	case FormatJSON:
		return s, nil
	}
	return "", fmt.Errorf("%q is not a format: use ntfy or json", s)
}

// checkToken refuses a token that cannot be a header value, and one that
// would travel in clear to another machine.
func checkToken(tok string, u *url.URL) error {
	if tok == "" {
		return nil
	}
	for _, r := range tok {
		if r <= ' ' || r >= 0x7f {
			return errors.New("may hold only printable ASCII characters, without spaces")
		}
	}
	if u != nil && u.Scheme != "https" && !isLoopback(u.Hostname()) {
		return errors.New("would be sent in clear: the webhook URL must use https")
	}
	return nil
}
