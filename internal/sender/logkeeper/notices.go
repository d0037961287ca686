package logkeeper

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/tocsin/tocsin"
	"github.com/tocsin/tocsin/internal/sender/guard"
	"github.com/tocsin/tocsin/internal/store"
	"github.com/tocsin/tocsin/internal/tlog"
	"github.com/tocsin/tocsin/internal/trust"
)

// A notice is a public statement in the service's name. The web tier
// marks it approved when enough operators have signed; the sender, which
// alone holds the log key, checks it all again and publishes it by
// appending its statement to the transparency log under a checkpoint it
// signs. The web tier shows only what is in the log.

// noticesPerRound bounds the notices published in one round.
const noticesPerRound = 20

// PublishNotices publishes the approved notices that pass every check and
// refuses the others, raising a security event for each.
func (s *Keeper) PublishNotices(ctx context.Context) error {
	if s.cfg.LogKey == "" {
		return nil // no log: nothing can be published (see docs/operations.md)
	}
	ns, err := s.store.ListNotices(ctx, tocsin.NoticeApproved, noticesPerRound)
	if err != nil {
		return err
	}
	for i := range ns {
		if err := s.publishNotice(ctx, &ns[i]); err != nil {
			return err
		}
	}
	return nil
}

func (s *Keeper) publishNotice(ctx context.Context, n *tocsin.Notice) error {
	v, kind, why, err := s.checkNotice(ctx, n)
	if err != nil {
		return err
	}
	if why != "" {
		sev := store.SeverityWarning
		if kind == "notice.tampered" {
			sev = store.SeverityHigh // only a database writer changes a signed notice
		}
		if err := s.events.Event(ctx, s.store, &store.SecurityEvent{Kind: kind, Severity: sev, Subject: n.ID, Detail: why + ": not published"}); err != nil {
			return err
		}
		return s.store.RefuseNotice(ctx, n.ID)
	}
	// After a crash between the append and the mark, the entry is there.
	if _, err := s.store.LogIndex(ctx, tlog.LeafHash(n.Statement)); tocsin.ErrorCode(err) == tocsin.ENOTFOUND {
		if err := s.appendEntry(ctx, n.Statement); err != nil {
			return err
		}
	} else if err != nil {
		return err
	}
	if err := s.SignCheckpoint(ctx); err != nil {
		return err
	}
	if !s.underCheckpoint(ctx, n.Statement) {
		return fmt.Errorf("notice %s: no checkpoint covers its statement yet", n.ID)
	}
	by := strings.Join(v.Signers, ", ")
	if err := s.store.PublishNotice(ctx, n.ID, by, s.cfg.Now()); err != nil {
		return err
	}
	return s.events.Audit(ctx, s.store, "notice.publish", n.ID, fmt.Sprintf("in the log, signed by %s", by))
}

// checkNotice verifies a notice as the sender publishes it: its statement
// decodes, is this notice's, names this sender's log, is still valid, says
// what the row says, and carries the roster's notice threshold of
// signatures. kind and why say what failed ("" when nothing did).
func (s *Keeper) checkNotice(ctx context.Context, n *tocsin.Notice) (v trust.Verdict, kind, why string, err error) {
	st, derr := trust.DecodeNotice(n.Statement)
	switch {
	case derr != nil:
		return v, "notice.tampered", "its statement does not decode: " + derr.Error(), nil
	case st.ID != n.ID:
		return v, "notice.tampered", "its statement is notice " + st.ID + "'s", nil
	case st.Origin != s.cfg.LogOrigin:
		return v, "notice.tampered", fmt.Sprintf("its statement is for the log %q, not %q", st.Origin, s.cfg.LogOrigin), nil
	case st.Titles["en"] != n.TitleEN || st.Titles["es"] != n.TitleES || st.Bodies["en"] != n.BodyEN || st.Bodies["es"] != n.BodyES:
		return v, "notice.tampered", "its text differs from the text operators signed", nil
	case !s.cfg.Now().Before(st.ValidUntil):
		return v, "notice.refused", "it expired at " + st.ValidUntil.UTC().Format("2006-01-02T15:04:05Z"), nil
	}
	v, qerr := s.noticeVerdict(ctx, n.ID, st)
	if qerr == nil {
		return v, "", "", nil
	}
	if !errors.Is(qerr, trust.ErrQuorum) {
		return v, "", "", qerr
	}
	edited, err := s.signedOtherText(ctx, n.ID, st.Digest())
	if err != nil {
		return v, "", "", err
	}
	if edited {
		return v, "notice.tampered", "its statement is not what its approvals signed: " + qerr.Error(), nil
	}
	return v, "notice.refused", qerr.Error(), nil
}

// signedOtherText reports whether an approval of the notice was made over
// another digest than its statement's: the statement was changed after
// someone signed it.
func (s *Keeper) signedOtherText(ctx context.Context, id string, digest [32]byte) (bool, error) {
	as, err := s.store.ListNoticeApprovals(ctx, id)
	if err != nil {
		return false, err
	}
	for _, a := range as {
		if !bytes.Equal(a.Digest, digest[:]) {
			return true, nil
		}
	}
	return false, nil
}

// noticeVerdict counts the valid signatures on a notice against the
// verified roster; the error wraps trust.ErrQuorum when they are too few.
func (s *Keeper) noticeVerdict(ctx context.Context, id string, st *trust.NoticeStatement) (trust.Verdict, error) {
	r, err := s.guard.Roster(ctx)
	if err != nil {
		return trust.Verdict{}, err
	}
	as, err := s.store.ListNoticeApprovals(ctx, id)
	if err != nil {
		return trust.Verdict{}, err
	}
	return trust.CheckNoticeApprovals(r, st, guard.Approvals(as))
}

// ownNotice reports whether a log entry is the statement of a notice, as
// stored, that carries enough signatures: the sender accepts it in the log
// whoever appended it (another primary, before a crash).
func (s *Keeper) ownNotice(ctx context.Context, entry []byte) (bool, error) {
	if !trust.IsNotice(entry) {
		return false, nil
	}
	st, err := trust.DecodeNotice(entry)
	if err != nil || st.Origin != s.cfg.LogOrigin {
		return false, nil
	}
	n, err := s.store.GetNotice(ctx, st.ID)
	if tocsin.ErrorCode(err) == tocsin.ENOTFOUND {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if !bytes.Equal(n.Statement, entry) {
		return false, nil
	}
	if _, err := s.noticeVerdict(ctx, n.ID, st); err != nil {
		if errors.Is(err, trust.ErrQuorum) {
			return false, nil
		}
		return false, err
	}
	return true, nil
}

// underCheckpoint reports whether entry is in the log below the size of
// the last checkpoint this sender signed.
func (s *Keeper) underCheckpoint(ctx context.Context, entry []byte) bool {
	i, err := s.store.LogIndex(ctx, tlog.LeafHash(entry))
	return err == nil && i < s.state.Log.Size
}
