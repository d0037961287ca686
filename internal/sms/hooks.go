package sms

import (
	"context"
	"errors"
	"time"

	"github.com/tocsin/tocsin"
	"github.com/tocsin/tocsin/internal/phone"
)

// Hook is a provider's webhook request, as the web tier sealed it.
type Hook = tocsin.ProviderHook

// Event is what a webhook says: an inbound text or a delivery receipt.
type Event struct {
	Inbound *InboundText
	Receipt *Receipt
}

// InboundText is a text a phone sent to one of our numbers.
type InboundText struct {
	From phone.Number
	// To is the number of ours it was sent to (the sender recognises its
	// canary subscribers by it); zero when the provider did not say or
	// named something that is not a phone number (a short code).
	To   phone.Number
	Body string
	// ID is the provider's id of the text (Twilio's MessageSid), by which
	// the sender recognises a replayed request; "" when the provider gives
	// none.
	ID string
}

// ReceiptStatus is a provider's final or intermediate word on a message.
type ReceiptStatus string

// Receipt statuses, mapped from each provider's own.
const (
	StatusAccepted    ReceiptStatus = "accepted"    // taken by the provider or the carrier, not yet delivered
	StatusDelivered   ReceiptStatus = "delivered"   // on the phone
	StatusUndelivered ReceiptStatus = "undelivered" // the carrier gave up (final)
	StatusFailed      ReceiptStatus = "failed"      // never sent (final)
)

// Final reports whether no later receipt is expected.
func (s ReceiptStatus) Final() bool {
	return s == StatusDelivered || s == StatusUndelivered || s == StatusFailed
}

// Receipt is a delivery report for a message the provider accepted.
type Receipt struct {
	ProviderID string
	Status     ReceiptStatus
	Error      string // the provider's error code or words, when it failed
	At         time.Time
}

// Webhooks decodes a provider's webhook requests, after checking that the
// provider sent them. A request that fails the check is ErrForged.
type Webhooks interface {
	ParseHook(h Hook) (Event, error)
}

// ErrForged: a webhook request the provider did not send (no or a wrong
// signature or secret).
var ErrForged = errors.New("sms: webhook not signed by the provider")

// Record is a message the provider says it sent from our account.
type Record struct {
	ProviderID string
	To         phone.Number
	Body       string
	SentAt     time.Time
}

// Lister lists the messages a provider sent from our account since a time:
// the sender compares them with its ledger, so that a message it did not
// send (a stolen credential) is noticed.
type Lister interface {
	ListSent(ctx context.Context, since time.Time) ([]Record, error)
}
