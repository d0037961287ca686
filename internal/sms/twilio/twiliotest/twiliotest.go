// Package twiliotest is a small fake of the parts of Twilio's REST API that
// tocsin uses, for tests: creating and listing Messages
// (/2010-04-01/Accounts/{AccountSid}/Messages.json) with Twilio's Basic
// authentication, parameters, JSON answers, error bodies and paging, plus
// fault injection (429s, 5xx, slow answers) and signed status callbacks.
//
// It is for tests only. Production code must never import it, it must never
// be given real credentials or real subscribers' numbers, and it never
// contacts Twilio: every request it serves and every callback it sends stays
// on the addresses the test gives it.
//
// Point the provider at it with twilio.Config{BaseURL: srv.URL}.
//
// Simplifications, each documented where it matters: a message the fake
// accepts is "sent" at once (the create answer says queued and has no
// date_sent, as Twilio's does; the list shows it sent, with date_sent), From
// numbers and Messaging Service SIDs are not checked against an inventory,
// and the API key belongs to the one account the fake serves.
package twiliotest

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Options configure a fake. The credentials are the ones the fake accepts:
// API key SID + secret, or account SID + auth token (Twilio accepts both for
// Basic authentication). AuthToken also signs status callbacks.
type Options struct {
	AccountSID string
	APIKey     string
	APISecret  string
	AuthToken  string
	// Now is the fake's clock; nil means time.Now.
	Now func() time.Time
	// MaxPageSize caps PageSize on list requests, as Twilio caps it at
	// 1000 (the default). Tests set it low to exercise paging.
	MaxPageSize int
}

// Message is a message the fake holds, as it was received.
type Message struct {
	SID                 string
	To                  string
	From                string
	MessagingServiceSID string
	Body                string
	StatusCallback      string
	ValidityPeriod      int // 0 when the request did not set one
	Status              string
	DateCreated         time.Time
	DateSent            time.Time
	// AuthUser is the Basic-auth user name of the request that created the
	// message (an SK… API key SID or the AC… account SID); "" when the
	// message was injected with InjectSent.
	AuthUser string
}

// Server is a running fake. Its methods are safe for concurrent use.
type Server struct {
	// URL is the fake's base URL, e.g. "http://127.0.0.1:41234"; give it to
	// the provider as Config.BaseURL.
	URL string

	opts Options
	srv  *httptest.Server
	cb   *http.Client

	mu         sync.Mutex
	msgs       []Message // everything the account holds, in creation order
	sent       []int     // indexes into msgs of messages accepted over the API
	seq        int
	failN      int
	failStatus int
	delay      time.Duration
	reject     map[string]int
	queries    []url.Values
}

// New starts a fake and stops it when the test ends.
func New(tb testing.TB, o Options) *Server {
	tb.Helper()
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.MaxPageSize <= 0 {
		o.MaxPageSize = 1000
	}
	s := &Server{opts: o, reject: make(map[string]int), cb: &http.Client{Timeout: 10 * time.Second}}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /2010-04-01/Accounts/{account}/Messages.json", s.create)
	mux.HandleFunc("GET /2010-04-01/Accounts/{account}/Messages.json", s.list)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, 20404, "The requested resource "+r.URL.Path+" was not found")
	})
	s.srv = httptest.NewServer(mux)
	s.URL = s.srv.URL
	tb.Cleanup(s.srv.Close)
	return s
}

// Fail makes the next n create requests (sends) answer with the HTTP
// status: 429 comes with Twilio's code 20429, 500 and 503 with Twilio JSON
// error bodies (codes 20500, 20503), and 502 and 504 with an HTML page, as
// a load balancer in front of Twilio would answer.
func (s *Server) Fail(n, status int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failN, s.failStatus = n, status
}

// Delay makes every answer wait d first (or until the client gives up).
func (s *Server) Delay(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.delay = d
}

// Reject makes sends to the number to fail with HTTP 400 and the Twilio
// error code, e.g. 21610 (unsubscribed recipient), 21614 (not a mobile
// number) or 21408 (region not enabled).
func (s *Server) Reject(to string, code int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.reject[to] = code
}

// Sent returns the messages the fake accepted over the API, in order.
func (s *Server) Sent() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Message, 0, len(s.sent))
	for _, i := range s.sent {
		out = append(out, s.msgs[i])
	}
	return out
}

// ListQueries returns the query of every list request the fake answered,
// in order (to check the filters a client sent, and how it paged).
func (s *Server) ListQueries() []url.Values {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.queries)
}

