package twilio

import (
	"errors"
	"fmt"
	"time"

	"github.com/twilio/twilio-go/client"

	"github.com/tocsin/tocsin/internal/sms"
)

// Verifier checks and decodes the inbound texts of a Twilio account that
// tocsin does not send through: the account of canary subscribers kept
// apart from the sending account, so that whoever holds the sending
// account can neither list their numbers nor silence their webhook. It
// holds only that account's auth token (which Twilio signs with) and
// never sends.
type Verifier struct {
	account   string
	validator client.RequestValidator
}

var _ sms.Webhooks = (*Verifier)(nil)

// NewVerifier returns a Verifier for the account with this SID ("" to
// skip the check of the AccountSid parameter) and auth token.
func NewVerifier(accountSID, authToken string) (*Verifier, error) {
	if authToken == "" {
		return nil, errors.New("twilio: the canary account's auth token is missing: it is needed to check its webhook signatures")
	}
	if accountSID != "" && !sidAccount.MatchString(accountSID) {
		return nil, errors.New("twilio: the canary account SID must be AC followed by 32 hex digits")
	}
	return &Verifier{account: accountSID, validator: client.NewRequestValidator(authToken)}, nil
}

// String names the verifier without its secret.
func (v *Verifier) String() string { return "twilio canary account " + v.account }

// ParseHook checks h's X-Twilio-Signature under the account's auth token
// (as Provider.Verify does), then its AccountSid, and decodes an inbound
// text. A status callback is an error: this account sends nothing.
func (v *Verifier) ParseHook(h sms.Hook) (sms.Event, error) {
	if err := verify(v.validator, h); err != nil {
		return sms.Event{}, err
	}
	if got := h.Form.Get("AccountSid"); v.account != "" && got != v.account {
		return sms.Event{}, fmt.Errorf("%w: signed for another account", sms.ErrForged)
	}
	ev, err := decode(h.Form, time.Now)
	if err == nil && ev.Inbound == nil {
		return sms.Event{}, errors.New("twilio canary hook: not an inbound text (the canary account sends nothing)")
	}
	return ev, err
}
