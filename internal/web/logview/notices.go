package logview

import (
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/tocsin/tocsin"
	"github.com/tocsin/tocsin/internal/store"
	"github.com/tocsin/tocsin/internal/trust"
	"github.com/tocsin/tocsin/internal/web/webkit"
)

// A published notice is shown only after the web tier checked it all
// again: its statement decodes, names this service's log, says what the row
// says, carries enough signatures of the verified roster, and is in the log
// under the latest checkpoint.

// MaxListed bounds the published notices read for a page; a new version or
// a withdrawal among them takes an older one down.
const MaxListed = 100

// ShownNotice is a published notice that passed every check.
type ShownNotice struct {
	Statement *trust.NoticeStatement
	Signers   string // who signed it, as the pages name them
}

// PublishedNotices returns up to limit published notices that pass every
// check and that no other such notice replaces or withdraws, newest first.
func (s *Checker) PublishedNotices(ctx context.Context, limit int) ([]ShownNotice, error) {
	all, replaced, err := s.CheckedNotices(ctx, limit)
	if err != nil {
		return nil, err
	}
	var out []ShownNotice
	for _, sn := range all {
		if replaced[sn.Statement.ID] == "" {
			out = append(out, sn)
		}
	}
	return out, nil
}

// CheckedNotices returns up to limit published notices that pass every
// check, newest first, and which of them (by id) a checked notice replaces
// or withdraws (mapped to that notice's id). Only a notice that is itself
// signed and in the log takes another down.
func (s *Checker) CheckedNotices(ctx context.Context, limit int) ([]ShownNotice, map[string]string, error) {
	ns, err := s.st.ListNotices(ctx, tocsin.NoticePublished, limit)
	if err != nil {
		return nil, nil, err
	}
	var out []ShownNotice
	replaced := map[string]string{}
	for _, n := range ns {
		sn, ok := s.CheckNotice(ctx, n)
		if !ok {
			continue
		}
		out = append(out, sn)
		for _, old := range []string{sn.Statement.Replaces, sn.Statement.Withdraws} {
			if old != "" && replaced[old] == "" {
				replaced[old] = sn.Statement.ID
			}
		}
	}
	return out, replaced, nil
}

// noticeChecks remembers the verdict on each published notice row (by its
// id, statement and columns), so that a page view does not verify the
// roster, the signatures and the log again, and a tampered row raises its
// security event once per process.
type noticeChecks struct {
	mu sync.Mutex
	m  map[[32]byte]*ShownNotice // nil: refused
}

const maxNoticeChecks = 1000

func noticeKey(n tocsin.Notice) [32]byte {
	return sha256.Sum256(fmt.Appendf(nil, "%q %q %q %q %q %q", n.ID, n.Statement, n.TitleEN, n.TitleES, n.BodyEN, n.BodyES))
}

func (c *noticeChecks) get(k [32]byte) (*ShownNotice, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	v, ok := c.m[k]
	return v, ok
}

func (c *noticeChecks) put(k [32]byte, v *ShownNotice) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil || len(c.m) >= maxNoticeChecks {
		c.m = map[[32]byte]*ShownNotice{}
	}
	c.m[k] = v
}

// CheckNotice decides whether a published notice row may be shown, and
// raises notice.tampered when it may not.
func (s *Checker) CheckNotice(ctx context.Context, n tocsin.Notice) (ShownNotice, bool) {
	k := noticeKey(n)
	if v, ok := s.notices.get(k); ok {
		if v == nil {
			return ShownNotice{}, false
		}
		return *v, true
	}
	sn, why, err := s.verifyNotice(ctx, n)
	if err != nil { // the database or the roster could not be read: try again later
		s.Log.Error("check notice", "notice", n.ID, "err", err)
		return ShownNotice{}, false
	}
	if why != "" {
		s.notices.put(k, nil)
		// High: only a database writer makes a published notice that fails.
		s.SecurityAt(ctx, store.SeverityHigh, "notice.tampered", n.ID, "a notice marked published is not shown: "+why)
		return ShownNotice{}, false
	}
	s.notices.put(k, sn)
	return *sn, true
}

// verifyNotice checks a published notice: its statement decodes, names
// this service's log, says what the row says, carries enough signatures of
// the verified roster, and is in the log under the latest checkpoint
// (checked against the log's key when the web tier has it). why says what
// failed.
func (s *Checker) verifyNotice(ctx context.Context, n tocsin.Notice) (sn *ShownNotice, why string, err error) {
	st, derr := trust.DecodeNotice(n.Statement)
	switch {
	case derr != nil:
		return nil, "its statement does not decode: " + derr.Error(), nil
	case st.ID != n.ID:
		return nil, fmt.Sprintf("its statement is notice %s's", st.ID), nil
	case st.Origin != s.origin:
		return nil, fmt.Sprintf("its statement is for the log %q, not %q", st.Origin, s.origin), nil
	case st.Titles["en"] != n.TitleEN || st.Titles["es"] != n.TitleES || st.Bodies["en"] != n.BodyEN || st.Bodies["es"] != n.BodyES:
		return nil, "its text differs from the text operators signed", nil
	}
	v, qerr, err := s.noticeSigners(ctx, n.ID, st)
	if err != nil {
		return nil, "", err
	}
	if qerr != nil {
		return nil, "its signatures do not suffice: " + qerr.Error(), nil
	}
	if why, err := s.InLog(ctx, n.Statement); why != "" || err != nil {
		return nil, why, err
	}
	return &ShownNotice{Statement: st, Signers: strings.Join(v.Signers, ", ")}, "", nil
}

// noticeSigners counts a notice's signatures against the latest verified
// roster version and, failing that, against each earlier verified version:
// the sender checked them against the version in effect when it published
// the notice, and a roster changed since (a key revoked after an incident)
// must not take a genuine notice down. qerr says why none suffices.
func (s *Checker) noticeSigners(ctx context.Context, id string, st *trust.NoticeStatement) (v trust.Verdict, qerr, err error) {
	as, err := s.st.ListNoticeApprovals(ctx, id)
	if err != nil {
		return v, nil, err
	}
	rows, err := s.st.RosterChain(ctx)
	if err != nil {
		return v, nil, err
	}
	chain := make([]trust.SignedRoster, len(rows))
	for i, r := range rows {
		chain[i] = trust.SignedRoster{Body: r.Body, Signatures: store.RosterSigs(r.Sigs)}
	}
	qerr = fmt.Errorf("%w: no verified roster", trust.ErrQuorum)
	seen := map[int]bool{}
	for i := len(chain); i > 0 && len(s.TrustAnchor) == ed25519.PublicKeySize; i-- {
		r, _ := trust.VerifyChain(ed25519.PublicKey(s.TrustAnchor), chain[:i])
		if r == nil || seen[r.Version] {
			continue
		}
		seen[r.Version] = true
		var verr error
		if v, verr = trust.CheckNoticeApprovals(r, st, webkit.Approvals(as)); verr == nil {
			return v, nil, nil
		}
		if len(seen) == 1 {
			qerr = verr // say why by the latest version
		}
	}
	return v, qerr, nil
}

// InLog says why entry is not in the transparency log as this site checked
// it: under the newest checkpoint that verifies with the log's public key,
// with leaves that give its signed root ("" when it is).
func (s *Checker) InLog(ctx context.Context, entry []byte) (why string, err error) {
	s.Refresh(ctx)
	if _, err := s.view.Find(ctx, entry); err != nil {
		if errors.Is(err, ErrNotInLog) {
			return "its statement is not in the transparency log under the newest checkpoint signed with the log's key", nil
		}
		return "", err
	}
	return "", nil
}
