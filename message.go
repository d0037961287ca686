package tocsin

import (
	"net/url"
	"time"
)

// Inbound is a text received from a phone, waiting for the sender. The
// number is sealed the moment it arrives; the body is deleted once handled.
type Inbound struct {
	ID         int64
	Provider   string
	FromSealed []byte
	// ToSealed is the number of ours it was sent to, sealed; nil when the
	// provider did not say.
	ToSealed   []byte
	Body       string
	ReceivedAt time.Time
}

// OutboundKind says why a one-to-one text is sent.
type OutboundKind string

// One-to-one text kinds.
const (
	OutboundReply OutboundKind = "reply" // the answer to an inbound text
	OutboundCode  OutboundKind = "code"  // a web sign-up confirmation code
)

// Outbound is a one-to-one text queued for the sender.
type Outbound struct {
	ID        int64
	Kind      OutboundKind
	ToSealed  []byte
	Body      string
	CreatedAt time.Time
	// MAC is the sender's keyed MAC over the row: the sender sends only the
	// one-to-one texts it queued itself.
	MAC []byte
}

// DeliveryStatus is the outcome of one message of an alert.
type DeliveryStatus string

// Delivery statuses.
const (
	DeliveryPending DeliveryStatus = "pending"
	DeliverySending DeliveryStatus = "sending" // handed to the provider; outcome not yet recorded
	DeliverySent    DeliveryStatus = "sent"
	DeliveryFailed  DeliveryStatus = "failed"
	DeliverySkipped DeliveryStatus = "skipped" // opted out after the ledger was made
)

// Delivery is one ledger row: one alert to one subscriber.
type Delivery struct {
	AlertID      string
	SubscriberID int64
	Seq          int // order of sending: nearest first
	Status       DeliveryStatus
	Attempts     int
	Provider     string // which provider took it (not stored with the row)
	ProviderID   string
	Error        string
}

// Recipient is a subscriber chosen for an alert, with its distance to the
// alert's centre.
type Recipient struct {
	SubscriberID int64
	DistanceM    float64
	// MAC is the sender's keyed MAC over the ledger row (alert, subscriber,
	// order): a row written by anyone else is not sent.
	MAC []byte
}

// ProviderHook is an SMS provider's webhook request as the web tier received
// it: the public URL it was addressed to (as configured: the one providers
// sign), its form or query parameters, and the provider's signature header
// if any. The web tier seals it to the sender at once (it holds phone
// numbers); the sender, which holds the credentials, checks and decodes it.
type ProviderHook struct {
	Provider  string     `json:"provider"`
	URL       string     `json:"url"`
	Form      url.Values `json:"form"`
	Signature string     `json:"signature,omitempty"`
}
