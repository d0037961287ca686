package twiliotest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"
)

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
