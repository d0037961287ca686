// Package logkeeper keeps the transparency log: it appends the statements
// the fan-out starts, the roster versions, freeze orders and audit heads
// the sender logs, and the notices enough operators signed; it signs a
// checkpoint only over entries it can account for, takes the log over from
// another primary only at a checkpoint that verifies, and, when not the
// primary, watches the newest checkpoint so that a rolled-back or forked
// log is caught. It never sends a message.
package logkeeper

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"time"

	"github.com/tocsin/tocsin"
	"github.com/tocsin/tocsin/internal/audit"
	"github.com/tocsin/tocsin/internal/sender/config"
	"github.com/tocsin/tocsin/internal/sender/events"
	"github.com/tocsin/tocsin/internal/sender/guard"
	"github.com/tocsin/tocsin/internal/sender/starts"
	"github.com/tocsin/tocsin/internal/sender/state"
	"github.com/tocsin/tocsin/internal/store"
	"github.com/tocsin/tocsin/internal/tlog"
	"github.com/tocsin/tocsin/internal/trust"
)

// Store is the part of the store the log keeper uses: the log and its
// checkpoints, what it logs (roster, freeze orders, audit heads, notices)
// and the start records it checks statements against.
type Store interface {
	store.Log
	store.LogWriter
	store.Trust
	store.Audit
	store.Notices
	starts.Querier
}

// Appender is what appending a statement needs, in the ledger's
// transaction (a type literal, so that callers can name it without
// importing this package).
type Appender = interface {
	LogSize(ctx context.Context) (uint64, error)
	LogAppend(ctx context.Context, index uint64, hash [32]byte, entry []byte) error
}

// Keeper is the transparency log's keeper.
type Keeper struct {
	cfg             *config.Config // LogKey, LogOrigin, Now, Log
	store           Store
	state           *state.Dir
	events          *events.Recorder
	guard           *guard.Guard
	starts          *starts.Book
	nextAudit       time.Time
	nextWatch       time.Time
	takeoverRefused bool // log.tampered raised for a log that cannot be taken over
}

// New returns the log keeper of a sender.
func New(cfg *config.Config, st Store, dir *state.Dir, ev *events.Recorder, g *guard.Guard, b *starts.Book) *Keeper {
	return &Keeper{cfg: cfg, store: st, state: dir, events: ev, guard: g, starts: b}
}

// AppendStatement appends an alert's signed statement to the transparency log,
// in the transaction that writes its ledger: no message of an alert goes out
// before its entry is in the log.
func (s *Keeper) AppendStatement(ctx context.Context, q Appender, st *trust.Statement) error {
	if s.cfg.LogKey == "" {
		return nil
	}
	entry, err := st.Encode()
	if err != nil {
		return err
	}
	size, err := q.LogSize(ctx)
	if err != nil {
		return err
	}
	return q.LogAppend(ctx, size, tlog.LeafHash(entry), entry)
}

// SignCheckpoint signs a checkpoint of the whole log after checking that it
// extends the last one the sender signed (the old entries are untouched) and
// that every new entry is a statement this sender started (or a roster
// version, freeze order or audit head it logs, or a notice signed by
// enough operators). Anything else is
// a rewritten or forged log: a security event, and nothing is signed.
func (s *Keeper) SignCheckpoint(ctx context.Context) error {
	if s.cfg.LogKey == "" {
		return nil
	}
	leaves := store.LogLeaves{Q: s.store}
	size, err := leaves.Size(ctx)
	if err != nil {
		return err
	}
	prev := s.state.Log
	if size < prev.Size {
		return s.events.Security(ctx, s.store, "log.tampered", "", fmt.Sprintf("the log has %d entries, fewer than the %d the sender signed", size, prev.Size))
	}
	if _, _, err := s.store.LatestCheckpoint(ctx); err == nil && size == prev.Size {
		return nil // nothing new
	}
	for i := prev.Size; i < size; i++ {
		entry, err := s.store.LogEntry(ctx, i)
		if err != nil {
			return err
		}
		if ok, err := s.ownAuditHead(ctx, entry); err != nil {
			return err
		} else if ok {
			continue
		}
		if ok, err := s.ownTrustEntry(ctx, entry); err != nil {
			return err
		} else if ok {
			continue
		}
		if ok, err := s.ownNotice(ctx, entry); err != nil {
			return err
		} else if ok {
			continue
		}
		st, err := trust.DecodeStatement(entry)
		ok := false
		if err == nil {
			if ok, err = s.starts.StartedWith(ctx, s.store, st.AlertID, sha256.Sum256(entry)); err != nil {
				return err
			}
		}
		if !ok {
			return s.events.Security(ctx, s.store, "log.tampered", fmt.Sprint(i), "a log entry the sender did not append: nothing signed")
		}
	}
	root, err := tlog.Root(ctx, leaves, size)
	if err != nil {
		return err
	}
	if prev.Size > 0 {
		proof, err := tlog.ConsistencyProof(ctx, leaves, prev.Size, size)
		if err != nil {
			return err
		}
		if err := tlog.VerifyConsistency(prev.Size, size, prev.Root, root, proof); err != nil {
			return s.events.Security(ctx, s.store, "log.tampered", "", "the log no longer extends the last checkpoint the sender signed: nothing signed")
		}
	}
	signed, err := tlog.Sign(tlog.Checkpoint{Origin: s.cfg.LogOrigin, Size: size, Root: root}, s.cfg.LogKey)
	if err != nil {
		return err
	}
	if err := s.store.PutCheckpoint(ctx, size, signed); err != nil {
		return err
	}
	l := s.state.Log
	l.Size, l.Root = size, root
	return s.state.SaveLog(l)
}

