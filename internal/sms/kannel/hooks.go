package kannel

import (
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/tocsin/tocsin/internal/phone"
	"github.com/tocsin/tocsin/internal/sms"
)

// ErrBadHook is wrapped when a hook request carries the right secret but
// cannot be decoded (unknown kind, bad status, bad sender number).
var ErrBadHook = errors.New("kannel: malformed hook request")

// Kannel's delivery report types (the %d escape of a dlr-url).
const (
	dlrDelivered   = 1  // delivered to the phone
	dlrUndelivered = 2  // not delivered to the phone
	dlrBuffered    = 4  // queued at the SMSC
	dlrSMSCSubmit  = 8  // accepted by the SMSC
	dlrSMSCReject  = 16 // rejected by the SMSC
)

// InboundGetURL is the get-url to put in kannel.conf's sms-service group
// so that inbound texts reach hookURL (tocsin's public /hooks/sms/kannel):
// the secret, kind=mo, the sender (%p), our number (%P), the text exactly as
// received (%b) and its coding (%c) and charset (%C), so that a text Kannel
// did not recode from UCS-2 can still be read.
func (p *Provider) InboundGetURL(hookURL string) string {
	sep := "?"
	switch {
	case strings.HasSuffix(hookURL, "?") || strings.HasSuffix(hookURL, "&"):
		sep = ""
	case strings.Contains(hookURL, "?"):
		sep = "&"
	}
	return hookURL + sep + "secret=" + p.cfg.HookSecret + "&kind=mo&from=%p&to=%P&text=%b&coding=%c&charset=%C"
}

// ParseHook checks that Kannel sent h (the secret in its query equals
// Config.HookSecret, compared in constant time; otherwise sms.ErrForged)
// and decodes it: kind=dlr is a delivery report, kind=mo an inbound text.
func (p *Provider) ParseHook(h sms.Hook) (sms.Event, error) {
	if h.Provider != "" && h.Provider != p.Name() {
		return sms.Event{}, fmt.Errorf("%w: addressed to provider %q", ErrBadHook, h.Provider)
	}
	if !p.secretOK(h.Form.Get("secret")) {
		return sms.Event{}, sms.ErrForged
	}
	switch kind := h.Form.Get("kind"); kind {
	case "dlr":
		r, err := p.receipt(h)
		if err != nil {
			return sms.Event{}, err
		}
		return sms.Event{Receipt: &r}, nil
	case "mo":
		in, err := p.inbound(h)
		if err != nil {
			return sms.Event{}, err
		}
		return sms.Event{Inbound: &in}, nil
	default:
		return sms.Event{}, fmt.Errorf("%w: unknown kind %q", ErrBadHook, clean(kind, 16))
	}
}

// secretOK compares hashes so that neither the content nor the length of
// the secret leaks through timing.
func (p *Provider) secretOK(got string) bool {
	if got == "" {
		return false
	}
	a := sha256.Sum256([]byte(got))
	b := sha256.Sum256([]byte(p.cfg.HookSecret))
	return subtle.ConstantTimeCompare(a[:], b[:]) == 1
}

func (p *Provider) receipt(h sms.Hook) (sms.Receipt, error) {
	id := h.Form.Get("id")
	if id == "" || len(id) > 64 || !urlSafe(id) {
		return sms.Receipt{}, fmt.Errorf("%w: missing or bad message id", ErrBadHook)
	}
	code, err := strconv.Atoi(h.Form.Get("status"))
	if err != nil {
		return sms.Receipt{}, fmt.Errorf("%w: bad status", ErrBadHook)
	}
	r := sms.Receipt{ProviderID: id}
	switch code {
	case dlrDelivered:
		r.Status = sms.StatusDelivered
	case dlrUndelivered:
		r.Status = sms.StatusUndelivered
	case dlrBuffered, dlrSMSCSubmit:
		r.Status = sms.StatusAccepted
	case dlrSMSCReject:
		r.Status = sms.StatusFailed
	default:
		return sms.Receipt{}, fmt.Errorf("%w: unknown delivery report type %d", ErrBadHook, code)
	}
	if r.Status == sms.StatusUndelivered || r.Status == sms.StatusFailed {
		r.Error = "kannel dlr " + strconv.Itoa(code)
		if reply := h.Form.Get("reply"); reply != "" {
			r.Error = clean(reply, 160)
		}
	}
	r.At = p.now().UTC()
	if s := h.Form.Get("at"); s != "" {
		if sec, err := strconv.ParseInt(s, 10, 64); err == nil && sec > 0 {
			r.At = time.Unix(sec, 0).UTC()
		}
	}
	return r, nil
}

func (p *Provider) inbound(h sms.Hook) (sms.InboundText, error) {
	from, err := parseSender(h.Form.Get("from"), p.cfg.Region)
	if err != nil {
		return sms.InboundText{}, err
	}
	text := h.Form.Get("text")
	if strings.EqualFold(h.Form.Get("charset"), "UTF-16BE") && len(text)%2 == 0 {
		// Kannel did not recode a UCS-2 text (mo-recode = false): %b is
		// the raw UTF-16BE bytes.
		u := make([]uint16, len(text)/2)
		for i := range u {
			u[i] = uint16(text[2*i])<<8 | uint16(text[2*i+1])
		}
		text = string(utf16.Decode(u))
	}
	if !utf8.ValidString(text) {
		text = strings.ToValidUTF8(text, "\uFFFD")
	}
	return sms.InboundText{From: from, Body: text}, nil
}

// parseSender reads the sender number as an SMSC gives it: +E.164, 00 and
// the international number, international digits without a prefix, or a
// national number of region.
func parseSender(s, region string) (phone.Number, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", fmt.Errorf("%w: no sender", ErrBadHook)
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
	// The error must not repeat the number.
	return "", fmt.Errorf("%w: the sender is not a phone number", ErrBadHook)
}
