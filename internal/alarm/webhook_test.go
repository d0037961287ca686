package alarm

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

// hook is a webhook receiver that records requests and answers with
// status and body.
type hook struct {
	*httptest.Server
	status int
	body   string

	mu   sync.Mutex
	reqs []hookRequest
}

type hookRequest struct {
	method, path string
	header       http.Header
	body         []byte
}

func startHook(t *testing.T, status int, body string) *hook {
	t.Helper()
	h := &hook{status: status, body: body}
	h.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		h.mu.Lock()
		h.reqs = append(h.reqs, hookRequest{r.Method, r.URL.Path, r.Header.Clone(), b})
		h.mu.Unlock()
		w.WriteHeader(h.status)
		io.WriteString(w, h.body)
	}))
	t.Cleanup(h.Close)
	return h
}

func (h *hook) requests() []hookRequest {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]hookRequest(nil), h.reqs...)
}

func (h *hook) only(t *testing.T) hookRequest {
	t.Helper()
	rs := h.requests()
	if len(rs) != 1 {
		t.Fatalf("the receiver got %d requests, want 1", len(rs))
	}
	return rs[0]
}

func newWebhook(t *testing.T, c WebhookConfig) *Webhook {
	t.Helper()
	w, err := NewWebhook(c)
	if err != nil {
		t.Fatal(err)
	}
	return w
}

func TestWebhookNtfy(t *testing.T) {
	h := startHook(t, http.StatusOK, `{"id":"x"}`)
	w := newWebhook(t, WebhookConfig{URL: h.URL + "/tocsin-alarms-7f3a", Token: "tk_abc123"})
	a := testAlarm()
	a.Subject = "twilio «cuenta»\r\nX-Evil: 1"
	if err := w.Notify(context.Background(), a); err != nil {
		t.Fatal(err)
	}
	r := h.only(t)
	if r.method != http.MethodPost || r.path != "/tocsin-alarms-7f3a" {
		t.Errorf("%s %s", r.method, r.path)
	}
	title, err := new(mime.WordDecoder).DecodeHeader(r.header.Get("Title"))
	if err != nil || title != a.Title() || strings.ContainsAny(title, "\r\n") {
		t.Errorf("Title decodes to %q, %v; want %q", title, err, a.Title())
	}
	want := map[string]string{
		"Priority":      "urgent",
		"Tags":          "rotating_light,tocsin,provider.unknown_messages",
		"Click":         a.ConsoleURL,
		"Authorization": "Bearer tk_abc123",
		"Content-Type":  "text/plain; charset=utf-8",
		"X-Evil":        "",
	}
	for k, v := range want {
		if got := r.header.Get(k); got != v {
			t.Errorf("%s: %q, want %q", k, got, v)
		}
	}
	if string(r.body) != a.Text() {
		t.Errorf("body\n%s\nwant\n%s", r.body, a.Text())
	}
}

func TestWebhookNtfyPriority(t *testing.T) {
	tests := []struct{ severity, priority, tag string }{
		{SeverityCritical, "urgent", "rotating_light"},
		{SeverityHigh, "high", "warning"},
		{SeverityNormal, "default", "bell"},
		{"", "default", "bell"},
		{"whatever", "default", "bell"},
	}
	h := startHook(t, http.StatusOK, "")
	w := newWebhook(t, WebhookConfig{URL: h.URL, Format: "NTFY"})
	for i, tt := range tests {
		a := testAlarm()
		a.Severity = tt.severity
		a.ConsoleURL = "javascript:alert(1)"
		if err := w.Notify(context.Background(), a); err != nil {
			t.Fatal(err)
		}
		r := h.requests()[i]
		if got := r.header.Get("Priority"); got != tt.priority {
			t.Errorf("severity %q: priority %q, want %q", tt.severity, got, tt.priority)
		}
		if got := r.header.Get("Tags"); !strings.HasPrefix(got, tt.tag+",") {
			t.Errorf("severity %q: tags %q, want %s first", tt.severity, got, tt.tag)
		}
		if got := r.header.Get("Click"); got != "" {
			t.Errorf("Click %q for a URL that is not http(s)", got)
		}
		if r.header.Get("Authorization") != "" {
			t.Error("an Authorization header without a token")
		}
	}
}

