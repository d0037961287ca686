package sqlrow

import (
	"context"
	"fmt"

	"github.com/tocsin/tocsin"
)

// AddInbound queues an inbound text for the sender.
func (s Shared) AddInbound(ctx context.Context, m *tocsin.Inbound) error {
	err := s.Conn.QueryRow(ctx, `INSERT INTO inbound (provider, from_sealed, to_sealed, body, received_at) VALUES (?, ?, ?, ?, ?) RETURNING id`,
		m.Provider, m.FromSealed, m.ToSealed, m.Body, Unix(m.ReceivedAt)).Scan(&m.ID)
	if err != nil {
		return fmt.Errorf("add inbound: %w", err)
	}
	return nil
}

// ListInbound returns queued inbound texts, oldest first.
func (s Shared) ListInbound(ctx context.Context, limit int) ([]tocsin.Inbound, error) {
	var out []tocsin.Inbound
	err := s.Conn.Each(ctx, `SELECT id, provider, from_sealed, to_sealed, body, received_at FROM inbound ORDER BY id LIMIT ?`, []any{limit},
		func(sc Scanner) error {
			var m tocsin.Inbound
			var at Seconds
			if err := sc.Scan(&m.ID, &m.Provider, &m.FromSealed, &m.ToSealed, &m.Body, &at); err != nil {
				return err
			}
			m.ReceivedAt = at.Time()
			out = append(out, m)
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("list inbound: %w", err)
	}
	return out, nil
}

// DeleteInbound removes a handled inbound text.
func (s Shared) DeleteInbound(ctx context.Context, id int64) error {
	if _, err := s.Conn.Exec(ctx, `DELETE FROM inbound WHERE id = ?`, id); err != nil {
		return fmt.Errorf("delete inbound: %w", err)
	}
	return nil
}

// AddOutbound queues a one-to-one text.
func (s Shared) AddOutbound(ctx context.Context, m *tocsin.Outbound) error {
	err := s.Conn.QueryRow(ctx, `INSERT INTO outbound (kind, to_sealed, body, created_at, mac) VALUES (?, ?, ?, ?, ?) RETURNING id`,
		string(m.Kind), m.ToSealed, m.Body, Unix(m.CreatedAt), m.MAC).Scan(&m.ID)
	if err != nil {
		return fmt.Errorf("add outbound: %w", err)
	}
	return nil
}

// ListOutbound returns queued one-to-one texts, oldest first.
func (s Shared) ListOutbound(ctx context.Context, limit int) ([]tocsin.Outbound, error) {
	var out []tocsin.Outbound
	err := s.Conn.Each(ctx, `SELECT id, kind, to_sealed, body, created_at, mac FROM outbound ORDER BY id LIMIT ?`, []any{limit},
		func(sc Scanner) error {
			var m tocsin.Outbound
			var at Seconds
			if err := sc.Scan(&m.ID, &m.Kind, &m.ToSealed, &m.Body, &at, &m.MAC); err != nil {
				return err
			}
			m.CreatedAt = at.Time()
			out = append(out, m)
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("list outbound: %w", err)
	}
	return out, nil
}

// DeleteOutbound removes a sent one-to-one text.
func (s Shared) DeleteOutbound(ctx context.Context, id int64) error {
	if _, err := s.Conn.Exec(ctx, `DELETE FROM outbound WHERE id = ?`, id); err != nil {
		return fmt.Errorf("delete outbound: %w", err)
	}
	return nil
}
