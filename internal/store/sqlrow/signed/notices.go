package signed

import (
	"context"
	"fmt"
	"time"

	"github.com/tocsin/tocsin"
	"github.com/tocsin/tocsin/internal/store"
	"github.com/tocsin/tocsin/internal/store/sqlrow"
)

// Incident notices and their approvals. A notice is never deleted, so an
// existence check before an insert holds.

// CreateNotice stores a draft notice with its statement.
func (s Records) CreateNotice(ctx context.Context, n *tocsin.Notice) error {
	if n.ID == "" || n.TitleEN == "" || n.BodyEN == "" || n.CreatedBy == "" || len(n.Statement) == 0 {
		return invalid("a notice needs an id, an English title and text, its statement and who composed it")
	}
	_, err := s.Conn.Exec(ctx, `INSERT INTO notices (`+NoticeCols+`) VALUES (?, ?, ?, ?, ?, '', 0, 'draft', ?, ?, ?)`,
		n.ID, n.TitleEN, n.TitleES, n.BodyEN, n.BodyES, n.Statement, n.CreatedBy, sqlrow.Unix(n.CreatedAt))
	if s.Conn.Unique(err) {
		return conflict("a notice with this id exists already")
	}
	if err != nil {
		return fmt.Errorf("create notice: %w", err)
	}
	n.State, n.PublishedBy, n.PublishedAt = tocsin.NoticeDraft, "", time.Time{}
	return nil
}

// GetNotice returns a notice.
func (s Records) GetNotice(ctx context.Context, id string) (*tocsin.Notice, error) {
	var n tocsin.Notice
	if err := one(s.Conn, Notice(s.Conn.QueryRow(ctx, `SELECT `+NoticeCols+` FROM notices WHERE id = ?`, id), &n), "notice"); err != nil {
		return nil, err
	}
	return &n, nil
}

// ListNotices returns the notices in state (all for ""), the most recently
// published first, then the most recently created.
func (s Records) ListNotices(ctx context.Context, state tocsin.NoticeState, limit int) ([]tocsin.Notice, error) {
	var out []tocsin.Notice
	err := s.Conn.Each(ctx, `SELECT `+NoticeCols+` FROM notices WHERE (? = '' OR state = ?)
		ORDER BY published_at DESC, created_at DESC, id LIMIT ?`, []any{string(state), string(state), limit}, func(sc sqlrow.Scanner) error {
		var n tocsin.Notice
		if err := Notice(sc, &n); err != nil {
			return err
		}
		out = append(out, n)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list notices: %w", err)
	}
	return out, nil
}

// ApproveNotice moves a draft to approved.
func (s Records) ApproveNotice(ctx context.Context, id string) error {
	return s.moveNotice(ctx, id, tocsin.NoticeDraft, tocsin.NoticeApproved, `UPDATE notices SET state = 'approved' WHERE id = ? AND state = 'draft'`, id)
}

// PublishNotice moves an approved notice to published, by its signers.
func (s Records) PublishNotice(ctx context.Context, id, by string, at time.Time) error {
	if by == "" || at.IsZero() {
		return invalid("publishing a notice needs its signers and a time")
	}
	return s.moveNotice(ctx, id, tocsin.NoticeApproved, tocsin.NoticePublished,
		`UPDATE notices SET state = 'published', published_by = ?, published_at = ? WHERE id = ? AND state = 'approved'`, by, sqlrow.Unix(at), id)
}

// RefuseNotice moves an approved notice to refused.
func (s Records) RefuseNotice(ctx context.Context, id string) error {
	return s.moveNotice(ctx, id, tocsin.NoticeApproved, tocsin.NoticeRefused, `UPDATE notices SET state = 'refused' WHERE id = ? AND state = 'approved'`, id)
}

func (s Records) moveNotice(ctx context.Context, id string, from, to tocsin.NoticeState, query string, args ...any) error {
	n, err := s.Conn.Exec(ctx, query, args...)
	if err != nil {
		return fmt.Errorf("notice %s: %w", to, err)
	}
	if n == 0 {
		if err := s.exists(ctx, "notice", `SELECT count(*) FROM notices WHERE id = ?`, id); err != nil {
			return err
		}
		return conflict("the notice is not %s", from)
	}
	return nil
}

// AddNoticeApproval stores an approval of a notice, replacing any earlier
// one by the same key.
func (s Records) AddNoticeApproval(ctx context.Context, a *store.Approval) error {
	switch {
	case a.KeyID == "":
		return invalid("an approval needs a key id")
	case len(a.Digest) == 0 || len(a.Signature) == 0:
		return invalid("an approval needs a digest and a signature")
	}
	if err := s.exists(ctx, "notice", `SELECT count(*) FROM notices WHERE id = ?`, a.AlertID); err != nil {
		return err
	}
	_, err := s.Conn.Exec(ctx, `INSERT INTO notice_approvals (notice_id, kind, key_id, digest, signature, signed_at) VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (notice_id, key_id) DO UPDATE SET
			kind = excluded.kind, digest = excluded.digest, signature = excluded.signature, signed_at = excluded.signed_at`,
		a.AlertID, a.Kind, a.KeyID, a.Digest, a.Signature, sqlrow.Unix(a.SignedAt))
	if err != nil {
		return fmt.Errorf("add notice approval: %w", err)
	}
	return nil
}

// ListNoticeApprovals returns the approvals of a notice, by key id.
func (s Records) ListNoticeApprovals(ctx context.Context, noticeID string) ([]store.Approval, error) {
	return s.approvals(ctx, `SELECT notice_id, kind, key_id, digest, signature, signed_at
		FROM notice_approvals WHERE notice_id = ? ORDER BY key_id`, noticeID, "notice approvals")
}