func TestWebhookJSON(t *testing.T) {
	h := startHook(t, http.StatusNoContent, "")
	w := newWebhook(t, WebhookConfig{URL: h.URL + "/hooks/abc", Format: FormatJSON, Token: "bridge-secret"})
	a := testAlarm()
	if err := w.Notify(context.Background(), a); err != nil {
		t.Fatal(err)
	}
	r := h.only(t)
	if r.method != http.MethodPost || r.header.Get("Content-Type") != "application/json" || r.header.Get("Authorization") != "Bearer bridge-secret" {
		t.Errorf("%s with headers %v", r.method, r.header)
	}
	var got map[string]any
	if err := json.Unmarshal(r.body, &got); err != nil {
		t.Fatalf("body is not JSON: %v\n%s", err, r.body)
	}
	want := map[string]any{
		"kind": a.Kind, "severity": a.Severity, "at": "2026-11-25T14:00:00Z", "subject": a.Subject, "detail": a.Detail,
		"service": a.Service, "console_url": a.ConsoleURL, "title": a.Title(), "text": a.Text(),
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %v, want %v", k, got[k], v)
		}
	}
	if len(got) != len(want) {
		t.Errorf("fields %v, want exactly %v", got, want)
	}
}

func TestWebhookRefusedAnswer(t *testing.T) {
	h := startHook(t, http.StatusForbidden, "forbidden: topic reserved\n"+strings.Repeat("x", 1000))
	w := newWebhook(t, WebhookConfig{URL: h.URL + "/secret-topic?auth=k3y"})
	err := w.Notify(context.Background(), testAlarm())
	if err == nil || !strings.Contains(err.Error(), "403 Forbidden") || !strings.Contains(err.Error(), "forbidden: topic reserved") {
		t.Fatalf("err = %v, want the status and the body's start", err)
	}
	if len(err.Error()) > 400 {
		t.Errorf("the error is %d characters long", len(err.Error()))
	}
	if strings.Contains(err.Error(), "secret-topic") || strings.Contains(err.Error(), "k3y") {
		t.Errorf("the error shows the URL's secret parts: %v", err)
	}
	if !strings.Contains(err.Error(), "webhook "+h.URL+":") {
		t.Errorf("the error does not name the webhook: %v", err)
	}
}

func TestWebhookRedirects(t *testing.T) {
	elsewhere := startHook(t, http.StatusOK, "")
	var mu sync.Mutex
	var hops []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		hops = append(hops, r.URL.Path)
		mu.Unlock()
		switch r.URL.Path {
		case "/moved":
			http.Redirect(w, r, "/here", http.StatusPermanentRedirect)
		case "/away":
			http.Redirect(w, r, elsewhere.URL+"/stolen", http.StatusTemporaryRedirect)
		case "/loop":
			http.Redirect(w, r, "/loop", http.StatusTemporaryRedirect)
		default:
			w.WriteHeader(http.StatusOK)
		}
	}))
	defer srv.Close()

	w := newWebhook(t, WebhookConfig{URL: srv.URL + "/moved", Token: "tk"})
	if err := w.Notify(context.Background(), testAlarm()); err != nil {
		t.Errorf("a redirect on the same host: %v", err)
	}
	w = newWebhook(t, WebhookConfig{URL: srv.URL + "/away", Token: "tk"})
	if err := w.Notify(context.Background(), testAlarm()); err == nil || !strings.Contains(err.Error(), "another host") {
		t.Errorf("a redirect to another host: err = %v", err)
	}
	if n := len(elsewhere.requests()); n != 0 {
		t.Errorf("the other host got %d requests", n)
	}
	w = newWebhook(t, WebhookConfig{URL: srv.URL + "/loop"})
	if err := w.Notify(context.Background(), testAlarm()); err == nil || !strings.Contains(err.Error(), "too many redirects") {
		t.Errorf("a redirect loop: err = %v", err)
	}
	mu.Lock()
	defer mu.Unlock()
	if got := strings.Join(hops, " "); got != "/moved /here /away /loop /loop /loop" {
		t.Errorf("hops %s", got)
	}
}

