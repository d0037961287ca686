package sqlite

import (
	"context"
	"fmt"
	"time"

	"github.com/tocsin/tocsin/internal/store"
	"github.com/tocsin/tocsin/internal/store/sqlrow"
)

// AddHookRequest queues a sealed webhook request for the sender.
func (s q) AddHookRequest(ctx context.Context, h *store.HookRequest) error {
	err := s.db.QueryRowContext(ctx, `INSERT INTO hook_requests (provider, sealed, received_at) VALUES (?, ?, ?) RETURNING id`,
		h.Provider, h.Sealed, sqlrow.Unix(h.ReceivedAt)).Scan(&h.ID)
	if err != nil {
		return fmt.Errorf("add hook request: %w", err)
	}
	return nil
}

// ListHookRequests returns queued webhook requests, oldest first.
func (s q) ListHookRequests(ctx context.Context, limit int) ([]store.HookRequest, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, provider, sealed, received_at FROM hook_requests ORDER BY id LIMIT ?`, limit)
	if err != nil {
		return nil, fmt.Errorf("list hook requests: %w", err)
	}
	defer rows.Close()
	var out []store.HookRequest
	for rows.Next() {
		var h store.HookRequest
		var at int64
		if err := rows.Scan(&h.ID, &h.Provider, &h.Sealed, &at); err != nil {
			return nil, fmt.Errorf("scan hook request: %w", err)
		}
		h.ReceivedAt = sqlrow.FromUnix(at)
		out = append(out, h)
	}
	return out, rows.Err()
}

// DeleteHookRequest removes a handled webhook request.
func (s q) DeleteHookRequest(ctx context.Context, id int64) error {
	if _, err := s.db.ExecContext(ctx, `DELETE FROM hook_requests WHERE id = ?`, id); err != nil {
		return fmt.Errorf("delete hook request: %w", err)
	}
	return nil
}

// RecordReceipt stores a receipt on the ledger row with this provider id.
// A final receipt is not overwritten by a late intermediate one.
func (s q) RecordReceipt(ctx context.Context, providerID, status string, at time.Time) (bool, error) {
	var n int64
	err := s.atomic(ctx, func(s q) error {
		// Kept by provider id, for a ledger row not yet finished.
		if _, err := s.db.ExecContext(ctx, `INSERT INTO receipts (provider_id, status, at) VALUES (?, ?, ?)
			ON CONFLICT (provider_id) DO UPDATE SET status = excluded.status, at = excluded.at
			WHERE receipts.status NOT IN ('delivered', 'undelivered', 'failed')`, providerID, status, at.Unix()); err != nil {
			return err
		}
		res, err := s.db.ExecContext(ctx, receiptSQL, status, at.Unix(), providerID)
		if err != nil {
			return err
		}
		n, _ = res.RowsAffected()
		return nil
	})
	if err != nil {
		return false, fmt.Errorf("record receipt: %w", err)
	}
	return n > 0, nil
}

// DeliveryCounts sums an alert's ledger.
func (s q) DeliveryCounts(ctx context.Context, alertID string) (store.DeliveryCounts, error) {
	var c store.DeliveryCounts
	err := s.db.QueryRowContext(ctx, `SELECT
			count(*) FILTER (WHERE status = 'sent'),
			count(*) FILTER (WHERE receipt = 'delivered'),
			count(*) FILTER (WHERE receipt IN ('undelivered', 'failed'))
		FROM deliveries WHERE alert_id = ?`, alertID).Scan(&c.Accepted, &c.Delivered, &c.Undelivered)
	if err != nil {
		return c, fmt.Errorf("delivery counts: %w", err)
	}
	return c, nil
}

// RecordSent notes messages handed to providers, in as few statements as
// the variable limit allows.
func (s q) RecordSent(ctx context.Context, sent []store.SentMessage, at time.Time) error {
	const chunk = 300
	for start := 0; start < len(sent); start += chunk {
		part := sent[start:min(start+chunk, len(sent))]
		args := make([]any, 0, 3*len(part))
		for _, m := range part {
			args = append(args, m.Provider, m.ProviderID, at.Unix())
		}
		_, err := s.db.ExecContext(ctx, `INSERT INTO sent_messages (provider, provider_id, at) VALUES `+
			placeholdersRows(len(part), "(?, ?, ?)")+` ON CONFLICT DO NOTHING`, args...)
		if err != nil {
			return fmt.Errorf("record sent: %w", err)
		}
	}
	return nil
}

// KnownSent reports which ids the sender handed to provider.
func (s q) KnownSent(ctx context.Context, provider string, ids []string) (map[string]bool, error) {
	known := make(map[string]bool, len(ids))
	const chunk = 500
	for start := 0; start < len(ids); start += chunk {
		part := ids[start:min(start+chunk, len(ids))]
		args := []any{provider}
		for _, id := range part {
			args = append(args, id)
		}
		rows, err := s.db.QueryContext(ctx, `SELECT provider_id FROM sent_messages WHERE provider = ? AND provider_id IN (`+placeholders(len(part))+`)`, args...)
		if err != nil {
			return nil, fmt.Errorf("known sent: %w", err)
		}
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return nil, err
			}
			known[id] = true
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return known, nil
}

// PurgeSent forgets sent messages before t.
func (s q) PurgeSent(ctx context.Context, before time.Time) error {
	if _, err := s.db.ExecContext(ctx, `DELETE FROM sent_messages WHERE at < ?`, before.Unix()); err != nil {
		return fmt.Errorf("purge sent: %w", err)
	}
	return nil
}

// receiptSQL records a receipt on the ledger row with a provider id; the
// provider_id <> ” term lets it use the partial index of those rows.
const receiptSQL = `UPDATE deliveries SET receipt = ?, receipt_at = ?
	WHERE provider_id = ? AND provider_id <> '' AND receipt NOT IN ('delivered', 'undelivered', 'failed')`
