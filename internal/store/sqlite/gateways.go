package sqlite

import (
	"context"
	"fmt"
	"time"

	"github.com/tocsin/tocsin/internal/store"
	"github.com/tocsin/tocsin/internal/store/sqlrow"
)

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
		res, err := s.db.ExecContext(ctx, sqlrow.ReceiptSQL, status, at.Unix(), providerID)
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
