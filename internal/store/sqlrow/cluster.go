package sqlrow

import (
	"context"
	"fmt"
	"time"

	"github.com/tocsin/tocsin/internal/store"
)

// TryLease takes or renews a lease in one statement: the row is written
// only if it is free, expired, or already the holder's.
func TryLease(ctx context.Context, c Conn, name, holder string, now time.Time, ttl time.Duration) (bool, error) {
	if name == "" || holder == "" || ttl <= 0 {
		return false, invalid("a lease needs a name, a holder and a time to live")
	}
	n, err := c.Exec(ctx, `INSERT INTO leases (name, holder, expires_at) VALUES (?, ?, ?)
		ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
		WHERE leases.holder = excluded.holder OR leases.expires_at <= ?`,
		name, holder, now.Add(ttl).UnixMilli(), now.UnixMilli())
	if err != nil {
		return false, fmt.Errorf("lease %s: %w", name, err)
	}
	return n == 1, nil
}

// DropLease deletes the lease if holder has it.
func DropLease(ctx context.Context, c Conn, name, holder string) error {
	if _, err := c.Exec(ctx, `DELETE FROM leases WHERE name = ? AND holder = ?`, name, holder); err != nil {
		return fmt.Errorf("drop lease %s: %w", name, err)
	}
	return nil
}

// CountLeases counts the live leases under a name prefix.
func CountLeases(ctx context.Context, c Conn, prefix string, now time.Time) (int, error) {
	var n int
	if err := c.QueryRow(ctx, `SELECT count(*) FROM leases WHERE substr(name, 1, ?) = ? AND expires_at > ?`,
		len(prefix), prefix, now.UnixMilli()).Scan(&n); err != nil {
		return 0, fmt.Errorf("count leases: %w", err)
	}
	return n, nil
}

// RecordStart stores an alert's start.
func RecordStart(ctx context.Context, c Conn, a *store.AlertStart) error {
	if a.AlertID == "" || len(a.Digest) == 0 || len(a.MAC) == 0 {
		return invalid("an alert start needs an alert id, a digest and a MAC")
	}
	_, err := c.Exec(ctx, `INSERT INTO alert_starts (alert_id, digest, started_at, mac) VALUES (?, ?, ?, ?)`,
		a.AlertID, a.Digest, Unix(a.StartedAt), a.MAC)
	if c.Unique(err) {
		return conflict("alert %s was started already", a.AlertID)
	}
	if err != nil {
		return fmt.Errorf("record start: %w", err)
	}
	return nil
}

const startCols = `alert_id, digest, started_at, mac`

func scanStart(sc Scanner, a *store.AlertStart) error {
	var at int64
	err := sc.Scan(&a.AlertID, &a.Digest, &at, &a.MAC)
	a.StartedAt = FromUnix(at)
	return err
}

// GetStart returns an alert's start.
func GetStart(ctx context.Context, c Conn, alertID string) (*store.AlertStart, error) {
	var a store.AlertStart
	if err := one(c, scanStart(c.QueryRow(ctx, `SELECT `+startCols+` FROM alert_starts WHERE alert_id = ?`, alertID), &a), "alert start"); err != nil {
		return nil, err
	}
	return &a, nil
}

// StartsSince returns the starts at or after t, oldest first.
func StartsSince(ctx context.Context, c Conn, t time.Time) ([]store.AlertStart, error) {
	var out []store.AlertStart
	err := c.Each(ctx, `SELECT `+startCols+` FROM alert_starts WHERE started_at >= ? ORDER BY started_at, alert_id`, []any{Unix(t)},
		func(sc Scanner) error {
			var a store.AlertStart
			if err := scanStart(sc, &a); err != nil {
				return err
			}
			out = append(out, a)
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("starts since: %w", err)
	}
	return out, nil
}

// ReleaseClaims returns to pending the rows left sending by claimer (a
// sender starting again) and the rows claimed before staleBefore by a
// sender that holds no live member lease at now (one that died). A live
// sender's rows stay claimed however long its batch takes (a slow
// provider's pace).
func ReleaseClaims(ctx context.Context, c Conn, claimer string, staleBefore, now time.Time) (int, error) {
	n, err := c.Exec(ctx, ReleaseClaimsSQL, claimer, claimer, staleBefore.Unix(), now.UnixMilli())
	if err != nil {
		return 0, fmt.Errorf("release claims: %w", err)
	}
	return int(n), nil
}

// ReleaseClaimsSQL is ReleaseClaims's statement (claimer, claimer, stale
// before in Unix seconds, now in Unix milliseconds). Its status = 'sending'
// term lets it read only the partial index of claimed rows.
const ReleaseClaimsSQL = `UPDATE deliveries SET status = 'pending'
	WHERE status = 'sending' AND ((? <> '' AND claimed_by = ?)
		OR (claimed_at < ? AND NOT EXISTS (
			SELECT 1 FROM leases WHERE leases.name = 'member/' || deliveries.claimed_by AND leases.expires_at > ?)))`
