package signups

import (
	"context"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/tocsin/tocsin"
	"github.com/tocsin/tocsin/internal/phone"
	"github.com/tocsin/tocsin/internal/sender/subscriber"
	"github.com/tocsin/tocsin/internal/store"
)

// SMS pumping: an attacker makes the service text numbers that earn their
// owner money per message (premium-rate and foreign ranges, or a range of
// numbers a complicit carrier bills), and the service pays. The web tier
// refuses numbers outside the SMS policy at the form; the sender checks
// again before any code, welcome or reply, since a database writer can
// queue sign-ups and inbound texts, and it limits codes per block of
// numbers as well as per number.

// DefaultCodesPerBlock is how many confirmation codes an hour go to the
// numbers of one block of 10,000 (phone.Number.Block; in the NANP one
// exchange, NPA-NXX). Real sign-ups from one exchange come a few an hour
// even when a neighbourhood signs up at once; a pumping run cycles through
// a range and stops here.
const DefaultCodesPerBlock = 10

// refuseSignup ends a sign-up whose number the SMS policy refuses. The web
// tier refuses such numbers at the form, so the row was written to the
// database directly, or the web role's --sms-countries is wider than the
// sender's: a security event either way. Nothing is texted.
//
// The event's subject is the reason ("region NG", "premium rate"), not the
// sign-up, so that alarms about many such rows are throttled as one.
func (s *Service) refuseSignup(ctx context.Context, q Querier, su tocsin.Signup, why error) error {
	s.cfg.Log.Warn("sign-up for a number outside the SMS policy: nothing texted", "signup", su.ID, "why", subscriber.Reason(why))
	detail := fmt.Sprintf("sign-up %s is for a number the SMS policy refuses (%s): the web tier refuses these at the form, so the row was written to the database directly, or the web role's --sms-countries is wider than the sender's. Nothing was texted.", su.ID, subscriber.Reason(why))
	if err := s.events.Event(ctx, q, &store.SecurityEvent{Kind: "signup.number_refused", Severity: store.SeverityHigh, Subject: subscriber.Reason(why), Detail: detail}); err != nil {
		return err
	}
	return q.UpdateSignup(ctx, su.ID, tocsin.SignupExpired, su.Attempts)
}

// blockAllows counts a code to n's block and reports whether it may go: no
// when the block had its CodesPerBlockPerHour codes in the last hour. A
// refusal is recorded and audited (signup.code_limited); the first of the
// hour for a block raises signup.block_limited.
func (s *Service) blockAllows(ctx context.Context, q Querier, n phone.Number, su tocsin.Signup) (bool, error) {
	now := s.cfg.Now()
	block := s.cfg.Keys.MAC("code-block", []byte(n.Block()))
	sent, refused, err := q.CountBlockCodes(ctx, block, now.Add(-time.Hour))
	if err != nil {
		return false, err
	}
	if sent < s.cfg.CodesPerBlockPerHour {
		return true, q.RecordBlockCode(ctx, block, now, false)
	}
	if err := q.RecordBlockCode(ctx, block, now, true); err != nil {
		return false, err
	}
	s.cfg.Log.Info("sign-up code not sent: too many codes to one block of numbers this hour", "signup", su.ID)
	if err := s.events.Audit(ctx, q, "signup.code_limited", su.ID, "per-block code limit reached"); err != nil {
		return false, err
	}
	if refused > 0 {
		return false, nil // raised once an hour per block
	}
	detail := fmt.Sprintf("%d codes went to numbers of one block of 10,000 in the last hour, the limit: more codes to it this hour are not sent, and each is counted in the audit trail (signup.code_limited). Many sign-ups in one block is how SMS pumping cycles through a range.", sent)
	return false, s.events.Event(ctx, q, &store.SecurityEvent{Kind: "signup.block_limited", Severity: store.SeverityWarning,
		Subject: "block " + hex.EncodeToString(block[:6]), Detail: detail})
}
