package sqlrow

import (
	"context"
	"fmt"
	"time"
)

// SetOptOut records that the number with this keyed hash opted out at t.
// A number already opted out keeps the time it first did.
func (s Shared) SetOptOut(ctx context.Context, phoneHash []byte, at time.Time) error {
	if _, err := s.Conn.Exec(ctx, `INSERT INTO opt_outs (phone_hash, at) VALUES (?, ?) ON CONFLICT (phone_hash) DO NOTHING`, phoneHash, Unix(at)); err != nil {
		return fmt.Errorf("record opt-out: %w", err)
	}
	return nil
}

// GetOptOut returns when the number with this keyed hash opted out;
// ENOTFOUND if it has not, or has opted back in since.
func (s Shared) GetOptOut(ctx context.Context, phoneHash []byte) (time.Time, error) {
	var at int64
	err := s.Conn.QueryRow(ctx, `SELECT at FROM opt_outs WHERE phone_hash = ?`, phoneHash).Scan(&at)
	if err := one(s.Conn, err, "opt-out"); err != nil {
		return time.Time{}, err
	}
	return FromUnix(at), nil
}

// ClearOptOut forgets the opt-out of the number with this keyed hash: it
// opted back in. Clearing a number that never opted out is no error.
func (s Shared) ClearOptOut(ctx context.Context, phoneHash []byte) error {
	if _, err := s.Conn.Exec(ctx, `DELETE FROM opt_outs WHERE phone_hash = ?`, phoneHash); err != nil {
		return fmt.Errorf("clear opt-out: %w", err)
	}
	return nil
}
