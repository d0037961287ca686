package twilio

import (
	"cmp"
	"errors"
	"fmt"
	"net/url"
	"time"

	"github.com/twilio/twilio-go/client"

	"github.com/tocsin/tocsin/internal/phone"
	"github.com/tocsin/tocsin/internal/sms"
)

// Verify checks h's X-Twilio-Signature with the SDK's RequestValidator
// under the auth token, over h.URL and h.Form exactly as Twilio signs:
// h.URL must be the URL as configured at Twilio (scheme, host, path and
// query string), and h.Form the POST body's parameters only (r.PostForm,
// not r.Form, which would mix in the query). A missing or wrong signature,
// or a parameter sent more than once (the SDK signs one value per name), is
// sms.ErrForged. Configure Twilio to POST its webhooks (its default): a GET
// webhook is signed over the URL alone, and the query parameters the web
// tier puts into h.Form for a GET make it fail here, closed, as ErrForged.
// The all-in-one server can answer 403 at once on failure.
func (p *Provider) Verify(h sms.Hook) error { return verify(p.validator, h) }

func verify(validator client.RequestValidator, h sms.Hook) error {
	if h.Signature == "" {
		return fmt.Errorf("%w: no X-Twilio-Signature", sms.ErrForged)
	}
	if h.URL == "" {
		return fmt.Errorf("%w: no URL to check the signature over", sms.ErrForged)
	}
	params := make(map[string]string, len(h.Form))
	for k, vs := range h.Form {
		if len(vs) != 1 {
			return fmt.Errorf("%w: parameter %q sent %d times", sms.ErrForged, k, len(vs))
		}
		params[k] = vs[0]
	}
	if !validator.Validate(h.URL, params, h.Signature) {
		return fmt.Errorf("%w: X-Twilio-Signature does not match", sms.ErrForged)
	}
	return nil
}

// ParseHook verifies h (see Verify) and decodes it: a status callback
// (MessageStatus) becomes a Receipt, an inbound text (From and Body) an
// InboundText, with To the number of ours it reached (zero when To is
// absent or not a phone number: the text is kept all the same) and ID its
// MessageSid (required: the sender refuses a replay by it). A request that verifies but is neither, has an unknown
// status, or comes from something that is not a phone number is an error
// that is not sms.ErrForged.
func (p *Provider) ParseHook(h sms.Hook) (sms.Event, error) {
	if err := p.Verify(h); err != nil {
		return sms.Event{}, err
	}
	return decode(h.Form, p.now)
}

// decode reads a verified request's parameters (see ParseHook).
func decode(f url.Values, now func() time.Time) (sms.Event, error) {
	if st := f.Get("MessageStatus"); st != "" && st != "received" && st != "receiving" {
		status, ok := receiptStatus(st)
		if !ok {
			return sms.Event{}, fmt.Errorf("twilio hook: unknown MessageStatus %q", st)
		}
		sid := f.Get("MessageSid")
		if sid == "" {
			sid = f.Get("SmsSid")
		}
		if sid == "" {
			return sms.Event{}, errors.New("twilio hook: status callback without MessageSid")
		}
		return sms.Event{Receipt: &sms.Receipt{ProviderID: sid, Status: status, Error: f.Get("ErrorCode"), At: now().UTC()}}, nil
	}
	if f.Has("From") && f.Has("Body") {
		from, err := phone.Parse(f.Get("From"), "US")
		if err != nil {
			return sms.Event{}, fmt.Errorf("twilio hook: inbound text from something that is not a phone number: %w", err)
		}
		// To, our number that received it, is only a hint: a short code
		// or a channel address leaves it zero rather than losing the text.
		to, err := phone.Parse(f.Get("To"), "US")
		if err != nil {
			to = ""
		}
		id := cmp.Or(f.Get("MessageSid"), f.Get("SmsMessageSid"), f.Get("SmsSid"))
		if id == "" {
			// Without it a replay could not be told from a new text.
			return sms.Event{}, errors.New("twilio hook: inbound text without MessageSid")
		}
		return sms.Event{Inbound: &sms.InboundText{From: from, To: to, Body: f.Get("Body"), ID: id}}, nil
	}
	return sms.Event{}, errors.New("twilio hook: neither a status callback nor an inbound text")
}

// receiptStatus maps Twilio's message statuses.
func receiptStatus(s string) (sms.ReceiptStatus, bool) {
	switch s {
	case "queued", "accepted", "scheduled", "sending", "sent":
		return sms.StatusAccepted, true
	case "delivered", "read":
		return sms.StatusDelivered, true
	case "undelivered":
		return sms.StatusUndelivered, true
	case "failed", "canceled":
		return sms.StatusFailed, true
	}
	return "", false
}
