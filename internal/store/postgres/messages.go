package postgres

import (
	"context"
	"fmt"

	"github.com/tocsin/tocsin"
	"github.com/tocsin/tocsin/internal/store/sqlrow"
)

// AddInbound queues an inbound text for the sender.
func (s q) AddInbound(ctx context.Context, m *tocsin.Inbound) error {
	err := s.db.QueryRow(ctx, `INSERT INTO inbound (provider, from_sealed, to_sealed, body, received_at) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
		m.Provider, m.FromSealed, m.ToSealed, m.Body, sqlrow.Unix(m.ReceivedAt)).Scan(&m.ID)
	if err != nil {
		return fmt.Errorf("add inbound: %w", err)
	}
	return nil
}

// ListInbound returns queued inbound texts, oldest first.
func (s q) ListInbound(ctx context.Context, limit int) ([]tocsin.Inbound, error) {
	rows, err := s.db.Query(ctx, `SELECT id, provider, from_sealed, to_sealed, body, received_at FROM inbound ORDER BY id LIMIT $1`, limit)
	if err != nil {
		return nil, fmt.Errorf("list inbound: %w", err)
	}
	defer rows.Close()
	var out []tocsin.Inbound
	for rows.Next() {
		var m tocsin.Inbound
		var at int64
		if err := rows.Scan(&m.ID, &m.Provider, &m.FromSealed, &m.ToSealed, &m.Body, &at); err != nil {
			return nil, fmt.Errorf("scan inbound: %w", err)
		}
		m.ReceivedAt = sqlrow.FromUnix(at)
		out = append(out, m)
	}
	return out, rows.Err()
}

// DeleteInbound removes a handled inbound text.
func (s q) DeleteInbound(ctx context.Context, id int64) error {
	if _, err := s.db.Exec(ctx, `DELETE FROM inbound WHERE id = $1`, id); err != nil {
		return fmt.Errorf("delete inbound: %w", err)
	}
	return nil
}

// AddOutbound queues a one-to-one text.
func (s q) AddOutbound(ctx context.Context, m *tocsin.Outbound) error {
	err := s.db.QueryRow(ctx, `INSERT INTO outbound (kind, to_sealed, body, created_at, mac) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
		string(m.Kind), m.ToSealed, m.Body, sqlrow.Unix(m.CreatedAt), m.MAC).Scan(&m.ID)
	if err != nil {
		return fmt.Errorf("add outbound: %w", err)
	}
	return nil
}

// ListOutbound returns queued one-to-one texts, oldest first.
func (s q) ListOutbound(ctx context.Context, limit int) ([]tocsin.Outbound, error) {
	rows, err := s.db.Query(ctx, `SELECT id, kind, to_sealed, body, created_at, mac FROM outbound ORDER BY id LIMIT $1`, limit)
	if err != nil {
		return nil, fmt.Errorf("list outbound: %w", err)
	}
	defer rows.Close()
	var out []tocsin.Outbound
	for rows.Next() {
		var m tocsin.Outbound
		var at int64
		if err := rows.Scan(&m.ID, &m.Kind, &m.ToSealed, &m.Body, &at, &m.MAC); err != nil {
			return nil, fmt.Errorf("scan outbound: %w", err)
		}
		m.CreatedAt = sqlrow.FromUnix(at)
		out = append(out, m)
	}
	return out, rows.Err()
}

// DeleteOutbound removes a sent one-to-one text.
func (s q) DeleteOutbound(ctx context.Context, id int64) error {
	if _, err := s.db.Exec(ctx, `DELETE FROM outbound WHERE id = $1`, id); err != nil {
		return fmt.Errorf("delete outbound: %w", err)
	}
	return nil
}