// logTrust appends to the log the roster versions that verify and the
// freeze orders the sender has applied, each once: anyone can then see who
// could approve alerts, and when messaging was stopped and restarted.
func (s *Keeper) logTrust(ctx context.Context) (bool, error) {
	added := false
	r, err := s.guard.Roster(ctx)
	if err != nil || r == nil {
		return false, err
	}
	if r.Version > s.state.Log.Roster {
		chain, err := s.store.RosterChain(ctx)
		if err != nil {
			return false, err
		}
		for _, v := range chain {
			if v.Seq <= int64(s.state.Log.Roster) || v.Seq > int64(r.Version) {
				continue
			}
			if err := s.appendEntry(ctx, v.Body); err != nil {
				return false, err
			}
			s.state.Log.Roster, added = int(v.Seq), true
		}
	}
	if s.state.Freeze.Seq > s.state.Log.Freeze {
		orders, err := s.store.FreezeOrders(ctx, s.state.Log.Freeze)
		if err != nil {
			return false, err
		}
		for _, o := range orders {
			if o.Seq > s.state.Freeze.Seq {
				break
			}
			// A row that is no order (a database writer's) froze, but is
			// not published.
			if fo, err := trust.DecodeFreezeOrder(o.Body); err == nil && fo.Seq == o.Seq {
				if err := s.appendEntry(ctx, o.Body); err != nil {
					return false, err
				}
				added = true
			}
			s.state.Log.Freeze = o.Seq
		}
	}
	return added, nil
}

// appendEntry appends one of the sender's own entries at the end of the log
// it has checked.
func (s *Keeper) appendEntry(ctx context.Context, entry []byte) error {
	size, err := s.store.LogSize(ctx)
	if err != nil {
		return err
	}
	return s.store.LogAppend(ctx, size, tlog.LeafHash(entry), entry)
}

// ownTrustEntry reports whether a log entry is a roster version or a freeze
// order exactly as stored, of those the sender logs.
func (s *Keeper) ownTrustEntry(ctx context.Context, entry []byte) (bool, error) {
	if r, err := trust.DecodeRoster(entry); err == nil {
		chain, err := s.store.RosterChain(ctx)
		if err != nil {
			return false, err
		}
		for _, v := range chain {
			if v.Seq == int64(r.Version) && string(v.Body) == string(entry) && r.Version <= s.state.Log.Roster {
				return true, nil
			}
		}
		return false, nil
	}
	if o, err := trust.DecodeFreezeOrder(entry); err == nil {
		orders, err := s.store.FreezeOrders(ctx, o.Seq-1)
		if err != nil || len(orders) == 0 {
			return false, err
		}
		return orders[0].Seq == o.Seq && string(orders[0].Body) == string(entry) && o.Seq <= s.state.Log.Freeze, nil
	}
	return false, nil
}

