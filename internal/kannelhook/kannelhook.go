// Package kannelhook reads Kannel's calls to tocsin's /hooks/sms/kannel:
// delivery reports (dlr-url) and inbound texts (an sms-service get-url),
// authenticated by a hook secret in the query.
//
// Both the web tier (which checks and records them at once) and the Kannel
// provider use it. It holds nothing but the hook secret, which cannot send a
// message; it must never hold Kannel's sendsms credentials, and it never
// returns an error that repeats a phone number.
package kannelhook

import (
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/tocsin/tocsin/internal/phone"
)

// ErrBadHook is wrapped when a request carries the right secret but cannot
// be decoded (unknown kind, bad status, bad sender number).
var ErrBadHook = errors.New("kannel: malformed hook request")

// Kannel's delivery report types (the %d escape of a dlr-url).
const (
	dlrDelivered   = 1  // delivered to the phone
	dlrUndelivered = 2  // not delivered to the phone
	dlrBuffered    = 4  // queued at the SMSC
	dlrSMSCSubmit  = 8  // accepted by the SMSC
	dlrSMSCReject  = 16 // rejected by the SMSC
)

// Report statuses, the same words as the sender's receipts.
const (
	Accepted    = "accepted"
	Delivered   = "delivered"
	Undelivered = "undelivered"
	Failed      = "failed"
)

// Report is a delivery report.
type Report struct {
	ID     string // our message id (carried in the dlr-url)
	Status string
	Error  string
	At     time.Time
}

// SecretOK compares hashes so that neither the content nor the length of
// the secret leaks through timing.
func SecretOK(got, want string) bool {
	if got == "" || want == "" {
		return false
	}
	a, b := sha256.Sum256([]byte(got)), sha256.Sum256([]byte(want))
	return subtle.ConstantTimeCompare(a[:], b[:]) == 1
}

// ParseDLR reads a delivery report (kind=dlr): id, status (%d), at (%T)
// and reply (%A).
func ParseDLR(form url.Values, now time.Time) (Report, error) {
	id := form.Get("id")
	if id == "" || len(id) > 64 || !URLSafe(id) {
		return Report{}, fmt.Errorf("%w: missing or bad message id", ErrBadHook)
	}
	code, err := strconv.Atoi(form.Get("status"))
	if err != nil {
		return Report{}, fmt.Errorf("%w: bad status", ErrBadHook)
	}
	r := Report{ID: id}
	switch code {
	case dlrDelivered:
		r.Status = Delivered
	case dlrUndelivered:
		r.Status = Undelivered
	case dlrBuffered, dlrSMSCSubmit:
		r.Status = Accepted
	case dlrSMSCReject:
		r.Status = Failed
	default:
		return Report{}, fmt.Errorf("%w: unknown delivery report type %d", ErrBadHook, code)
	}
	if r.Status == Undelivered || r.Status == Failed {
		r.Error = "kannel dlr " + strconv.Itoa(code)
		if reply := form.Get("reply"); reply != "" {
			r.Error = Clean(reply, 160)
		}
	}
	r.At = now.UTC()
	if s := form.Get("at"); s != "" {
		if sec, err := strconv.ParseInt(s, 10, 64); err == nil && sec > 0 {
			r.At = time.Unix(sec, 0).UTC()
		}
	}
	return r, nil
}

// MO is an inbound text.
type MO struct {
	From phone.Number
	// To is the number of ours it was sent to; zero when Kannel did not
	// pass one or passed something that is not a phone number (a short
	// code): the text is kept all the same.
	To   phone.Number
	Text string
}

// ParseMO reads an inbound text (kind=mo): from (%p), to (%P, optional),
// text (%b) and its charset (%C), decoding a text Kannel did not recode
// from UCS-2. Only a missing or bad sender is an error.
func ParseMO(form url.Values, region string) (MO, error) {
	from, err := parseSender(form.Get("from"), region)
	if err != nil {
		return MO{}, err
	}
	to, err := parseNumber(form.Get("to"), region)
	if err != nil {
		to = ""
	}
	text := form.Get("text")
	if strings.EqualFold(form.Get("charset"), "UTF-16BE") && len(text)%2 == 0 {
		u := make([]uint16, len(text)/2)
		for i := range u {
			u[i] = uint16(text[2*i])<<8 | uint16(text[2*i+1])
		}
		text = string(utf16.Decode(u))
	}
	if !utf8.ValidString(text) {
		text = strings.ToValidUTF8(text, "\uFFFD")
	}
	return MO{From: from, To: to, Text: text}, nil
}

// parseSender reads the sender number (see parseNumber).
func parseSender(s, region string) (phone.Number, error) {
	if strings.TrimSpace(s) == "" {
		return "", fmt.Errorf("%w: no sender", ErrBadHook)
	}
	n, err := parseNumber(s, region)
	if err != nil {
		return "", fmt.Errorf("%w: the sender is not a phone number", ErrBadHook) // never repeat the number
	}
	return n, nil
}

// parseNumber reads a number as an SMSC gives it: +E.164, 00 and the
// international number, international digits without a prefix, or a
// national number of region. Its error never repeats the number.
func parseNumber(s, region string) (phone.Number, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", fmt.Errorf("%w: no number", ErrBadHook)
	}
	try := []string{s}
	switch {
	case strings.HasPrefix(s, "+"):
	case strings.HasPrefix(s, "00"):
		try = []string{"+" + s[2:]}
	case len(s) >= 11:
		try = []string{"+" + s, s}
	default:
		try = []string{s, "+" + s}
	}
	for _, c := range try {
		if n, err := phone.Parse(c, region); err == nil {
			return n, nil
		}
	}
	return "", fmt.Errorf("%w: not a phone number", ErrBadHook)
}

// URLSafe reports whether s is non-empty and has only unreserved URL
// characters, which Kannel's escape handling leaves alone.
func URLSafe(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~') {
			return false
		}
	}
	return s != ""
}

// Clean makes s safe to put in an error or a log: printable, one line, at
// most n runes, and with every run of 8 or more digits (anything that could
// be a phone number) masked. Shorter runs (error codes) are kept.
func Clean(s string, n int) string {
	rs := []rune(strings.TrimSpace(s))
	cut := len(rs) > n
	if cut {
		rs = rs[:n]
	}
	for i := 0; i < len(rs); {
		j := i
		for j < len(rs) && rs[j] >= '0' && rs[j] <= '9' {
			j++
		}
		if j-i >= 8 {
			for k := i; k < j; k++ {
				rs[k] = '#'
			}
		}
		if j == i {
			if !unicode.IsPrint(rs[i]) {
				rs[i] = ' '
			}
			j++
		}
		i = j
	}
	if cut {
		return string(rs) + "…"
	}
	return string(rs)
}