// InjectSent adds a message as if someone else had sent it with the
// account's credentials (a stolen key), for reconciliation tests. Empty SID,
// Status and DateSent default to a new SID, "sent" and now; DateCreated
// defaults to DateSent. It returns the message as stored.
func (s *Server) InjectSent(m Message) Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	if m.SID == "" {
		m.SID = s.newSID()
	}
	if m.Status == "" {
		m.Status = "sent"
	}
	if m.DateSent.IsZero() {
		m.DateSent = s.opts.Now()
	}
	if m.DateCreated.IsZero() {
		m.DateCreated = m.DateSent
	}
	m.AuthUser = ""
	s.msgs = append(s.msgs, m)
	return m
}

// StatusCallback POSTs a status callback for the message sid to the
// StatusCallback URL it was sent with, signed with X-Twilio-Signature under
// the auth token as Twilio signs it. errorCode ("" for none) is sent as
// ErrorCode. It returns the HTTP status the receiver answered.
func (s *Server) StatusCallback(sid, status, errorCode string) (int, error) {
	s.mu.Lock()
	var m *Message
	for i := range s.msgs {
		if s.msgs[i].SID == sid {
			s.msgs[i].Status = status
			c := s.msgs[i]
			m = &c
		}
	}
	s.mu.Unlock()
	if m == nil {
		return 0, fmt.Errorf("twiliotest: no message %s", sid)
	}
	if m.StatusCallback == "" {
		return 0, fmt.Errorf("twiliotest: message %s has no StatusCallback", sid)
	}
	form := url.Values{
		"AccountSid":    {s.opts.AccountSID},
		"ApiVersion":    {"2010-04-01"},
		"MessageSid":    {m.SID},
		"SmsSid":        {m.SID},
		"MessageStatus": {status},
		"SmsStatus":     {status},
		"To":            {m.To},
	}
	if m.From != "" {
		form.Set("From", m.From)
	}
	if m.MessagingServiceSID != "" {
		form.Set("MessagingServiceSid", m.MessagingServiceSID)
	}
	if errorCode != "" {
		form.Set("ErrorCode", errorCode)
	}
	req, err := http.NewRequest(http.MethodPost, m.StatusCallback, strings.NewReader(form.Encode()))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Twilio-Signature", Sign(s.opts.AuthToken, m.StatusCallback, form))
	resp, err := s.cb.Do(req)
	if err != nil {
		return 0, err
	}
	resp.Body.Close()
	return resp.StatusCode, nil
}

