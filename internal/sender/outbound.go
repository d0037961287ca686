package sender

import (
	"context"
	"crypto/hmac"
	"strconv"

	"errors"
	"fmt"

	"github.com/tocsin/tocsin"
	"github.com/tocsin/tocsin/internal/store"

	"github.com/tocsin/tocsin/internal/sms"
)

// queue adds a one-to-one text with the sender's MAC over it.
func (s *Sender) queue(ctx context.Context, q store.Querier, m *tocsin.Outbound) error {
	m.MAC = s.outboundMAC(m)
	return q.AddOutbound(ctx, m)
}

// outboundMAC binds a queued text's kind, recipient, body and time.
func (s *Sender) outboundMAC(m *tocsin.Outbound) []byte {
	return s.cfg.Keys.MAC("outbound", []byte(m.Kind), m.ToSealed, []byte(m.Body), []byte(strconv.FormatInt(m.CreatedAt.Unix(), 10)))
}

// sendOutbound sends queued one-to-one texts (replies and codes). A text is
// deleted only after the provider took it; a crash in between resends it
// with the same idempotency key, which the provider ignores.
func (s *Sender) sendOutbound(ctx context.Context) error {
	if s.frozen(ctx) {
		return nil // a freeze stops every outbound text, replies included
	}
	msgs, err := s.cfg.Store.ListOutbound(ctx, 100)
	if err != nil {
		return err
	}
	for _, m := range msgs {
		if !hmac.Equal(m.MAC, s.outboundMAC(&m)) {
			if err := s.security(ctx, s.cfg.Store, "outbound.forged", fmt.Sprint(m.ID), "a queued text the sender did not write: not sent"); err != nil {
				return err
			}
			if err := s.cfg.Store.DeleteOutbound(ctx, m.ID); err != nil {
				return err
			}
			continue
		}
		to, err := s.cfg.Keys.Open(m.ToSealed)
		if err != nil {
			s.cfg.Log.Warn("outbound text whose number does not open; dropped", "id", m.ID)
			if err := s.audit(ctx, s.cfg.Store, "security.outbound_unsealable", fmt.Sprint(m.ID), "queued text whose number does not open with the sender key"); err != nil {
				return err
			}
			if err := s.cfg.Store.DeleteOutbound(ctx, m.ID); err != nil {
				return err
			}
			continue
		}
		provider, res, err := s.handOver(ctx, sms.Message{To: to, Body: m.Body, IdempotencyKey: fmt.Sprintf("out-%d-%d", m.ID, m.CreatedAt.Unix())})
		if err == nil && res.ProviderID != "" {
			s.recordSent(ctx, []store.SentMessage{{Provider: provider, ProviderID: res.ProviderID}})
		}
		switch {
		case errors.Is(err, sms.ErrPermanent):
			s.cfg.Log.Warn("one-to-one text refused by the provider", "id", m.ID, "kind", string(m.Kind), "err", err)
		case err != nil:
			return fmt.Errorf("send outbound %d: %w", m.ID, err)
		}
		if err := s.cfg.Store.DeleteOutbound(ctx, m.ID); err != nil {
			return err
		}
	}
	return nil
}
