// Package fanout is the alerts' delivery: the primary verifies an
// approved alert (the roster's signatures, the policy, never twice), logs
// its statement and writes its ledger nearest first under the sender's
// MAC; every sender then claims, sends and records batches of the ledger,
// checking the freeze before each batch and each row's MAC before it
// goes. It is the only service that texts an alert.
package fanout

import (
	"context"

	"github.com/tocsin/tocsin"
	"github.com/tocsin/tocsin/internal/audience"
	"github.com/tocsin/tocsin/internal/sender/config"
	"github.com/tocsin/tocsin/internal/sender/events"
	"github.com/tocsin/tocsin/internal/sender/guard"
	"github.com/tocsin/tocsin/internal/sender/starts"
	"github.com/tocsin/tocsin/internal/sender/state"
	"github.com/tocsin/tocsin/internal/sms"
	"github.com/tocsin/tocsin/internal/store"
	"github.com/tocsin/tocsin/internal/trust"
)

// Store is the part of the store the fan-out uses outside a transaction:
// the ledger and its claims, the alerts, and what it reads to verify.
type Store interface {
	events.Querier
	store.Ledger
	store.Subscribers
	starts.Querier
	InTx(ctx context.Context, fn func(q store.Querier) error) error
	ListAlerts(ctx context.Context, states []tocsin.AlertState, limit int) ([]tocsin.Alert, error)
}

// logAppender is where a statement is appended, in the ledger's
// transaction.
type logAppender = interface {
	LogSize(ctx context.Context) (uint64, error)
	LogAppend(ctx context.Context, index uint64, hash [32]byte, entry []byte) error
}

// Log is the transparency log keeper, as the fan-out needs it.
type Log interface {
	AppendStatement(ctx context.Context, q logAppender, st *trust.Statement) error
	SignCheckpoint(ctx context.Context) error
}

// Host is what the fan-out asks of the Sender that runs it: handing a
// message to the providers, recording what they took, renewing its leases
// between batches, and coming back at once when work is left.
type Host interface {
	HandOver(ctx context.Context, m sms.Message) (string, sms.Result, error)
	RecordSent(ctx context.Context, sent []store.SentMessage)
	AnyRouteUp() bool
	RenewLeases(ctx context.Context)
	Wake()
}

// Service is the fan-out's loop.
type Service struct {
	cfg    *config.Config // Keys, Batch, Workers, Lanes, LogKey, Now, Log
	store  Store
	state  *state.Dir
	events *events.Recorder
	guard  *guard.Guard
	starts *starts.Book
	log    Log
	host   Host
	index  recipientIndex
	handed handedOver
	stalls map[string]int // alerts whose delivery failed, rounds in a row
	forged events.Limit   // ledger.forged per alert
}

// New returns the fan-out of a sender.
func New(cfg *config.Config, st Store, dir *state.Dir, ev *events.Recorder, g *guard.Guard, b *starts.Book, l Log, h Host, a *audience.Resolver) *Service {
	return &Service{cfg: cfg, store: st, state: dir, events: ev, guard: g, starts: b, log: l, host: h,
		index: recipientIndex{audience: a}, stalls: map[string]int{}}
}
