package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/tocsin/tocsin"
	"github.com/tocsin/tocsin/internal/audit"
	"github.com/tocsin/tocsin/internal/store/sqlrow"
)

// AppendAudit appends an entry to the audit trail, chained to the last one:
// in one transaction it locks the audit table against other appenders (SHARE
// ROW EXCLUSIVE: readers go on), reads the last entry, takes the next id and
// stores the entry with the hash of the one before and its own. Two
// appenders therefore never take the same id nor chain to the same entry.
func (s q) AppendAudit(ctx context.Context, e *tocsin.AuditEntry) error {
	err := s.atomic(ctx, func(s q) error {
		if _, err := s.db.Exec(ctx, `LOCK TABLE audit IN SHARE ROW EXCLUSIVE MODE`); err != nil {
			return err
		}
		prev := audit.Genesis()
		var lastID int64
		var lastHash []byte
		err := s.db.QueryRow(ctx, `SELECT id, hash FROM audit ORDER BY id DESC LIMIT 1`).Scan(&lastID, &lastHash)
		switch {
		case errors.Is(err, pgx.ErrNoRows):
		case err != nil:
			return err
		case len(lastHash) == 32:
			prev = [32]byte(lastHash)
		}
		e.ID = lastID + 1
		e.At = e.At.UTC().Truncate(1e9)
		h := audit.Hash(prev, e)
		_, err = s.db.Exec(ctx, `INSERT INTO audit (id, at, actor, action, subject, detail, prev_hash, hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
			e.ID, sqlrow.Unix(e.At), e.Actor, e.Action, e.Subject, e.Detail, prev[:], h[:])
		return err
	})
	if err != nil {
		return fmt.Errorf("append audit: %w", err)
	}
	return nil
}

// ListAudit returns the newest entries first.
func (s q) ListAudit(ctx context.Context, limit int) ([]tocsin.AuditEntry, error) {
	links, err := s.auditLinks(ctx, `SELECT id, at, actor, action, subject, detail, prev_hash, hash FROM audit ORDER BY id DESC LIMIT $1`, limit)
	out := make([]tocsin.AuditEntry, len(links))
	for i, l := range links {
		out[i] = l.Entry
	}
	return out, err
}

// AuditChain returns the whole trail in id order with its chain fields.
func (s q) AuditChain(ctx context.Context) ([]audit.Link, error) {
	return s.auditLinks(ctx, `SELECT id, at, actor, action, subject, detail, prev_hash, hash FROM audit ORDER BY id`)
}

func (s q) auditLinks(ctx context.Context, query string, args ...any) ([]audit.Link, error) {
	rows, err := s.db.Query(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("list audit: %w", err)
	}
	defer rows.Close()
	var out []audit.Link
	for rows.Next() {
		var l audit.Link
		var at int64
		var prev, hash []byte
		if err := rows.Scan(&l.Entry.ID, &at, &l.Entry.Actor, &l.Entry.Action, &l.Entry.Subject, &l.Entry.Detail, &prev, &hash); err != nil {
			return nil, fmt.Errorf("scan audit: %w", err)
		}
		l.Entry.At = sqlrow.FromUnix(at)
		copy(l.PrevHash[:], prev)
		copy(l.Hash[:], hash)
		out = append(out, l)
	}
	return out, rows.Err()
}
