package twiliotest

import (
	"net/http"
	"regexp"
	"strconv"
)

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
