// Package signups texts the confirmation codes of web sign-ups and turns
// the confirmed ones into subscriptions: only to numbers the SMS policy
// allows, never to one that opted out, within the per-number and per-block
// code limits (SMS pumping). It queues its texts (outbox); it sends
// nothing itself.
package signups

import (
	"context"
	"fmt"
	"time"

	"github.com/tocsin/tocsin"
	"github.com/tocsin/tocsin/internal/geo"
	"github.com/tocsin/tocsin/internal/phone"
	"github.com/tocsin/tocsin/internal/sender/config"
	"github.com/tocsin/tocsin/internal/sender/events"
	"github.com/tocsin/tocsin/internal/sender/outbox"
	"github.com/tocsin/tocsin/internal/sender/subscriber"
	"github.com/tocsin/tocsin/internal/store"
)

// Store is the part of the store the sign-ups use outside a transaction.
type Store interface {
	ListSignups(ctx context.Context, state tocsin.SignupState, limit int) ([]tocsin.Signup, error)
	UpdateSignup(ctx context.Context, id string, state tocsin.SignupState, attempts int) error
	InTx(ctx context.Context, fn func(q store.Querier) error) error
}

// Querier is what handling one sign-up does in its transaction.
type Querier interface {
	events.Querier
	subscriber.OptOuts
	outbox.Adder
	UpdateSignup(ctx context.Context, id string, state tocsin.SignupState, attempts int) error
	RecordCodeSend(ctx context.Context, phoneHash []byte, at time.Time) error
	CountCodeSends(ctx context.Context, phoneHash []byte, since time.Time) (int, error)
	RecordBlockCode(ctx context.Context, blockHash []byte, at time.Time, refused bool) error
	CountBlockCodes(ctx context.Context, blockHash []byte, since time.Time) (sent, refused int, err error)
	ClearOptOut(ctx context.Context, phoneHash []byte) error
	GetSubscriberByHash(ctx context.Context, hash []byte) (*tocsin.Subscriber, error)
	SaveSubscriber(ctx context.Context, s *tocsin.Subscriber) error
}

// Service is the sign-ups' loop.
type Service struct {
	cfg    *config.Config // Keys, ZIPs, SMSPolicy, CodesPerHour, CodesPerBlockPerHour, Name, Now, Log
	store  Store
	events *events.Recorder
	sealer *phone.Sealer
}

// New returns the sign-ups service of a sender.
func New(cfg *config.Config, st Store, ev *events.Recorder) *Service {
	return &Service{cfg: cfg, store: st, events: ev, sealer: phone.NewSealer(cfg.Keys.Public())}
}

// Tick texts confirmation codes for new web sign-ups and activates
// the ones whose code was typed back.
func (s *Service) Tick(ctx context.Context) error {
	pending, err := s.store.ListSignups(ctx, tocsin.SignupPending, 100)
	if err != nil {
		return err
	}
	for _, su := range pending {
		if err := s.store.InTx(ctx, func(q store.Querier) error { return s.sendCode(ctx, q, su) }); err != nil {
			return fmt.Errorf("signup code: %w", err)
		}
	}
	confirmed, err := s.store.ListSignups(ctx, tocsin.SignupConfirmed, 100)
	if err != nil {
		return err
	}
	for _, su := range confirmed {
		if err := s.store.InTx(ctx, func(q store.Querier) error { return s.activate(ctx, q, su) }); err != nil {
			return fmt.Errorf("signup activate: %w", err)
		}
	}
	return s.expireSignups(ctx)
}

func (s *Service) openSignup(su tocsin.Signup) (phone.Number, string, error) {
	b, err := s.cfg.Keys.OpenData(su.Sealed)
	if err != nil {
		return "", "", err
	}
	return phone.ParseSignup(b)
}

// sendCode texts the code, unless the number is outside the SMS policy,
// opted out by STOP, or has had too many codes this hour (itself or its
// block). The web page says the same in every case but the first, so it
// tells nobody whether a number is subscribed.
func (s *Service) sendCode(ctx context.Context, q Querier, su tocsin.Signup) error {
	now := s.cfg.Now()
	n, code, err := s.openSignup(su)
	if err != nil {
		s.cfg.Log.Warn("web sign-up that does not open; dropped", "signup", su.ID)
		if err := s.events.Audit(ctx, q, "security.signup_unsealable", su.ID, "sign-up whose payload does not open with the sender key"); err != nil {
			return err
		}
		return q.UpdateSignup(ctx, su.ID, tocsin.SignupExpired, su.Attempts)
	}
	if why := s.cfg.SMSPolicy.Check(n); why != nil {
		return s.refuseSignup(ctx, q, su, why)
	}
	hash := s.cfg.Keys.Hash(n)
	send, err := s.codeAllowed(ctx, q, su, n, hash)
	if err != nil {
		return err
	}
	if send {
		sealed, err := s.sealer.Seal(n)
		if err != nil {
			return err
		}
		if err := q.RecordCodeSend(ctx, hash, now); err != nil {
			return err
		}
		body := subscriber.Reply(s.cfg.Name, su.Lang, subscriber.RCode, code)
		if err := outbox.Queue(ctx, q, s.cfg.Keys, &tocsin.Outbound{Kind: tocsin.OutboundCode, ToSealed: sealed, Body: body, CreatedAt: now}); err != nil {
			return err
		}
	}
	return q.UpdateSignup(ctx, su.ID, tocsin.SignupCodeSent, su.Attempts)
}

