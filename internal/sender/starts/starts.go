// Package starts is the record of alerts started: the sender's own (its
// state directory) and the start records in the database, each bearing the
// sender's MAC (vault) over the alert and the digest of its statement, so
// that a database writer can neither forge a start nor swap the statement
// of a started alert. The fan-out writes them; the fan-out, the log keeper
// and reconciliation read them.
package starts

import (
	"context"
	"crypto/hmac"
	"strconv"
	"time"

	"github.com/tocsin/tocsin"
	"github.com/tocsin/tocsin/internal/sender/config"
	"github.com/tocsin/tocsin/internal/sender/state"
	"github.com/tocsin/tocsin/internal/store"
)

// Querier is the part of the store the start records live in.
type Querier interface {
	RecordStart(ctx context.Context, a *store.AlertStart) error
	GetStart(ctx context.Context, alertID string) (*store.AlertStart, error)
	StartsSince(ctx context.Context, t time.Time) ([]store.AlertStart, error)
}

// Book reads and writes start records.
type Book struct {
	cfg   *config.Config // Keys, Now
	state *state.Dir
}

// New returns the Book of a sender.
func New(cfg *config.Config, dir *state.Dir) *Book { return &Book{cfg: cfg, state: dir} }

func (s *Book) startMAC(alertID string, digest []byte, at time.Time) []byte {
	return s.cfg.Keys.MAC("alert-start", []byte(alertID), digest, []byte(strconv.FormatInt(at.Unix(), 10)))
}

// Record notes, in the ledger's transaction, that this sender verified
// and started the alert with this statement digest.
func (s *Book) Record(ctx context.Context, q Querier, alertID string, digest [32]byte) error {
	at := s.cfg.Now().Truncate(time.Second)
	return q.RecordStart(ctx, &store.AlertStart{AlertID: alertID, Digest: digest[:], StartedAt: at, MAC: s.startMAC(alertID, digest[:], at)})
}

// Valid reports whether a start record was written by a sender.
func (s *Book) Valid(a *store.AlertStart) bool {
	return len(a.Digest) == 32 && hmac.Equal(a.MAC, s.startMAC(a.AlertID, a.Digest, a.StartedAt))
}

// StartedWith reports whether a sender started the alert with a statement
// of this digest: by this process's own record, or by a start record
// bearing the sender's MAC.
func (s *Book) StartedWith(ctx context.Context, q Querier, alertID string, digest [32]byte) (bool, error) {
	if sent, ok := s.state.Sent[alertID]; ok && sent.Digest == digest {
		return true, nil
	}
	a, err := q.GetStart(ctx, alertID)
	if tocsin.ErrorCode(err) == tocsin.ENOTFOUND {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return s.Valid(a) && [32]byte(a.Digest) == digest, nil
}

// Since counts the alerts started since t by any sender (a start
// record without the sender's MAC does not count), but for except.
func (s *Book) Since(ctx context.Context, q Querier, t time.Time, except string) (int, error) {
	ids := map[string]bool{}
	for id, sent := range s.state.Sent {
		if !sent.At.Before(t) {
			ids[id] = true
		}
	}
	starts, err := q.StartsSince(ctx, t)
	if err != nil {
		return 0, err
	}
	for _, a := range starts {
		if s.Valid(&a) {
			ids[a.AlertID] = true
		}
	}
	delete(ids, except)
	return len(ids), nil
}