func TestSameHostRedirect(t *testing.T) {
	req := func(s string) *http.Request {
		u, _ := url.Parse(s)
		return &http.Request{URL: u}
	}
	via := []*http.Request{req("https://ntfy.example.org/a")}
	if err := sameHostRedirect(req("http://ntfy.example.org/b"), via); err == nil {
		t.Error("a redirect from https to http was followed")
	}
	if err := sameHostRedirect(req("https://ntfy.example.org/b"), via); err != nil {
		t.Errorf("a redirect on the same host: %v", err)
	}
}

func TestWebhookContext(t *testing.T) {
	arrived, release := make(chan struct{}), make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		close(arrived)
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}))
	defer srv.Close()
	defer close(release)
	w := newWebhook(t, WebhookConfig{URL: srv.URL})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- w.Notify(ctx, testAlarm()) }()
	<-arrived
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
}

func TestWebhookTimeout(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(release)
	w := newWebhook(t, WebhookConfig{URL: srv.URL, Timeout: time.Millisecond})
	if err := w.Notify(context.Background(), testAlarm()); err == nil || !strings.Contains(err.Error(), "Timeout") {
		t.Errorf("err = %v, want a timeout", err)
	}
}

func TestWebhookConfig(t *testing.T) {
	tests := []struct {
		name string
		c    WebhookConfig
		want string // "" means valid
	}{
		{"https", WebhookConfig{URL: "https://ntfy.sh/tocsin-7f3a", Token: "tk_1"}, ""},
		{"http on a LAN", WebhookConfig{URL: "http://192.168.1.5:8080/alarms", Format: FormatJSON}, ""},
		{"token over http on loopback", WebhookConfig{URL: "http://127.0.0.1:2586/alarms", Token: "tk"}, ""},
		{"empty", WebhookConfig{}, "must start with https://"},
		{"relative", WebhookConfig{URL: "/hooks/x"}, "must start with https://"},
		{"ftp", WebhookConfig{URL: "ftp://example.org/x"}, "must start with https://"},
		{"no host", WebhookConfig{URL: "https:///x"}, "has no host"},
		{"not a URL", WebhookConfig{URL: "https://exa mple.org/%zz"}, "not a URL"},
		{"bad format", WebhookConfig{URL: "https://ntfy.sh/x", Format: "slack"}, `"slack" is not a format`},
		{"token over http", WebhookConfig{URL: "http://ntfy.example.org/x", Token: "tk"}, "must use https"},
		{"token with a newline", WebhookConfig{URL: "https://ntfy.sh/x", Token: "tk\r\nX-Evil: 1"}, "printable ASCII"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewWebhook(tt.c)
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("err = %v, want none", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Errorf("err = %v, want one saying %q", err, tt.want)
			}
		})
	}
}

func TestWebhookLongBody(t *testing.T) {
	h := startHook(t, http.StatusOK, "")
	w := newWebhook(t, WebhookConfig{URL: h.URL})
	a := testAlarm()
	a.Detail = strings.Repeat("ñ", 5000)
	if err := w.Notify(context.Background(), a); err != nil {
		t.Fatal(err)
	}
	if b := h.only(t).body; len(b) > ntfyMaxBody || !strings.HasSuffix(string(b), "ñ…") {
		t.Errorf("a body of %d bytes ending %q", len(b), b[len(b)-8:])
	}
}