// CommitAudit appends to the log the roster versions and freeze orders in
// effect, then the audit trail's head when the trail has
// grown, and signs a checkpoint: from then on, an audit entry edited,
// deleted, reordered or inserted before that point is caught even if the
// whole chain after it was rewritten (tocsin audit verify compares).
func (s *Keeper) CommitAudit(ctx context.Context) error {
	if s.cfg.LogKey == "" {
		return nil
	}
	size, err := s.store.LogSize(ctx)
	if err != nil {
		return err
	}
	if size != s.state.Log.Size {
		return s.SignCheckpoint(ctx) // let it check the entries it has not seen first
	}
	added, err := s.logTrust(ctx)
	if err != nil {
		return err
	}
	links, err := s.store.AuditChain(ctx)
	if err != nil {
		return err
	}
	if len(links) <= s.state.Log.Audit {
		if added {
			return s.SignCheckpoint(ctx)
		}
		return nil
	}
	if _, brk := audit.Verify(links); brk != nil {
		return s.events.Security(ctx, s.store, "audit.tampered", fmt.Sprint(brk.ID), brk.Error()+": head not committed")
	}
	if err := s.appendEntry(ctx, audit.HeadEntry(len(links), links[len(links)-1].Hash)); err != nil {
		return err
	}
	s.state.Log.Audit = len(links)
	return s.SignCheckpoint(ctx)
}

// ownAuditHead reports whether a log entry is an audit head that matches
// the trail in the database.
func (s *Keeper) ownAuditHead(ctx context.Context, entry []byte) (bool, error) {
	n, head, ok := audit.ParseHeadEntry(entry)
	if !ok {
		return false, nil
	}
	links, err := s.store.AuditChain(ctx)
	if err != nil {
		return false, err
	}
	return n >= 1 && n <= len(links) && links[n-1].Hash == head, nil
}

// CommitAuditEvery commits the audit head at most once a minute.
func (s *Keeper) CommitAuditEvery(ctx context.Context) error {
	now := s.cfg.Now()
	if now.Before(s.nextAudit) {
		return nil
	}
	s.nextAudit = now.Add(time.Minute)
	return s.CommitAudit(ctx)
}

// AdoptCheckpoint lets a primary take the log over from another (a standby,
// or a rebuilt host): when the newest checkpoint in the database is beyond
// the last one this process signed, it checks it against the log key, and
// that the log still holds exactly what it signed and extends what this
// process signed before; then it takes it as its own last checkpoint, with
// the roster versions, freeze orders and audit head the log holds up to
// there. A checkpoint that does not verify, or a log that no longer matches
// it, is a security event, and nothing is adopted.
func (s *Keeper) AdoptCheckpoint(ctx context.Context) error {
	if s.cfg.LogKey == "" {
		return nil
	}
	size, signed, err := s.store.LatestCheckpoint(ctx)
	if tocsin.ErrorCode(err) == tocsin.ENOTFOUND {
		if s.state.Log.SeenSize > 0 {
			return s.refuseTakeover(ctx, "", fmt.Sprintf("no checkpoint in the database; this sender saw one of %d entries: the log was rolled back; not taken over", s.state.Log.SeenSize))
		}
		return nil
	}
	if err != nil || size <= s.state.Log.Size {
		return err
	}
	vkey, err := tlog.VerifierOf(s.cfg.LogKey)
	if err != nil {
		return err
	}
	cp, err := tlog.Open(signed, vkey, s.cfg.LogOrigin)
	if err != nil || cp.Size != size {
		return s.refuseTakeover(ctx, fmt.Sprint(size), "the newest checkpoint in the database does not verify with the log key: not taken over")
	}
	leaves := store.LogLeaves{Q: s.store}
	root, err := tlog.Root(ctx, leaves, cp.Size)
	if err != nil {
		return err
	}
	if root != cp.Root {
		return s.refuseTakeover(ctx, fmt.Sprint(size), "the log no longer holds what its newest checkpoint signed: not taken over")
	}
	prev := s.state.Log
	if cp.Size < prev.SeenSize {
		return s.refuseTakeover(ctx, fmt.Sprint(size), fmt.Sprintf("the newest checkpoint (%d entries) is older than one this sender saw (%d): the log was rolled back; not taken over", cp.Size, prev.SeenSize))
	}
	if prev.SeenSize > prev.Size {
		proof, err := tlog.ConsistencyProof(ctx, leaves, prev.SeenSize, cp.Size)
		if err != nil {
			return err
		}
		if err := tlog.VerifyConsistency(prev.SeenSize, cp.Size, prev.SeenRoot, cp.Root, proof); err != nil {
			return s.refuseTakeover(ctx, "", "the newest checkpoint does not extend one this sender saw: the log was forked; not taken over")
		}
	}
	if prev.Size > 0 {
		proof, err := tlog.ConsistencyProof(ctx, leaves, prev.Size, cp.Size)
		if err != nil {
			return err
		}
		if err := tlog.VerifyConsistency(prev.Size, cp.Size, prev.Root, cp.Root, proof); err != nil {
			return s.refuseTakeover(ctx, "", "the newest checkpoint does not extend the last one this sender signed: not taken over")
		}
	}
	l := state.LogState{Size: cp.Size, Root: cp.Root, Audit: prev.Audit, Roster: prev.Roster, Freeze: prev.Freeze, SeenSize: cp.Size, SeenRoot: cp.Root}
	for i := range cp.Size {
		entry, err := s.store.LogEntry(ctx, i)
		if err != nil {
			return err
		}
		if r, err := trust.DecodeRoster(entry); err == nil {
			l.Roster = max(l.Roster, r.Version)
		} else if o, err := trust.DecodeFreezeOrder(entry); err == nil {
			l.Freeze = max(l.Freeze, o.Seq)
		} else if n, _, ok := audit.ParseHeadEntry(entry); ok {
			l.Audit = max(l.Audit, n)
		}
	}
	if err := s.state.SaveLog(l); err != nil {
		return err
	}
	s.cfg.Log.Info("took the transparency log over at its newest checkpoint", "size", cp.Size)
	return s.events.Audit(ctx, s.store, "log.takeover", fmt.Sprint(cp.Size), "this sender signs the log from here")
}

