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
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
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
