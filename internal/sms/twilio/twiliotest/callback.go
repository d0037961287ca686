package twiliotest

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"
)

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
