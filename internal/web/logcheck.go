package web

import (
	"bytes"
	"context"
	"errors"
	"sync"
	"time"

	"github.com/tocsin/tocsin"
	"github.com/tocsin/tocsin/internal/tlog"
	"github.com/tocsin/tocsin/internal/trust"
)

// The public pages call an alert genuine only when its signed statement is
// in the transparency log under a checkpoint that opens with log.pub (see
// logView). An alert row that says it was sent but is not there is shown
// as not verified, and raises alert.unlogged; a checkpoint that does not
// verify raises log.tampered.

// unloggedGrace is how long an alert's entry appended past the newest
// checkpoint is taken to be waiting for the sender's next checkpoint (which
// it signs right after appending), counted from when this process first
// saw it; after that the alert is reported as not in the log.
const unloggedGrace = 2 * time.Minute

// unloggedSeen remembers, per process, which unlogged alerts were reported
// and since when a waiting entry was first seen, so that a page reloaded in
// a loop raises one event per alert, not one per view.
type unloggedSeen struct {
	mu       sync.Mutex
	reported map[string]bool
	waiting  map[[32]byte]time.Time
}

// maxRemembered bounds each map; past it, they start again.
const maxRemembered = 10_000

// refreshLog brings the checked log up to the newest checkpoint; a refused
// checkpoint raises log.tampered (once per checkpoint).
func (s *Server) refreshLog(ctx context.Context) {
	err := s.logv.refresh(ctx, s.cfg.Store)
	var refused errLogRefused
	switch {
	case errors.As(err, &refused):
		s.Securityf(ctx, "log.tampered", "", "%s: the public pages show as genuine only what the last checkpoint this site checked covers (%d entries)", refused.why, s.logv.size())
	case err != nil:
		s.cfg.Log.Error("reading the transparency log", "err", err)
	}
}

// logged reports whether an alert's statement is in the checked log, with
// the reference code the alert row claims; if not, it reports the alert.
// Call refreshLog first.
func (s *Server) logged(ctx context.Context, a *tocsin.Alert) bool {
	st, ok := s.logv.statement(tlog.LeafHash(a.Statement))
	if ok && refOf(st) == a.Ref {
		return true
	}
	s.unlogged(ctx, a)
	return false
}

// unlogged raises alert.unlogged for an alert row in a public state whose
// statement is not in the checked log, unless its entry is waiting for the
// next checkpoint (for at most unloggedGrace).
func (s *Server) unlogged(ctx context.Context, a *tocsin.Alert) {
	if s.waitingForCheckpoint(ctx, a.Statement) {
		return
	}
	s.seen.mu.Lock()
	if len(s.seen.reported) >= maxRemembered {
		s.seen.reported = nil
	}
	if s.seen.reported == nil {
		s.seen.reported = map[string]bool{}
	}
	done := s.seen.reported[a.Ref]
	s.seen.reported[a.Ref] = true
	s.seen.mu.Unlock()
	if !done {
		s.Securityf(ctx, "alert.unlogged", a.Ref, "alert %s is %s in the database, but its statement is not in the transparency log under a checkpoint signed with log.pub: the public pages do not show it as genuine", a.Ref, a.State)
	}
}

// waitingForCheckpoint reports whether a statement is the entry just past
// the checked checkpoint, seen for the first time less than unloggedGrace
// ago.
func (s *Server) waitingForCheckpoint(ctx context.Context, statement []byte) bool {
	leaf := tlog.LeafHash(statement)
	i, err := s.cfg.Store.LogIndex(ctx, leaf)
	if err != nil || i < s.logv.size() {
		return false
	}
	if e, err := s.cfg.Store.LogEntry(ctx, i); err != nil || !bytes.Equal(e, statement) {
		return false
	}
	now := s.cfg.Now()
	s.seen.mu.Lock()
	defer s.seen.mu.Unlock()
	if len(s.seen.waiting) >= maxRemembered {
		s.seen.waiting = nil
	}
	if s.seen.waiting == nil {
		s.seen.waiting = map[[32]byte]time.Time{}
	}
	first, ok := s.seen.waiting[leaf]
	if !ok {
		s.seen.waiting[leaf], first = now, now
	}
	return now.Sub(first) < unloggedGrace
}

// fromLog is a logged statement as the public sees it: from its alert row
// when the row holds exactly this statement (for the time it was sent),
// else from the statement alone; the reference code is the statement's.
func (s *Server) fromLog(ctx context.Context, st *trust.Statement, leaf [32]byte, lang tocsin.Language) publicAlert {
	var pa publicAlert
	if a, err := s.cfg.Store.GetAlert(ctx, st.AlertID); err == nil && tlog.LeafHash(a.Statement) == leaf {
		pa = toPublic(*a, lang)
	} else {
		pa = publicAlert{Text: st.Texts["en"], TextES: st.Texts["es"], Confirmed: st.Confirmed, AllClear: st.AllClear,
			Area: tocsin.Area{ZIPs: st.ZIPs}, SentAt: st.CreatedAt, ValidUntil: st.ValidUntil}
		if lang == tocsin.Spanish && pa.TextES != "" || pa.Text == "" {
			pa.Text = pa.TextES
		}
		pa.Correction = tocsin.IsCorrection(pa.Text)
	}
	pa.Ref = refOf(st)
	return pa
}
