package sender

import (
	"context"
	"errors"
	"fmt"

	"github.com/tocsin/tocsin/internal/sms"
)

// sendOutbound sends queued one-to-one texts (replies and codes). A text is
// deleted only after the provider took it; a crash in between resends it
// with the same idempotency key, which the provider ignores.
func (s *Sender) sendOutbound(ctx context.Context) error {
	msgs, err := s.cfg.Store.ListOutbound(ctx, 100)
	if err != nil {
		return err
	}
	for _, m := range msgs {
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
		_, err = s.cfg.Provider.Send(ctx, sms.Message{To: to, Body: m.Body, IdempotencyKey: fmt.Sprintf("out-%d-%d", m.ID, m.CreatedAt.Unix())})
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
