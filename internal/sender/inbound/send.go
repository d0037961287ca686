package inbound

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/tocsin/tocsin"
	"github.com/tocsin/tocsin/internal/sender/outbox"
	"github.com/tocsin/tocsin/internal/sender/state"
	"github.com/tocsin/tocsin/internal/sms"
	"github.com/tocsin/tocsin/internal/store"
)

// Send sends queued one-to-one texts (replies and codes), each at
// most once. A text is recorded as handed over (in the state directory)
// and then deleted only after the provider took it; a crash in between
// resends it with the same idempotency key, which the provider ignores. A
// text the sender did not queue, one it handed over already (a copy a
// database writer put back), and one older than state.TextsTTL are not sent.
func (s *Service) Send(ctx context.Context) error {
	if s.guard.Frozen(ctx) {
		return nil // a freeze stops every outbound text, replies included
	}
	now := s.cfg.Now()
	if err := s.state.Texts.Prune(now.Add(-state.TextsTTL)); err != nil {
		return err
	}
	msgs, err := s.store.ListOutbound(ctx, 100)
	if err != nil {
		return err
	}
	var replayed []string
	var forged []int64
	defer func() {
		if len(replayed) > 0 {
			s.replayedTexts(ctx, replayed)
		}
		if len(forged) > 0 {
			s.forgedTexts(ctx, forged)
		}
	}()
	for _, m := range msgs {
		switch {
		case !outbox.Genuine(s.cfg.Keys, &m):
			forged = append(forged, m.ID)
			if err := s.store.DeleteOutbound(ctx, m.ID); err != nil {
				return err
			}
			continue
		case s.state.Texts.Sent(m.MAC):
			replayed = append(replayed, hex.EncodeToString(m.MAC))
			if err := s.store.DeleteOutbound(ctx, m.ID); err != nil {
				return err
			}
			continue
		case !m.CreatedAt.After(now.Add(-state.TextsTTL)):
			s.cfg.Log.Warn("queued text older than its time to live; not sent", "id", m.ID, "kind", string(m.Kind), "queued", m.CreatedAt)
			if err := s.store.DeleteOutbound(ctx, m.ID); err != nil {
				return err
			}
			continue
		}
		if err := s.sendQueued(ctx, m); err != nil {
			return err
		}
	}
	return nil
}

// sendQueued hands one genuine queued text over, records it and deletes
// its row.
func (s *Service) sendQueued(ctx context.Context, m tocsin.Outbound) error {
	to, err := s.cfg.Keys.Open(m.ToSealed)
	if err != nil {
		s.cfg.Log.Warn("outbound text whose number does not open; dropped", "id", m.ID)
		if err := s.events.Audit(ctx, s.store, "security.outbound_unsealable", fmt.Sprint(m.ID), "queued text whose number does not open with the sender key"); err != nil {
			return err
		}
		return s.store.DeleteOutbound(ctx, m.ID)
	}
	provider, res, err := s.routes.HandOver(ctx, sms.Message{To: to, Body: m.Body, IdempotencyKey: outbox.IdempotencyKey(&m)})
	if err == nil && res.ProviderID != "" {
		s.routes.RecordSent(ctx, []store.SentMessage{{Provider: provider, ProviderID: res.ProviderID}})
	}
	switch {
	case errors.Is(err, sms.ErrPermanent):
		s.cfg.Log.Warn("one-to-one text refused by the provider", "id", m.ID, "kind", string(m.Kind), "err", err)
	case err != nil:
		return fmt.Errorf("send outbound %d: %w", m.ID, err)
	}
	if err := s.state.Texts.Record(m.MAC, m.CreatedAt); err != nil {
		return err
	}
	return s.store.DeleteOutbound(ctx, m.ID)
}

// forgedTextsEvery bounds how often outbound.forged is raised.
const forgedTextsEvery = time.Minute

// forgedTexts raises one outbound.forged event for the forged texts of a
// round, and at most one a minute (the texts held back are counted into
// the next): a writer who inserts forged texts every round does not flood
// the events.
func (s *Service) forgedTexts(ctx context.Context, ids []int64) {
	n, now := s.forged.Allow("outbound", len(ids), s.cfg.Now(), forgedTextsEvery)
	if !now {
		return
	}
	what := "a queued text the sender did not write"
	if n > 1 {
		what = fmt.Sprintf("%d queued texts the sender did not write", n)
	}
	if err := s.events.Security(ctx, s.store, "outbound.forged", fmt.Sprint(ids[0]), what+": not sent"); err != nil {
		s.cfg.Log.Error("security event", "err", err)
	}
}

// replayedTexts raises one outbound.replayed event for the copies of sent
// texts seen in one round, if any of them was not reported before: a
// writer who puts the same copies back every round gets one event, not
// one a round.
func (s *Service) replayedTexts(ctx context.Context, macs []string) {
	var fresh []string
	for _, k := range macs {
		if !s.state.Texts.Reported[k] {
			fresh = append(fresh, k)
		}
	}
	if len(fresh) == 0 {
		return
	}
	err := s.events.Event(ctx, s.store, &store.SecurityEvent{Kind: "outbound.replayed", Severity: store.SeverityHigh,
		Detail: fmt.Sprintf("%d queued texts the sender handed over already were queued again (copies put back in the database): not sent again", len(fresh))})
	if err != nil {
		s.cfg.Log.Error("security event", "err", err)
		return // raised again next round
	}
	for _, k := range fresh {
		s.state.Texts.Reported[k] = true
	}
}
