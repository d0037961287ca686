package kannel

import (
	"fmt"
	"strings"

	"github.com/tocsin/tocsin/internal/kannelhook"
	"github.com/tocsin/tocsin/internal/sms"
)

// ErrBadHook is wrapped when a hook request carries the right secret but
// cannot be decoded (unknown kind, bad status, bad sender number).
var ErrBadHook = kannelhook.ErrBadHook

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
// and decodes it: kind=dlr is a delivery report, kind=mo an inbound text
// (with To, our number that received it, when the get-url passes to=%P).
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

func (p *Provider) secretOK(got string) bool { return kannelhook.SecretOK(got, p.cfg.HookSecret) }

func (p *Provider) receipt(h sms.Hook) (sms.Receipt, error) {
	r, err := kannelhook.ParseDLR(h.Form, p.now())
	if err != nil {
		return sms.Receipt{}, err
	}
	return sms.Receipt{ProviderID: r.ID, Status: sms.ReceiptStatus(r.Status), Error: r.Error, At: r.At}, nil
}

func (p *Provider) inbound(h sms.Hook) (sms.InboundText, error) {
	mo, err := kannelhook.ParseMO(h.Form, p.cfg.Region)
	if err != nil {
		return sms.InboundText{}, err
	}
	return sms.InboundText{From: mo.From, To: mo.To, Body: mo.Text}, nil
}
