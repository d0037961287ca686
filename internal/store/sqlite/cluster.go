package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/tocsin/tocsin/internal/store"
	"github.com/tocsin/tocsin/internal/store/sqlrow"
)

// TryLease takes or renews a lease in one statement: the row is written
// only if it is free, expired, or already the holder's.
func (s q) TryLease(ctx context.Context, name, holder string, now time.Time, ttl time.Duration) (bool, error) {
	if name == "" || holder == "" || ttl <= 0 {
		return false, invalid("a lease needs a name, a holder and a time to live")
	}
	res, err := s.db.ExecContext(ctx, `INSERT INTO leases (name, holder, expires_at) VALUES (?, ?, ?)
		ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
		WHERE leases.holder = excluded.holder OR leases.expires_at <= ?`,
		name, holder, now.Add(ttl).UnixMilli(), now.UnixMilli())
	if err != nil {
		return false, fmt.Errorf("lease %s: %w", name, err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// DropLease deletes the lease if holder has it.
func (s q) DropLease(ctx context.Context, name, holder string) error {
	if _, err := s.db.ExecContext(ctx, `DELETE FROM leases WHERE name = ? AND holder = ?`, name, holder); err != nil {
		return fmt.Errorf("drop lease %s: %w", name, err)
	}
	return nil
}

// CountLeases counts the live leases under a name prefix.
func (s q) CountLeases(ctx context.Context, prefix string, now time.Time) (int, error) {
	var n int
	err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM leases WHERE substr(name, 1, ?) = ? AND expires_at > ?`,
		len(prefix), prefix, now.UnixMilli()).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("count leases: %w", err)
	}
	return n, nil
}

// RecordStart stores an alert's start.
func (s q) RecordStart(ctx context.Context, a *store.AlertStart) error {
	if a.AlertID == "" || len(a.Digest) == 0 || len(a.MAC) == 0 {
		return invalid("an alert start needs an alert id, a digest and a MAC")
	}
	_, err := s.db.ExecContext(ctx, `INSERT INTO alert_starts (alert_id, digest, started_at, mac) VALUES (?, ?, ?, ?)`,
		a.AlertID, a.Digest, sqlrow.Unix(a.StartedAt), a.MAC)
	if err != nil {
		if isUnique(err) {
			return conflict("alert %s was started already", a.AlertID)
		}
		return fmt.Errorf("record start: %w", err)
	}
	return nil
}

// GetStart returns an alert's start.
func (s q) GetStart(ctx context.Context, alertID string) (*store.AlertStart, error) {
	a := store.AlertStart{AlertID: alertID}
	var at int64
	err := s.db.QueryRowContext(ctx, `SELECT digest, started_at, mac FROM alert_starts WHERE alert_id = ?`, alertID).Scan(&a.Digest, &at, &a.MAC)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("alert start")
	}
	if err != nil {
		return nil, fmt.Errorf("get start: %w", err)
	}
	a.StartedAt = sqlrow.FromUnix(at)
	return &a, nil
}

// StartsSince returns the starts at or after t.
func (s q) StartsSince(ctx context.Context, t time.Time) ([]store.AlertStart, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT alert_id, digest, started_at, mac FROM alert_starts WHERE started_at >= ? ORDER BY started_at, alert_id`, sqlrow.Unix(t))
	if err != nil {
		return nil, fmt.Errorf("starts since: %w", err)
	}
	defer rows.Close()
	var out []store.AlertStart
	for rows.Next() {
		var a store.AlertStart
		var at int64
		if err := rows.Scan(&a.AlertID, &a.Digest, &at, &a.MAC); err != nil {
			return nil, fmt.Errorf("starts since: %w", err)
		}
		a.StartedAt = sqlrow.FromUnix(at)
		out = append(out, a)
	}
	return out, rows.Err()
}