// errTakeover: the log cannot be taken over; the primary starts nothing.
var errTakeover = errors.New("the transparency log cannot be taken over: see the security events")

// refuseTakeover raises log.tampered once and fails closed: a primary that
// cannot trust the log starts no alert, since a rolled-back log would let a
// replay through.
func (s *Keeper) refuseTakeover(ctx context.Context, subject, detail string) error {
	if !s.takeoverRefused {
		s.takeoverRefused = true
		if err := s.events.Security(ctx, s.store, "log.tampered", subject, detail); err != nil {
			return err
		}
	}
	return errTakeover
}

// watchEvery is how often a sender that is not the primary checks the
// newest checkpoint.
const watchEvery = time.Minute

// WatchCheckpoint: a sender holding the log key that is not the primary
// checks the newest checkpoint about once a minute (its signature, that the
// log holds what it signed, that it extends the last one seen) and
// remembers it, so that should this sender take the log over it never
// adopts an older one: a database writer who deletes the newest
// checkpoints and the log's tail to roll back or fork the log is caught.
func (s *Keeper) WatchCheckpoint(ctx context.Context) error {
	now := s.cfg.Now()
	if s.cfg.LogKey == "" || now.Before(s.nextWatch) {
		return nil
	}
	s.nextWatch = now.Add(watchEvery)
	size, signed, err := s.store.LatestCheckpoint(ctx)
	if tocsin.ErrorCode(err) == tocsin.ENOTFOUND {
		return nil
	}
	if err != nil {
		return err
	}
	l := s.state.Log
	seen := max(l.Size, l.SeenSize)
	switch {
	case size < seen:
		return s.events.Security(ctx, s.store, "log.tampered", fmt.Sprint(size), fmt.Sprintf("the newest checkpoint has %d entries; this sender saw one of %d: the log was rolled back", size, seen))
	case size == seen:
		return nil
	}
	vkey, err := tlog.VerifierOf(s.cfg.LogKey)
	if err != nil {
		return err
	}
	cp, err := tlog.Open(signed, vkey, s.cfg.LogOrigin)
	if err != nil || cp.Size != size {
		return s.events.Security(ctx, s.store, "log.tampered", fmt.Sprint(size), "the newest checkpoint in the database does not verify with the log key")
	}
	leaves := store.LogLeaves{Q: s.store}
	root, err := tlog.Root(ctx, leaves, cp.Size)
	if err != nil {
		return err
	}
	if root != cp.Root {
		return s.events.Security(ctx, s.store, "log.tampered", fmt.Sprint(size), "the log no longer holds what its newest checkpoint signed")
	}
	baseSize, baseRoot := l.SeenSize, l.SeenRoot
	if l.Size > baseSize {
		baseSize, baseRoot = l.Size, l.Root
	}
	if baseSize > 0 {
		proof, err := tlog.ConsistencyProof(ctx, leaves, baseSize, cp.Size)
		if err != nil {
			return err
		}
		if err := tlog.VerifyConsistency(baseSize, cp.Size, baseRoot, cp.Root, proof); err != nil {
			return s.events.Security(ctx, s.store, "log.tampered", "", "the newest checkpoint does not extend the last one this sender saw: the log was forked")
		}
	}
	l.SeenSize, l.SeenRoot = cp.Size, cp.Root
	return s.state.SaveLog(l)
}
