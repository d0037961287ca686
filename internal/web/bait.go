package web

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"net"
	"net/http"
	"strings"

	"github.com/tocsin/tocsin/internal/auth"
	"github.com/tocsin/tocsin/internal/store"
)

// Bait (BRIEF: bait and detection). Everything here answers an intruder
// with something plausible and phony, records the request's network
// details in a security event, and exposes nothing real. Network details
// are kept only for requests to bait: they come from someone who read our
// files or probed for them, never from a reporter or a subscriber.

// baitHeaders are the request headers a bait event keeps: enough to trace
// an intruder, never a credential or a cookie.
var baitHeaders = []string{"Accept", "Accept-Language", "Accept-Encoding", "Content-Type", "Referer", "Origin", "X-Forwarded-For", "X-Real-Ip", "Forwarded", "Via"}

// netDetails are what a request to bait gives away: the peer's address, the
// user agent, a few headers, and the method and path (as ":method" and
// ":path", without the query string).
func netDetails(r *http.Request) *store.NetworkDetails {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	h := map[string]string{":method": r.Method, ":path": r.URL.Path}
	for _, k := range baitHeaders {
		if v := r.Header.Get(k); v != "" {
			h[k] = v
		}
	}
	return &store.NetworkDetails{SourceAddr: host, UserAgent: r.UserAgent(), Headers: h}
}

// baitEvent records a security event with the request's network details.
// Events at warning level (decoy URLs, which scanners hit all day) share
// the per-minute limit of events unauthenticated requests cause; higher
// ones, which mean someone used stolen bait, are always recorded.
func (s *Server) baitEvent(ctx context.Context, r *http.Request, kind, severity, subject, detail string) {
	s.cfg.Log.Warn("security event", "kind", kind, "severity", severity, "subject", subject)
	if severity == store.SeverityWarning {
		suppressed, ok := s.events.allow(s.cfg.Now())
		if !ok {
			return
		}
		if suppressed > 0 {
			detail += fmt.Sprintf(" (and %d more events in the last minute, not recorded one by one)", suppressed)
		}
	}
	e := &store.SecurityEvent{At: s.cfg.Now(), Kind: kind, Severity: severity, Subject: subject, Detail: detail, Net: netDetails(r)}
	if err := s.cfg.Store.AddSecurityEvent(ctx, e); err != nil {
		s.cfg.Log.Error("security event not recorded", "err", err)
		return
	}
	// The audit trail's hash chain holds the event too, without its
	// network details (the audit trail keeps no address).
	s.auditf(ctx, "security", "security."+kind, subject, detail)
}

// canaryCreds are the phony provider credentials (and API key) in the decoy
// files, derived from the web key: the same in every file and every
// replica, each in its real counterpart's form, and known to be bait only
// to someone who holds the web key.
type canaryCreds struct {
	TwilioAccountSID, TwilioAPIKey, TwilioAPISecret, TwilioAuthToken string
	DBPassword, APIKey                                               string
}

func (s *Server) canaryCreds() canaryCreds {
	d := func(label string, n int) []byte {
		m := hmac.New(sha256.New, s.cfg.CSRFKey)
		m.Write([]byte("tocsin/canary-credential/v1\x00" + label))
		return m.Sum(nil)[:n]
	}
	secret := base64.RawURLEncoding.EncodeToString(d("twilio-api-secret", 24))
	secret = strings.NewReplacer("-", "q", "_", "Z").Replace(secret)
	return canaryCreds{
		TwilioAccountSID: "AC" + hex.EncodeToString(d("twilio-account", 16)),
		TwilioAPIKey:     "SK" + hex.EncodeToString(d("twilio-api-key", 16)),
		TwilioAPISecret:  secret,
		TwilioAuthToken:  hex.EncodeToString(d("twilio-auth-token", 16)),
		DBPassword:       hex.EncodeToString(d("db-password", 12)),
		APIKey:           auth.DerivedAPIKey(s.cfg.CSRFKey, "decoy-env"),
	}
}

// canaryCredential names the canary credential a request presents in its
// Authorization header (Bearer or Basic), or "".
func (s *Server) canaryCredential(r *http.Request) string {
	h := r.Header.Get("Authorization")
	if h == "" {
		return ""
	}
	var presented []string
	if tok, ok := strings.CutPrefix(h, "Bearer "); ok {
		presented = append(presented, strings.TrimSpace(tok))
	}
	if u, p, ok := r.BasicAuth(); ok {
		presented = append(presented, u, p)
	}
	c := s.canaryCreds()
	for _, v := range presented {
		switch v {
		case "":
		case c.TwilioAccountSID, c.TwilioAPIKey, c.TwilioAPISecret, c.TwilioAuthToken:
			return "Twilio credential from the decoy environment file"
		case c.APIKey:
			return "API key from the decoy environment file"
		case c.DBPassword:
			return "database password from the decoy environment file"
		}
	}
	return ""
}

// watchCredentials raises an event for any request that presents a
// credential from the decoy files, whatever it asks for: someone fetched a
// decoy and is trying what it holds. The decoys are served to anyone, so
// this is an alarm (high), never a trigger that freezes outbound messaging:
// otherwise anyone could stop the alerts with two requests. The request
// then goes on as any other with a credential that does not work.
func (s *Server) watchCredentials(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if what := s.canaryCredential(r); what != "" {
			s.baitEvent(r.Context(), r, "canary.decoy_credential", store.SeverityHigh, what,
				"a credential from a decoy file was used: someone fetched a decoy and is trying what it holds")
		}
		next.ServeHTTP(w, r)
	})
}