// Sign computes X-Twilio-Signature as Twilio documents it: the full URL,
// then each POST parameter's name followed by its value, sorted by name,
// HMAC-SHA1 under the auth token, base64. It is the fake's own code (the
// SDK exports only the checking side) so that the provider's use of the
// SDK's RequestValidator is tested against an independent signer.
func Sign(authToken, rawURL string, form url.Values) string {
	keys := make([]string, 0, len(form))
	for k := range form {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	b.WriteString(rawURL)
	for _, k := range keys {
		vs := slices.Clone(form[k])
		sort.Strings(vs)
		for _, v := range vs {
			b.WriteString(k)
			b.WriteString(v)
		}
	}
	mac := hmac.New(sha1.New, []byte(authToken))
	mac.Write([]byte(b.String()))
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

func (s *Server) newSID() string {
	s.seq++
	return fmt.Sprintf("SM%032x", s.seq)
}

// wait applies Delay; it reports false when the client went away.
func (s *Server) wait(r *http.Request) bool {
	s.mu.Lock()
	d := s.delay
	s.mu.Unlock()
	if d <= 0 {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-r.Context().Done():
		return false
	}
}

// authorize checks Basic auth and the account in the path, answering the
// error itself. It returns the user name.
func (s *Server) authorize(w http.ResponseWriter, r *http.Request) (string, bool) {
	user, pass, ok := r.BasicAuth()
	valid := ok && ((user == s.opts.APIKey && pass == s.opts.APISecret && s.opts.APIKey != "") ||
		(user == s.opts.AccountSID && pass == s.opts.AuthToken && s.opts.AccountSID != ""))
	if !valid {
		w.Header().Set("WWW-Authenticate", `Basic realm="Twilio API"`)
		writeError(w, http.StatusUnauthorized, 20003, "Authenticate")
		return "", false
	}
	if r.PathValue("account") != s.opts.AccountSID {
		writeError(w, http.StatusNotFound, 20404, "The requested resource "+r.URL.Path+" was not found")
		return "", false
	}
	return user, true
}

var e164 = regexp.MustCompile(`^\+[1-9][0-9]{7,14}$`)

func (s *Server) create(w http.ResponseWriter, r *http.Request) {
	// Read the body first: only then does net/http watch the connection
	// and cancel r.Context() when the client gives up during a Delay.
	if err := r.ParseForm(); err != nil {
		writeError(w, http.StatusBadRequest, 20001, "Could not parse the request body")
		return
	}
	if !s.wait(r) {
		return
	}
	user, ok := s.authorize(w, r)
	if !ok {
		return
	}
	s.mu.Lock()
	if s.failN > 0 {
		s.failN--
		status := s.failStatus
		s.mu.Unlock()
		writeFault(w, status)
		return
	}
	s.mu.Unlock()
	f := r.PostForm
	m := Message{
		To:                  f.Get("To"),
		From:                f.Get("From"),
		MessagingServiceSID: f.Get("MessagingServiceSid"),
		Body:                f.Get("Body"),
		StatusCallback:      f.Get("StatusCallback"),
		Status:              "queued",
		AuthUser:            user,
	}
	switch {
	case m.To == "":
		writeError(w, http.StatusBadRequest, 21604, "A 'To' phone number is required.")
		return
	case !e164.MatchString(m.To):
		// Twilio's own wording, which repeats the number: the provider
		// must not pass it on.
		writeError(w, http.StatusBadRequest, 21211, "Invalid 'To' Phone Number: "+m.To)
		return
	case m.From == "" && m.MessagingServiceSID == "":
		writeError(w, http.StatusBadRequest, 21603, "A 'From' or 'MessagingServiceSid' parameter is required to send a message")
		return
	case m.Body == "":
		writeError(w, http.StatusBadRequest, 21602, "Message body is required.")
		return
	}
	if v := f.Get("ValidityPeriod"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 36000 {
			writeError(w, http.StatusBadRequest, 21624, "Invalid validity period value")
			return
		}
		m.ValidityPeriod = n
	}
	s.mu.Lock()
	if code, ok := s.reject[m.To]; ok {
		s.mu.Unlock()
		writeError(w, http.StatusBadRequest, code, rejectMessage(code, m.To))
		return
	}
	m.SID = s.newSID()
	m.DateCreated = s.opts.Now()
	created := m // the answer: queued, not yet sent
	m.DateSent = m.DateCreated
	s.msgs = append(s.msgs, m)
	s.sent = append(s.sent, len(s.msgs)-1)
	s.mu.Unlock()
	writeJSON(w, http.StatusCreated, s.resource(created))
}

func rejectMessage(code int, to string) string {
	switch code {
	case 21610:
		return "Attempt to send to unsubscribed recipient"
	case 21614:
		return "'To' number " + to + " is not a valid mobile number"
	case 21408:
		return "Permission to send an SMS has not been enabled for the region indicated by the 'To' number: " + to
	case 21211:
		return "Invalid 'To' Phone Number: " + to
	}
	return "Rejected"
}

func (s *Server) list(w http.ResponseWriter, r *http.Request) {
	if !s.wait(r) {
		return
	}
	if _, ok := s.authorize(w, r); !ok {
		return
	}
	q := r.URL.Query()
	s.mu.Lock()
	s.queries = append(s.queries, q)
	s.mu.Unlock()
	keep, err := filter(q)
	if err != nil {
		writeError(w, http.StatusBadRequest, 20001, err.Error())
		return
	}
	size := s.opts.MaxPageSize
	if v := q.Get("PageSize"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			writeError(w, http.StatusBadRequest, 20001, "Invalid PageSize")
			return
		}
		size = min(n, s.opts.MaxPageSize)
	}
	page, _ := strconv.Atoi(q.Get("Page"))

	s.mu.Lock()
	type item struct {
		m Message
		i int
	}
	var all []item
	for i, m := range s.msgs {
		if keep(m) {
			all = append(all, item{m, i})
		}
	}
	s.mu.Unlock()
	// Newest first, as Twilio lists them.
	sort.SliceStable(all, func(a, b int) bool {
		if !all[a].m.DateSent.Equal(all[b].m.DateSent) {
			return all[a].m.DateSent.After(all[b].m.DateSent)
		}
		return all[a].i > all[b].i
	})
	start := 0
	if tok := q.Get("PageToken"); tok != "" {
		// The token names the last message of the previous page, so
		// that messages added meanwhile do not shift the pages.
		start = len(all)
		for j, it := range all {
			if "PA"+it.m.SID == tok {
				start = j + 1
				break
			}
		}
	}
	end := min(start+size, len(all))
	msgs := make([]any, 0, end-start)
	for _, it := range all[start:end] {
		msgs = append(msgs, s.resource(it.m))
	}

	base := "/2010-04-01/Accounts/" + s.opts.AccountSID + "/Messages.json"
	pageURI := func(p int, token string) string {
		v := url.Values{}
		for k, vs := range q {
			if k != "Page" && k != "PageToken" && k != "PageSize" {
				v[k] = vs
			}
		}
		v.Set("PageSize", strconv.Itoa(size))
		v.Set("Page", strconv.Itoa(p))
		if token != "" {
			v.Set("PageToken", token)
		}
		return base + "?" + v.Encode()
	}
	var next any // JSON null on the last page
	if end < len(all) {
		next = pageURI(page+1, "PA"+all[end-1].m.SID)
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"messages":          msgs,
		"end":               max(end-1, 0),
		"first_page_uri":    pageURI(0, ""),
		"next_page_uri":     next,
		"page":              page,
		"page_size":         size,
		"previous_page_uri": nil,
		"start":             start,
		"uri":               r.URL.RequestURI(),
	})
}

