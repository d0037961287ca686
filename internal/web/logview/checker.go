package logview

import (
	"bytes"
	"context"
	"errors"
	"sync"
	"time"

	"github.com/tocsin/tocsin"
	"github.com/tocsin/tocsin/internal/tlog"
)

// The public pages call an alert genuine only when its signed statement is
// in the transparency log under a checkpoint that opens with log.pub (see
// View). An alert row that says it was sent but is not there is shown
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

// Refresh brings the checked log up to the newest checkpoint; a refused
// checkpoint raises log.tampered (once per checkpoint).
func (s *Checker) Refresh(ctx context.Context) {
	err := s.view.Refresh(ctx, s.st)
	var refused errLogRefused
	switch {
	case errors.As(err, &refused):
		s.Securityf(ctx, "log.tampered", "", "%s: the public pages show as genuine only what the last checkpoint this site checked covers (%d entries)", refused.why, s.view.Size())
	case err != nil:
		s.Log.Error("reading the transparency log", "err", err)
	}
}

// Logged reports whether an alert's statement is in the checked log, with
// the reference code the alert row claims; if not, it reports the alert.
// Call Refresh first.
func (s *Checker) Logged(ctx context.Context, a *tocsin.Alert) bool {
	st, ok := s.view.Statement(tlog.LeafHash(a.Statement))
	if ok && RefOf(st) == a.Ref {
		return true
	}
	s.Unlogged(ctx, a)
	return false
}

// Unlogged raises alert.unlogged for an alert row in a public state whose
// Statement is not in the checked log, unless its entry is waiting for the
// next checkpoint (for at most unloggedGrace).
func (s *Checker) Unlogged(ctx context.Context, a *tocsin.Alert) {
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
func (s *Checker) waitingForCheckpoint(ctx context.Context, statement []byte) bool {
	leaf := tlog.LeafHash(statement)
	i, err := s.st.LogIndex(ctx, leaf)
	if err != nil || i < s.view.Size() {
		return false
	}
	if e, err := s.st.LogEntry(ctx, i); err != nil || !bytes.Equal(e, statement) {
		return false
	}
	now := s.Now()
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
