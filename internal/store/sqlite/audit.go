package sqlite

import (
	"context"
	"fmt"

	"github.com/tocsin/tocsin"
)

// AppendAudit appends an entry to the audit trail.
func (s q) AppendAudit(ctx context.Context, e *tocsin.AuditEntry) error {
	err := s.db.QueryRowContext(ctx, `INSERT INTO audit (at, actor, action, subject, detail) VALUES (?, ?, ?, ?, ?) RETURNING id`,
		unix(e.At), e.Actor, e.Action, e.Subject, e.Detail).Scan(&e.ID)
	if err != nil {
		return fmt.Errorf("append audit: %w", err)
	}
	return nil
}

// ListAudit returns the newest entries first.
func (s q) ListAudit(ctx context.Context, limit int) ([]tocsin.AuditEntry, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, at, actor, action, subject, detail FROM audit ORDER BY id DESC LIMIT ?`, limit)
	if err != nil {
		return nil, fmt.Errorf("list audit: %w", err)
	}
	defer rows.Close()
	var out []tocsin.AuditEntry
	for rows.Next() {
		var e tocsin.AuditEntry
		var at int64
		if err := rows.Scan(&e.ID, &at, &e.Actor, &e.Action, &e.Subject, &e.Detail); err != nil {
			return nil, fmt.Errorf("scan audit: %w", err)
		}
		e.At = fromUnix(at)
		out = append(out, e)
	}
	return out, rows.Err()
}
