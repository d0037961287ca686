package store

import (
	"context"
	"time"

	"github.com/tocsin/tocsin"
)

// HookRequest is a provider webhook request, sealed to the sender.
type HookRequest struct {
	ID         int64
	Provider   string
	Sealed     []byte
	ReceivedAt time.Time
}

// DeliveryCounts sums an alert's ledger: what providers accepted and what
// their receipts say reached phones.
type DeliveryCounts struct {
	Accepted, Delivered, Undelivered int
}

// SentMessage is a message handed to a provider, by the provider's id.
type SentMessage struct{ Provider, ProviderID string }

// Hooks stores what provider webhooks bring to the web tier: an inbound
// text, a request sealed whole to the sender, a delivery receipt.
type Hooks interface {
	AddInbound(ctx context.Context, m *tocsin.Inbound) error
	AddHookRequest(ctx context.Context, h *HookRequest) error
	// RecordReceipt stores a receipt on the ledger row with this provider
	// id; it reports whether there was one.
	RecordReceipt(ctx context.Context, providerID, status string, at time.Time) (bool, error)
}

// Gateways is the sender's side of what real SMS gateways send back.
type Gateways interface {
	ListHookRequests(ctx context.Context, limit int) ([]HookRequest, error)
	DeleteHookRequest(ctx context.Context, id int64) error
	// MarkHookSeen records the keyed hash of a webhook request's provider
	// id as acted on at; it reports false, changing nothing, when the hash
	// was recorded already (a replay).
	MarkHookSeen(ctx context.Context, hash []byte, at time.Time) (bool, error)
	DeliveryCounts(ctx context.Context, alertID string) (DeliveryCounts, error)
	// RecordSent notes messages handed to providers, by their ids.
	RecordSent(ctx context.Context, sent []SentMessage, at time.Time) error
	// KnownSent reports which of the ids the sender handed to provider.
	KnownSent(ctx context.Context, provider string, ids []string) (map[string]bool, error)
}

// Messages is the sender's queue of inbound texts (added through Hooks)
// and its one-to-one outbound texts.
type Messages interface {
	ListInbound(ctx context.Context, limit int) ([]tocsin.Inbound, error)
	DeleteInbound(ctx context.Context, id int64) error
	AddOutbound(ctx context.Context, m *tocsin.Outbound) error
	ListOutbound(ctx context.Context, limit int) ([]tocsin.Outbound, error)
	DeleteOutbound(ctx context.Context, id int64) error
}
