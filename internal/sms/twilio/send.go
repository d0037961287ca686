package twilio

import (
	"context"
	"fmt"
	"strings"
	"time"

	openapi "github.com/twilio/twilio-go/rest/api/v2010"

	"github.com/tocsin/tocsin/internal/phone"
	"github.com/tocsin/tocsin/internal/sms"
)

// Send sends m through Twilio's Messages API: To, Body, From or
// MessagingServiceSid, StatusCallback, and ValidityPeriod when m.ValidUntil
// is set (the whole seconds left, at most Twilio's 36000; a message with
// less than one second left is expired, sms.ErrPermanent, and not sent).
//
// Errors: HTTP 429, 5xx, timeouts and network failures wrap
// sms.ErrTemporary (and ErrMaybeSent when the request may have reached
// Twilio); 401 and 403 wrap ErrAuth (which wraps sms.ErrPermanent); every
// other 4xx, including 21211 invalid number, 21610 unsubscribed recipient,
// 21614 not a mobile number and 21408 region not enabled, wraps
// sms.ErrPermanent. Twilio's answers come as *APIError.
//
// m.IdempotencyKey is not sent: Twilio has none (see the package doc).
func (p *Provider) Send(ctx context.Context, m sms.Message) (sms.Result, error) {
	if err := ctx.Err(); err != nil {
		return sms.Result{}, fmt.Errorf("%w: twilio send: %w", sms.ErrTemporary, err)
	}
	if m.To.IsZero() {
		return sms.Result{}, fmt.Errorf("%w: twilio send: no recipient", sms.ErrPermanent)
	}
	params := &openapi.CreateMessageParams{}
	params.SetTo(m.To.E164()).SetBody(m.Body)
	if p.from != "" {
		params.SetFrom(p.from)
	} else {
		params.SetMessagingServiceSid(p.service)
	}
	if p.callback != "" {
		params.SetStatusCallback(p.callback)
	}
	if !m.ValidUntil.IsZero() {
		secs, err := validityPeriod(m.ValidUntil, p.now())
		if err != nil {
			return sms.Result{}, err
		}
		params.SetValidityPeriod(secs)
	}

	c, done := p.call(ctx)
	defer done()
	msg, err := c.api.CreateMessage(params)
	if err != nil {
		return sms.Result{}, c.classify("send", err)
	}
	if msg == nil || msg.Sid == nil || *msg.Sid == "" {
		return sms.Result{}, fmt.Errorf("%w: %w: twilio send: the answer has no message SID", sms.ErrTemporary, ErrMaybeSent)
	}
	return sms.Result{ProviderID: *msg.Sid}, nil
}

// validityPeriod is the whole seconds from now until validUntil, at most
// Twilio's maximum; less than the minimum is an expired message.
func validityPeriod(validUntil, now time.Time) (int, error) {
	left := validUntil.Sub(now)
	if left < minValidity*time.Second {
		return 0, fmt.Errorf("%w: twilio send: the message expired before it was sent", sms.ErrPermanent)
	}
	return int(min(left/time.Second, maxValidity)), nil
}

// ListSent lists the messages the account sent on or after since (at
// Twilio's one-second precision, so it may include messages up to a second
// older), through every page: those from our number (filtered by Twilio),
// or those of our Messaging Service (filtered here: Twilio's list has no
// such filter). Inbound messages are left out. Messages not yet sent have
// no date_sent and appear in a later listing.
//
// It sees only our number or service: messages the same credentials send
// from another number of the account are not listed, so give tocsin an
// account (or subaccount) of its own. A record whose recipient Twilio
// gives in a form that is not a phone number (a channel address) has a
// zero To: it matches no ledger entry and so raises the alarm, as it should.
func (p *Provider) ListSent(ctx context.Context, since time.Time) ([]sms.Record, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("%w: twilio list: %w", sms.ErrTemporary, err)
	}
	since = since.UTC().Truncate(time.Second)
	params := &openapi.ListMessageParams{}
	params.SetDateSentAfter(since).SetPageSize(listPageSize)
	if p.from != "" {
		params.SetFrom(p.from)
	}

	c, done := p.call(ctx)
	defer done()
	msgs, err := c.api.ListMessage(params)
	if err != nil {
		return nil, c.classify("list", err)
	}
	var out []sms.Record
	for _, m := range msgs {
		if strings.HasPrefix(deref(m.Direction), "inbound") {
			continue
		}
		if p.service != "" && deref(m.MessagingServiceSid) != p.service {
			continue
		}
		at, ok := parseDate(deref(m.DateSent))
		if !ok {
			at, _ = parseDate(deref(m.DateCreated))
		}
		if at.Before(since) {
			continue
		}
		to, err := phone.Parse(deref(m.To), "US")
		if err != nil {
			to = ""
		}
		out = append(out, sms.Record{ProviderID: deref(m.Sid), To: to, Body: deref(m.Body), SentAt: at})
	}
	return out, nil
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// parseDate reads Twilio's RFC 2822 dates.
func parseDate(s string) (time.Time, bool) {
	if s == "" {
		return time.Time{}, false
	}
	for _, layout := range []string{time.RFC1123Z, time.RFC1123} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}
