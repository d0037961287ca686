// Package inbound is the sender's conversation with the people who text
// it: the providers' webhook requests (checked with the credentials only
// the sender holds, a replay refused), the inbound texts and their one
// reply each (JOIN, STOP, START, LANG, REPORT, HELP), texts to canary
// subscribers handed to the canary watch, and the sending of the queued
// one-to-one texts (replies and codes), each at most once. It never
// starts an alert.
package inbound

import (
	"context"
	"time"

	"github.com/tocsin/tocsin"
	"github.com/tocsin/tocsin/internal/phone"
	"github.com/tocsin/tocsin/internal/sender/canary"
	"github.com/tocsin/tocsin/internal/sender/config"
	"github.com/tocsin/tocsin/internal/sender/events"
	"github.com/tocsin/tocsin/internal/sender/guard"
	"github.com/tocsin/tocsin/internal/sender/outbox"
	"github.com/tocsin/tocsin/internal/sender/state"
	"github.com/tocsin/tocsin/internal/sender/subscriber"
	"github.com/tocsin/tocsin/internal/sms"
	"github.com/tocsin/tocsin/internal/store"
)

// Store is the part of the store the service uses outside a transaction.
type Store interface {
	events.Querier
	InTx(ctx context.Context, fn func(q store.Querier) error) error
	ListHookRequests(ctx context.Context, limit int) ([]store.HookRequest, error)
	DeleteHookRequest(ctx context.Context, id int64) error
	RecordReceipt(ctx context.Context, providerID, status string, at time.Time) (bool, error)
	ListInbound(ctx context.Context, limit int) ([]tocsin.Inbound, error)
	ListOutbound(ctx context.Context, limit int) ([]tocsin.Outbound, error)
	DeleteOutbound(ctx context.Context, id int64) error
	PurgeHooksSeen(ctx context.Context, before time.Time) error
}

// Querier is what handling one text does in its transaction.
type Querier interface {
	canary.Querier
	subscriber.OptOuts
	outbox.Adder
	MarkHookSeen(ctx context.Context, hash []byte, at time.Time) (bool, error)
	DeleteHookRequest(ctx context.Context, id int64) error
	GetSubscriberByHash(ctx context.Context, hash []byte) (*tocsin.Subscriber, error)
	SaveSubscriber(ctx context.Context, s *tocsin.Subscriber) error
	SetOptOut(ctx context.Context, phoneHash []byte, at time.Time) error
	ClearOptOut(ctx context.Context, phoneHash []byte) error
	CreateReport(ctx context.Context, r *tocsin.Report) error
}

// Dispatcher hands one-to-one texts to the providers (the Sender's
// routes) and finds the provider whose webhooks a request names.
type Dispatcher interface {
	HandOver(ctx context.Context, m sms.Message) (string, sms.Result, error)
	RecordSent(ctx context.Context, sent []store.SentMessage)
	Webhooks(provider string) sms.Webhooks
}

// Service is the inbound texts' and replies' loop.
type Service struct {
	cfg    *config.Config // Keys, ZIPs, SMSPolicy, CanaryHook, Name, Now, Log
	store  Store
	state  *state.Dir
	events *events.Recorder
	guard  *guard.Guard
	canary *canary.Watch
	routes Dispatcher
	sealer *phone.Sealer
	seen   hooksSeen    // webhook requests acted on (replay.go)
	forged events.Limit // outbound.forged
}

// New returns the inbound service of a sender.
func New(cfg *config.Config, st Store, dir *state.Dir, ev *events.Recorder, g *guard.Guard, c *canary.Watch, d Dispatcher) *Service {
	return &Service{cfg: cfg, store: st, state: dir, events: ev, guard: g, canary: c, routes: d,
		sealer: phone.NewSealer(cfg.Keys.Public()), seen: hooksSeen{}}
}

// Remembered is how many webhook requests acted on the service keeps in
// memory.
func (s *Service) Remembered() int { return len(s.seen) }
