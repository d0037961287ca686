// Package sms defines what tocsin asks of an SMS provider: send one message,
// with an idempotency key, and say whether a failure is worth retrying.
//
// It belongs to the sender side. The web tier must never import it or any
// provider package below it: whoever can call Send can text subscribers.
package sms

import (
	"context"
	"errors"
	"time"

	"github.com/tocsin/tocsin/internal/phone"
)

// Message is one text to one phone.
type Message struct {
	To   phone.Number
	Body string
	// IdempotencyKey is the same for every attempt of the same message; a
	// provider that has already accepted it must not send it again.
	IdempotencyKey string
	// ValidUntil, when set, is passed to the provider so that a message still
	// queued after it fails rather than arriving late.
	ValidUntil time.Time
}

// Result is what a provider says of an accepted message.
type Result struct {
	ProviderID string
}

// Provider sends text messages.
type Provider interface {
	Name() string
	Send(ctx context.Context, m Message) (Result, error)
}

// Failures a provider reports. A provider wraps one of them so that the
// sender knows whether to retry.
var (
	// ErrPermanent: this message to this number will never succeed (invalid
	// number, opted out at the carrier). Do not retry.
	ErrPermanent = errors.New("sms: permanent failure")
	// ErrTemporary: try again later (rate limited, provider unavailable).
	ErrTemporary = errors.New("sms: temporary failure")
	// ErrAuth: the provider refused our credentials. Not the recipient's
	// fault: the sender takes the provider out of rotation, keeps the
	// message for another provider or later, and raises the alarm.
	ErrAuth = errors.New("sms: provider refused our credentials")
)