// codeAllowed reports whether a code may go to n: not when it opted out,
// nor over the per-number or the per-block limit (each refusal audited).
func (s *Service) codeAllowed(ctx context.Context, q Querier, su tocsin.Signup, n phone.Number, hash []byte) (bool, error) {
	sub, err := q.GetSubscriberByHash(ctx, hash)
	if err != nil && tocsin.ErrorCode(err) != tocsin.ENOTFOUND {
		return false, err
	}
	if out, err := subscriber.OptedOut(ctx, q, hash, sub); err != nil || out {
		if out {
			s.cfg.Log.Info("sign-up code not sent: the number opted out", "signup", su.ID)
			err = s.events.Audit(ctx, q, "signup.code_withheld", su.ID, "the number texted STOP and has not texted START since")
		}
		return false, err
	}
	recent, err := q.CountCodeSends(ctx, hash, s.cfg.Now().Add(-time.Hour))
	if err != nil {
		return false, err
	}
	if recent >= s.cfg.CodesPerHour {
		s.cfg.Log.Info("sign-up code not sent: too many codes to one number this hour", "signup", su.ID)
		return false, s.events.Audit(ctx, q, "signup.code_limited", su.ID, "per-number code limit reached")
	}
	return s.blockAllows(ctx, q, n, su)
}

// activate turns a confirmed sign-up into a subscription and says so.
func (s *Service) activate(ctx context.Context, q Querier, su tocsin.Signup) error {
	now := s.cfg.Now()
	n, _, err := s.openSignup(su)
	if err != nil {
		return q.UpdateSignup(ctx, su.ID, tocsin.SignupExpired, su.Attempts)
	}
	if why := s.cfg.SMSPolicy.Check(n); why != nil {
		return s.refuseSignup(ctx, q, su, why) // a subscription would text it every alert
	}
	hash := s.cfg.Keys.Hash(n)
	if ok, err := s.confirmedAfterOptOut(ctx, q, su, hash); err != nil || !ok {
		if err != nil {
			return err
		}
		return s.refuseOptedOutSignup(ctx, q, su)
	}
	if err := q.ClearOptOut(ctx, hash); err != nil { // the code typed back opts it in
		return err
	}
	sub, err := q.GetSubscriberByHash(ctx, hash)
	switch {
	case tocsin.ErrorCode(err) == tocsin.ENOTFOUND:
		sealed, err := s.sealer.Seal(n)
		if err != nil {
			return err
		}
		sub = &tocsin.Subscriber{PhoneHash: hash, Sealed: sealed, CreatedAt: now}
	case err != nil:
		return err
	}
	areas, bad := subscriber.ZIPAreas(s.cfg.ZIPs, su.Area.ZIPs)
	if bad != "" {
		return q.UpdateSignup(ctx, su.ID, tocsin.SignupExpired, su.Attempts)
	}
	if c := su.Area.Circle; c != nil {
		r := min(c.RadiusM, tocsin.MaxSubscriberRadiusM)
		// Keep the point only to about 150 m, as for reports.
		snapped := geo.CellCenter(geo.SnapCell(geo.Point{Lat: c.Lat, Lon: c.Lon}))
		areas = append(areas, tocsin.SubscriberArea{Cell: geo.LeafCell(snapped), RadiusM: r})
	}
	sub.Areas = subscriber.MergeAreas(sub.Areas, areas)
	if len(sub.Areas) > tocsin.MaxZIPsPerSubscriber {
		sub.Areas = areas
	}
	sub.Lang, sub.Active, sub.UpdatedAt = su.Lang, true, now
	if err := q.SaveSubscriber(ctx, sub); err != nil {
		return err
	}
	sealed, err := s.sealer.Seal(n)
	if err != nil {
		return err
	}
	body := subscriber.Reply(s.cfg.Name, su.Lang, subscriber.RWelcome)
	if err := outbox.Queue(ctx, q, s.cfg.Keys, &tocsin.Outbound{Kind: tocsin.OutboundReply, ToSealed: sealed, Body: body, CreatedAt: now}); err != nil {
		return err
	}
	return q.UpdateSignup(ctx, su.ID, tocsin.SignupDone, su.Attempts)
}

// expireSignups wipes the sealed number of sign-ups nobody confirmed.
func (s *Service) expireSignups(ctx context.Context) error {
	sent, err := s.store.ListSignups(ctx, tocsin.SignupCodeSent, 500)
	if err != nil {
		return err
	}
	now := s.cfg.Now()
	for _, su := range sent {
		if now.After(su.ExpiresAt) {
			if err := s.store.UpdateSignup(ctx, su.ID, tocsin.SignupExpired, su.Attempts); err != nil {
				return err
			}
		}
	}
	return nil
}
