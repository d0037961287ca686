package kannel

import (
	"fmt"

	"github.com/tocsin/tocsin/internal/kannelhook"
	"github.com/tocsin/tocsin/internal/sms"
)

// Verifier checks and decodes the inbound texts of a Kannel that tocsin
// does not send through: the gateway of canary subscribers on another
// carrier, whose get-url carries its own hook secret. It never sends.
type Verifier struct {
	secret, region string
}

var _ sms.Webhooks = (*Verifier)(nil)

// NewVerifier returns a Verifier for calls carrying secret; numbers
// without a country code are read in region ("" for US).
func NewVerifier(secret, region string) (*Verifier, error) {
	if !urlSafe(secret) || len(secret) < MinSecretLen {
		return nil, fmt.Errorf("kannel: the canary hook secret must be at least %d characters of A-Z a-z 0-9 - . _ ~", MinSecretLen)
	}
	if region == "" {
		region = "US"
	}
	return &Verifier{secret: secret, region: region}, nil
}

// String names the verifier without its secret.
func (v *Verifier) String() string { return "kannel canary gateway" }

// ParseHook checks the call's secret (sms.ErrForged without it) and
// decodes an inbound text (kind=mo); anything else is an error.
func (v *Verifier) ParseHook(h sms.Hook) (sms.Event, error) {
	if !kannelhook.SecretOK(h.Form.Get("secret"), v.secret) {
		return sms.Event{}, sms.ErrForged
	}
	if kind := h.Form.Get("kind"); kind != "mo" {
		return sms.Event{}, fmt.Errorf("%w: the canary gateway sends only inbound texts (kind=mo), not %q", ErrBadHook, clean(kind, 16))
	}
	mo, err := kannelhook.ParseMO(h.Form, v.region)
	if err != nil {
		return sms.Event{}, err
	}
	return sms.Event{Inbound: &sms.InboundText{From: mo.From, To: mo.To, Body: mo.Text}}, nil
}
