package postgres

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
		if _, err := s.db.Exec(ctx, `INSERT INTO receipts (provider_id, status, at) VALUES ($1, $2, $3)
			ON CONFLICT (provider_id) DO UPDATE SET status = excluded.status, at = excluded.at
			WHERE receipts.status NOT IN ('delivered', 'undelivered', 'failed')`, providerID, status, at.Unix()); err != nil {
			return err
		}
		tag, err := s.db.Exec(ctx, sqlrow.Rebind(sqlrow.ReceiptSQL), status, at.Unix(), providerID)
		if err != nil {
			return err
		}
		n = tag.RowsAffected()
		return nil
	})
	if err != nil {
		return false, fmt.Errorf("record receipt: %w", err)
	}
	return n > 0, nil
}

// RecordSent notes messages handed to providers, in one statement; an id
// given twice, or recorded already, is recorded once.
func (s q) RecordSent(ctx context.Context, sent []store.SentMessage, at time.Time) error {
	if len(sent) == 0 {
		return nil
	}
	providers := make([]string, len(sent))
	ids := make([]string, len(sent))
	for i, m := range sent {
		providers[i], ids[i] = m.Provider, m.ProviderID
	}
	_, err := s.db.Exec(ctx, `INSERT INTO sent_messages (provider, provider_id, at)
		SELECT DISTINCT v.provider, v.provider_id, $3::bigint FROM unnest($1::text[], $2::text[]) AS v(provider, provider_id)
		ON CONFLICT DO NOTHING`, providers, ids, at.Unix())
	if err != nil {
		return fmt.Errorf("record sent: %w", err)
	}
	return nil
}

// KnownSent reports which ids the sender handed to provider.
func (s q) KnownSent(ctx context.Context, provider string, ids []string) (map[string]bool, error) {
	known := make(map[string]bool, len(ids))
	if len(ids) == 0 {
		return known, nil
	}
	rows, err := s.db.Query(ctx, `SELECT provider_id FROM sent_messages WHERE provider = $1 AND provider_id = ANY($2)`, provider, ids)
	if err != nil {
		return nil, fmt.Errorf("known sent: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("known sent: %w", err)
		}
		known[id] = true
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("known sent: %w", err)
	}
	return known, nil
}