// filter builds the list filter from Twilio's query parameters. The SDK
// writes "DateSent>=2024-01-02T03:04:05Z" as the parameter "DateSent>"
// (the "=" separates name and value), which Twilio reads as "sent on or
// after"; likewise "DateSent<". Messages not yet sent have no date_sent and
// never match a DateSent filter.
func filter(q url.Values) (func(Message) bool, error) {
	var after, before, on time.Time
	for _, f := range []struct {
		name string
		t    *time.Time
	}{{"DateSent>", &after}, {"DateSent<", &before}, {"DateSent", &on}} {
		v := q.Get(f.name)
		if v == "" {
			continue
		}
		t, err := parseDate(v)
		if err != nil {
			//lint:ignore ST1005 the fake answers with Twilio's own wording
			return nil, fmt.Errorf("Invalid %s: %s", f.name, v)
		}
		*f.t = t
	}
	from, to := q.Get("From"), q.Get("To")
	return func(m Message) bool {
		if from != "" && m.From != from || to != "" && m.To != to {
			return false
		}
		if (!after.IsZero() || !before.IsZero() || !on.IsZero()) && m.DateSent.IsZero() {
			return false
		}
		if !after.IsZero() && m.DateSent.Before(after) {
			return false
		}
		if !before.IsZero() && m.DateSent.After(before) {
			return false
		}
		if !on.IsZero() && m.DateSent.UTC().Format(time.DateOnly) != on.Format(time.DateOnly) {
			return false
		}
		return true
	}, nil
}

func parseDate(v string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t, nil
	}
	return time.Parse(time.DateOnly, v)
}

// rfc2822 is how Twilio writes dates: "Mon, 02 Jan 2006 15:04:05 +0000".
func rfc2822(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC().Format(time.RFC1123Z)
}

func orNull(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// resource is a message as Twilio's JSON represents it.
func (s *Server) resource(m Message) map[string]any {
	uri := "/2010-04-01/Accounts/" + s.opts.AccountSID + "/Messages/" + m.SID + ".json"
	return map[string]any{
		"account_sid":           s.opts.AccountSID,
		"api_version":           "2010-04-01",
		"body":                  m.Body,
		"date_created":          rfc2822(m.DateCreated),
		"date_sent":             rfc2822(m.DateSent),
		"date_updated":          rfc2822(m.DateCreated),
		"direction":             "outbound-api",
		"error_code":            nil,
		"error_message":         nil,
		"from":                  orNull(m.From),
		"messaging_service_sid": orNull(m.MessagingServiceSID),
		"num_media":             "0",
		"num_segments":          "1",
		"price":                 nil,
		"price_unit":            "USD",
		"sid":                   m.SID,
		"status":                m.Status,
		"subresource_uris":      map[string]any{"media": strings.TrimSuffix(uri, ".json") + "/Media.json"},
		"to":                    m.To,
		"uri":                   uri,
	}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// writeError answers with Twilio's error body.
func writeError(w http.ResponseWriter, status, code int, message string) {
	writeJSON(w, status, map[string]any{
		"code":      code,
		"message":   message,
		"more_info": fmt.Sprintf("https://www.twilio.com/docs/errors/%d", code),
		"status":    status,
	})
}

func writeFault(w http.ResponseWriter, status int) {
	switch status {
	case http.StatusTooManyRequests:
		writeError(w, status, 20429, "Too Many Requests")
	case http.StatusInternalServerError:
		writeError(w, status, 20500, "Internal Server Error")
	case http.StatusServiceUnavailable:
		writeError(w, status, 20503, "Service Unavailable")
	case http.StatusBadGateway, http.StatusGatewayTimeout:
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(status)
		fmt.Fprintf(w, "<html><body><h1>%d %s</h1></body></html>\n", status, http.StatusText(status))
	default:
		writeError(w, status, 0, http.StatusText(status))
	}
}
