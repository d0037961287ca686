package signups

import (
	"context"
	"fmt"

	"github.com/tocsin/tocsin"
	"github.com/tocsin/tocsin/internal/store"
)

// confirmedAfterOptOut reports whether a confirmed web sign-up may opt its
// number back in: yes unless the number opted out before the sign-up was
// made. Then the sender withheld its code (sendCode), so nobody read the
// code off the phone: the row was confirmed by a database writer, or by a
// one-in-a-million guess, and neither is the person's consent.
func (s *Service) confirmedAfterOptOut(ctx context.Context, q Querier, su tocsin.Signup, hash []byte) (bool, error) {
	at, err := q.GetOptOut(ctx, hash)
	switch {
	case tocsin.ErrorCode(err) == tocsin.ENOTFOUND:
		return true, nil
	case err != nil:
		return false, fmt.Errorf("opt-out: %w", err)
	}
	return at.After(su.CreatedAt), nil
}

// refuseOptedOutSignup drops a confirmed sign-up whose number opted out
// before it was made: nothing is texted, nothing subscribed, the number
// stays opted out, and operators are told (signup.opted_out_confirmed).
func (s *Service) refuseOptedOutSignup(ctx context.Context, q Querier, su tocsin.Signup) error {
	s.cfg.Log.Warn("confirmed sign-up for a number that opted out before it: nothing texted", "signup", su.ID)
	detail := fmt.Sprintf("sign-up %s is confirmed, but its number had texted STOP before the sign-up was made, so no code was texted to it: the row was confirmed in the database directly (or its code guessed). Nothing was texted and the number stays opted out.", su.ID)
	// One subject for every such row, so that their alarms are throttled as one.
	ev := &store.SecurityEvent{Kind: "signup.opted_out_confirmed", Severity: store.SeverityHigh, Subject: "opted out", Detail: detail}
	if err := s.events.Event(ctx, q, ev); err != nil {
		return err
	}
	return q.UpdateSignup(ctx, su.ID, tocsin.SignupExpired, su.Attempts)
}
