package sqlrow

import (
	"context"
	"fmt"
	"time"

	"github.com/tocsin/tocsin/internal/store"
)

// AddHookRequest queues a sealed webhook request for the sender.
func (s Shared) AddHookRequest(ctx context.Context, h *store.HookRequest) error {
	err := s.Conn.QueryRow(ctx, `INSERT INTO hook_requests (provider, sealed, received_at) VALUES (?, ?, ?) RETURNING id`,
		h.Provider, h.Sealed, Unix(h.ReceivedAt)).Scan(&h.ID)
	if err != nil {
		return fmt.Errorf("add hook request: %w", err)
	}
	return nil
}

// ListHookRequests returns queued webhook requests, oldest first.
func (s Shared) ListHookRequests(ctx context.Context, limit int) ([]store.HookRequest, error) {
	var out []store.HookRequest
	err := s.Conn.Each(ctx, `SELECT id, provider, sealed, received_at FROM hook_requests ORDER BY id LIMIT ?`, []any{limit},
		func(sc Scanner) error {
			var h store.HookRequest
			var at Seconds
			if err := sc.Scan(&h.ID, &h.Provider, &h.Sealed, &at); err != nil {
				return err
			}
			h.ReceivedAt = at.Time()
			out = append(out, h)
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("list hook requests: %w", err)
	}
	return out, nil
}

// DeleteHookRequest removes a handled webhook request.
func (s Shared) DeleteHookRequest(ctx context.Context, id int64) error {
	if _, err := s.Conn.Exec(ctx, `DELETE FROM hook_requests WHERE id = ?`, id); err != nil {
		return fmt.Errorf("delete hook request: %w", err)
	}
	return nil
}

// MarkHookSeen records a webhook request's keyed hash; false when it was
// there already.
func (s Shared) MarkHookSeen(ctx context.Context, hash []byte, at time.Time) (bool, error) {
	n, err := s.Conn.Exec(ctx, `INSERT INTO hooks_seen (hash, seen_at) VALUES (?, ?) ON CONFLICT (hash) DO NOTHING`, hash, Unix(at))
	if err != nil {
		return false, fmt.Errorf("mark hook seen: %w", err)
	}
	return n == 1, nil
}

// PurgeHooksSeen forgets the hashes recorded before t.
func (s Shared) PurgeHooksSeen(ctx context.Context, before time.Time) error {
	if _, err := s.Conn.Exec(ctx, `DELETE FROM hooks_seen WHERE seen_at < ?`, Unix(before)); err != nil {
		return fmt.Errorf("purge hooks seen: %w", err)
	}
	return nil
}

// DeliveryCounts sums an alert's ledger.
func (s Shared) DeliveryCounts(ctx context.Context, alertID string) (store.DeliveryCounts, error) {
	var c store.DeliveryCounts
	err := s.Conn.QueryRow(ctx, `SELECT
			count(*) FILTER (WHERE status = 'sent'),
			count(*) FILTER (WHERE receipt = 'delivered'),
			count(*) FILTER (WHERE receipt IN ('undelivered', 'failed'))
		FROM deliveries WHERE alert_id = ?`, alertID).Scan(&c.Accepted, &c.Delivered, &c.Undelivered)
	if err != nil {
		return c, fmt.Errorf("delivery counts: %w", err)
	}
	return c, nil
}

// PurgeSent forgets sent messages before t.
func (s Shared) PurgeSent(ctx context.Context, before time.Time) error {
	if _, err := s.Conn.Exec(ctx, `DELETE FROM sent_messages WHERE at < ?`, before.Unix()); err != nil {
		return fmt.Errorf("purge sent: %w", err)
	}
	return nil
}

// ReceiptSQL records a receipt (status, time, provider id) on the ledger
// row with that provider id. Its test of a non-empty provider id lets it use the
// partial index of the rows a provider took; a final receipt is not
// overwritten by a late intermediate one.
const ReceiptSQL = `UPDATE deliveries SET receipt = ?, receipt_at = ?
	WHERE provider_id = ? AND provider_id <> '' AND receipt NOT IN ('delivered', 'undelivered', 'failed')`
