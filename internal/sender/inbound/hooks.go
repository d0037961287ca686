package inbound

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/tocsin/tocsin"
	"github.com/tocsin/tocsin/internal/sender/canary"
	"github.com/tocsin/tocsin/internal/sms"
	"github.com/tocsin/tocsin/internal/store"
)

// Hooks checks and acts on the providers' webhook requests that the
// web tier queued: the sender holds the credentials that prove a request
// came from the provider (Twilio signs with the account's auth token, which
// can also send, so it must not live in the web tier). A forged request
// changes nothing and raises a security event.
func (s *Service) Hooks(ctx context.Context) error {
	hs, err := s.store.ListHookRequests(ctx, 200)
	if err != nil {
		return err
	}
	for _, h := range hs {
		if err := s.handleHook(ctx, h); err != nil {
			return fmt.Errorf("hook %d: %w", h.ID, err)
		}
	}
	return nil
}

func (s *Service) handleHook(ctx context.Context, h store.HookRequest) error {
	ev, err := s.parseHook(h)
	switch {
	case errors.Is(err, sms.ErrForged):
		if err := s.events.Security(ctx, s.store, "webhook.forged", h.Provider, "a webhook request the provider did not sign: ignored"); err != nil {
			return err
		}
	case errors.Is(err, canary.ErrNoHook):
		if err := s.canary.Unchecked(ctx); err != nil {
			return err
		}
	case err != nil:
		s.cfg.Log.Warn("webhook request dropped", "provider", h.Provider, "err", err)
	case ev.Receipt != nil:
		found, err := s.store.RecordReceipt(ctx, ev.Receipt.ProviderID, string(ev.Receipt.Status), s.cfg.Now())
		if err != nil {
			return err
		}
		s.cfg.Log.Debug("delivery receipt", "provider", h.Provider, "status", string(ev.Receipt.Status), "ledger", found)
	case ev.Inbound != nil:
		return s.hookInbound(ctx, h, ev.Inbound)
	}
	return s.store.DeleteHookRequest(ctx, h.ID)
}

// hookInbound acts on a verified inbound text once: a replay of one acted
// on is refused; a text through the canary hook goes to the canaries'
// check, any other is handled like an inbound row. The request is deleted
// in the same transaction.
func (s *Service) hookInbound(ctx context.Context, h store.HookRequest, t *sms.InboundText) error {
	in, err := s.SealInbound(h, t)
	if err != nil {
		return err
	}
	var seen []byte
	err = s.store.InTx(ctx, func(q store.Querier) error {
		replayed, hash, err := s.refuseReplay(ctx, q, h.Provider, t.ID)
		seen = hash
		switch {
		case err != nil:
			return err
		case replayed:
		case h.Provider == canary.HookName:
			err = s.canary.HookText(ctx, q, in, t)
		default:
			err = s.handleOne(ctx, q, in)
		}
		if err != nil {
			return err
		}
		return q.DeleteHookRequest(ctx, h.ID)
	})
	if err == nil {
		s.remember(seen)
	}
	return err
}

// SealInbound turns a provider's inbound text into the sender's inbound
// row: both numbers sealed like the web tier seals them, To (the number of
// ours it reached, by which a canary subscriber is recognised) only when
// the provider named one.
func (s *Service) SealInbound(h store.HookRequest, t *sms.InboundText) (tocsin.Inbound, error) {
	from, err := s.sealer.Seal(t.From)
	if err != nil {
		return tocsin.Inbound{}, fmt.Errorf("seal sender: %w", err)
	}
	var to []byte
	if !t.To.IsZero() {
		if to, err = s.sealer.Seal(t.To); err != nil {
			return tocsin.Inbound{}, fmt.Errorf("seal recipient: %w", err)
		}
	}
	return tocsin.Inbound{Provider: h.Provider, FromSealed: from, ToSealed: to, Body: t.Body, ReceivedAt: h.ReceivedAt}, nil
}

// parseHook opens a queued request and lets its provider check and decode it.
func (s *Service) parseHook(h store.HookRequest) (sms.Event, error) {
	b, err := s.cfg.Keys.OpenData(h.Sealed)
	if err != nil {
		return sms.Event{}, fmt.Errorf("%w: does not open", sms.ErrForged)
	}
	var hook sms.Hook
	if err := json.Unmarshal(b, &hook); err != nil || hook.Provider != h.Provider {
		return sms.Event{}, fmt.Errorf("%w: not a hook request", sms.ErrForged)
	}
	if h.Provider == canary.HookName {
		if s.cfg.CanaryHook == nil {
			return sms.Event{}, canary.ErrNoHook
		}
		return s.cfg.CanaryHook.ParseHook(hook)
	}
	if wh := s.routes.Webhooks(h.Provider); wh != nil {
		return wh.ParseHook(hook)
	}
	return sms.Event{}, fmt.Errorf("no configured provider %q takes webhooks", h.Provider)
}
