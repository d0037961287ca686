package fanout

import (
	"context"
	"crypto/hmac"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/tocsin/tocsin"
	"github.com/tocsin/tocsin/internal/sender/config"
	"github.com/tocsin/tocsin/internal/sender/guard"
	"github.com/tocsin/tocsin/internal/sms"
	"github.com/tocsin/tocsin/internal/smstext"
	"github.com/tocsin/tocsin/internal/store"
	"github.com/tocsin/tocsin/internal/tlog"
	"github.com/tocsin/tocsin/internal/trust"
)

// maxAttempts bounds how often one message is retried after temporary
// failures.
const maxAttempts = 5

// StartAlerts turns approved alerts into ledgers (the primary's work).
func (s *Service) StartAlerts(ctx context.Context) error {
	approved, err := s.store.ListAlerts(ctx, []tocsin.AlertState{tocsin.AlertApproved}, 20)
	if err != nil {
		return err
	}
	for _, a := range approved {
		if err := s.StartAlert(ctx, a); err != nil {
			return err
		}
	}
	return nil
}

// DeliverAlerts works through the ledgers of alerts being sent (every
// sender's work).
func (s *Service) DeliverAlerts(ctx context.Context) error {
	sending, err := s.store.ListAlerts(ctx, []tocsin.AlertState{tocsin.AlertSending}, 20)
	if err != nil {
		return err
	}
	// One alert that cannot go on (its ledger unreadable, whatever a
	// database writer did to it) does not hold up the others.
	var errs []error
	for _, a := range sending {
		more, err := s.deliver(ctx, &a)
		if err != nil {
			errs = append(errs, fmt.Errorf("alert %s: %w", a.ID, err))
			if err := s.stalled(ctx, a.ID, err); err != nil {
				errs = append(errs, err)
			}
			continue
		}
		delete(s.stalls, a.ID)
		if more {
			s.host.Wake() // come back at once, after a look at inbound texts such as STOP
		}
	}
	return errors.Join(errs...)
}

// stallRounds is how many rounds in a row an alert's delivery may fail
// before it is a security event: a database that is briefly busy is not.
const stallRounds = 5

// stalled counts an alert's failed rounds, and raises ledger.stalled once
// when they reach stallRounds: an alert stuck sending must not go unseen.
func (s *Service) stalled(ctx context.Context, alertID string, cause error) error {
	s.stalls[alertID]++
	if s.stalls[alertID] != stallRounds {
		return nil
	}
	return s.events.Event(ctx, s.store, &store.SecurityEvent{Kind: "ledger.stalled", Severity: store.SeverityHigh, Subject: alertID,
		Detail: fmt.Sprintf("the alert's delivery failed %d rounds in a row (%v); other alerts go on", stallRounds, cause)})
}

// roundBatches bounds the batches sent per alert in one round, so that
// inbound texts (STOP above all) are handled between rounds of a long alert.
const roundBatches = 10

// StartAlert verifies an approved alert against the roster and the policy
// and, only if every check passes, records it as started (outside the
// database), writes its ledger nearest first and moves it to sending. A
// refusal raises a security event saying why and moves the alert to refused.
func (s *Service) StartAlert(ctx context.Context, a tocsin.Alert) error {
	if s.guard.Frozen(ctx) {
		return nil // stays approved until unfrozen
	}
	r, err := s.guard.Roster(ctx) // outside the transaction: it may raise an event
	if err != nil {
		return err
	}
	err = s.store.InTx(ctx, func(q store.Querier) error {
		st, rs, err := s.verify(ctx, q, r, a)
		if err != nil {
			return err
		}
		for i := range rs {
			rs[i].MAC = s.ledgerMAC(a.ID, rs[i].SubscriberID, i)
		}
		if _, resumed := s.state.Sent[a.ID]; !resumed {
			if err := s.state.RecordSent(a.ID, st.Digest(), s.cfg.Now()); err != nil {
				return err
			}
		}
		if err := s.starts.Record(ctx, q, a.ID, st.Digest()); err != nil {
			return err
		}
		if err := s.log.AppendStatement(ctx, q, st); err != nil {
			return err
		}
		if err := q.CreateLedger(ctx, a.ID, rs); err != nil {
			return err
		}
		s.cfg.Log.Info("alert verified; logged; ledger written", "alert", a.ID, "recipients", len(rs))
		return s.events.Audit(ctx, q, "alert.ledger", a.ID, fmt.Sprintf("%d recipients", len(rs)))
	})
	if err == nil {
		if err := s.state.MarkCommitted(a.ID); err != nil {
			return err
		}
		return s.log.SignCheckpoint(ctx)
	}
	var why refusal
	if !errors.As(err, &why) {
		return err
	}
	if err := s.events.Security(ctx, s.store, "alert.refused", a.ID, why.why); err != nil {
		return err
	}
	return s.store.RefuseAlert(ctx, a.ID)
}

// verify checks an alert: its statement, that it was never sent, its window,
// its size, the hourly limit, its audience and its signatures. It returns
// the statement and the recipients.
func (s *Service) verify(ctx context.Context, q store.Querier, r *trust.Roster, a tocsin.Alert) (*trust.Statement, []tocsin.Recipient, error) {
	now := s.cfg.Now()
	if r == nil {
		return nil, nil, refuse("no roster verifies back to the trust anchor: nobody can approve alerts yet")
	}
	st, err := trust.DecodeStatement(a.Statement)
	switch {
	case err != nil:
		return nil, nil, refuse("the alert has no valid signed statement: %v", err)
	case st.AlertID != a.ID:
		return nil, nil, refuse("the statement is for alert %s, not %s", st.AlertID, a.ID)
	}
	if prev, ok := s.state.Sent[a.ID]; ok && (prev.Committed || prev.Digest != st.Digest()) {
		return nil, nil, refuse("alert %s was already sent at %s: a replay", a.ID, prev.At.UTC().Format(time.RFC3339))
	}
	// Another sender's start (the primary before this one): recorded in
	// the ledger's transaction, so a start means the alert went out.
	switch prev, err := q.GetStart(ctx, a.ID); {
	case err == nil:
		return nil, nil, refuse("alert %s was already started at %s: a replay", a.ID, prev.StartedAt.UTC().Format(time.RFC3339))
	case tocsin.ErrorCode(err) != tocsin.ENOTFOUND:
		return nil, nil, err
	}
	// The transparency log remembers too: a statement already in it went
	// out, even if its start record was deleted (a standby primary with an
	// empty directory has only the database to ask).
	if entry, err := st.Encode(); err == nil && s.cfg.LogKey != "" {
		switch i, err := q.LogIndex(ctx, tlog.LeafHash(entry)); {
		case err == nil:
			return nil, nil, refuse("alert %s is entry %d of the transparency log already: a replay", a.ID, i)
		case tocsin.ErrorCode(err) != tocsin.ENOTFOUND:
			return nil, nil, err
		}
	}
	// Started but never committed: a crash cut the start short; it is
	// verified again in full and started once more.
	if err := r.Policy.CheckWindow(st, now); err != nil {
		return nil, nil, refuse("%v", err)
	}
	for lang, text := range st.Texts {
		if n := smstext.Analyze(text).Segments; n > r.Policy.MaxSegments {
			return nil, nil, refuse("the %s text is %d segments; the policy allows %d", lang, n, r.Policy.MaxSegments)
		}
	}
	n, err := s.starts.Since(ctx, q, now.Add(-time.Hour), a.ID)
	if err != nil {
		return nil, nil, err
	}
	if n >= r.Policy.MaxAlertsPerHour {
		return nil, nil, refuse("%d alerts were sent in the last hour; the policy allows %d", n, r.Policy.MaxAlertsPerHour)
	}
	rs, err := s.Resolve(ctx, q, areaOf(st))
	if err != nil {
		return nil, nil, refuse("the statement's area does not resolve: %v", err)
	}
	approvals, err := q.ListApprovals(ctx, a.ID)
	if err != nil {
		return nil, nil, err
	}
	verdict, err := trust.CheckApprovals(r, st, len(rs), guard.Approvals(approvals))
	if err != nil {
		why := err.Error()
		if len(verdict.Problems) > 0 {
			why += "; " + strings.Join(verdict.Problems, "; ")
		}
		return nil, nil, refuse("%s", why)
	}
	return st, rs, nil
}

// areaOf is the target area a statement names.
func areaOf(st *trust.Statement) tocsin.Area {
	a := tocsin.Area{ZIPs: st.ZIPs}
	if c := st.Circle; c != nil {
		a.Circle = &tocsin.Circle{Lat: float64(c.LatE6) / 1e6, Lon: float64(c.LonE6) / 1e6, RadiusM: float64(c.RadiusM)}
	}
	return a
}

func (s *Service) ledgerMAC(alertID string, subscriberID int64, seq int) []byte {
	return s.cfg.Keys.MAC("ledger", []byte(alertID), []byte(strconv.FormatInt(subscriberID, 10)), []byte(strconv.Itoa(seq)))
}

// deliver sends up to roundBatches batches of the alert, in Lanes that
// each claim, send and record their own batches (so that one lane's database
// work overlaps another's sending), and completes the alert when its ledger
// is done. Before every batch a lane checks the freeze state; before any,
// that the statement is still the one the sender verified. It reports
// whether rows are left to send now.
func (s *Service) deliver(ctx context.Context, a *tocsin.Alert) (more bool, err error) {
	st, derr := trust.DecodeStatement(a.Statement)
	ok := false
	if derr == nil {
		if ok, err = s.starts.StartedWith(ctx, s.store, a.ID, st.Digest()); err != nil {
			return false, err
		}
	}
	if ok && s.state.Sent[a.ID].Completed {
		if err := s.events.Security(ctx, s.store, "alert.tampered", a.ID, "an alert this sender saw completed is sending again: a replay; not sent"); err != nil {
			return false, err
		}
		return false, s.store.RefuseAlert(ctx, a.ID)
	}
	if !ok {
		if err := s.events.Security(ctx, s.store, "alert.tampered", a.ID, "a sending alert whose statement is not the one the sender verified"); err != nil {
			return false, err
		}
		return false, s.store.RefuseAlert(ctx, a.ID)
	}
	if err := s.state.MarkCommitted(a.ID); err != nil { // a crash may have come between commit and mark
		return false, err
	}
	type result struct {
		done, stop bool
		err        error
	}
	results := make([]result, s.cfg.Lanes)
	var wg sync.WaitGroup
	for i := range results {
		wg.Go(func() {
			results[i].done, results[i].stop, results[i].err = s.deliverLane(ctx, st, max(1, roundBatches/s.cfg.Lanes))
		})
	}
	wg.Wait()
	done := true
	for _, r := range results {
		switch {
		case r.err != nil:
			return false, r.err
		case r.stop:
			return false, nil // frozen, cancelled or a struggling provider: next poll
		}
		done = done && r.done
	}
	if done {
		return false, s.complete(ctx, a)
	}
	return true, nil
}

// deliverLane sends up to n batches. done: the ledger had nothing left to
// claim; stop: sending must pause until the next poll.
func (s *Service) deliverLane(ctx context.Context, st *trust.Statement, n int) (done, stop bool, err error) {
	for range n {
		if ctx.Err() != nil || s.guard.Frozen(ctx) || !s.host.AnyRouteUp() {
			return false, true, nil
		}
		s.host.RenewLeases(ctx)
		jobs, err := s.store.ClaimDeliveries(ctx, st.AlertID, s.cfg.Batch, s.state.ID, s.cfg.Now())
		if err != nil {
			return false, false, err
		}
		if len(jobs) == 0 {
			return true, false, nil
		}
		out := s.sendBatch(ctx, st, jobs)
		if err := s.store.FinishDeliveries(ctx, out); err != nil {
			return false, false, err
		}
		var sent []store.SentMessage
		for _, d := range out {
			if d.Status == tocsin.DeliverySent && d.ProviderID != "" {
				sent = append(sent, store.SentMessage{Provider: d.Provider, ProviderID: d.ProviderID})
			}
		}
		s.host.RecordSent(ctx, sent)
		replayed := 0
		for _, d := range out {
			if d.Error == errReplayed {
				replayed++
			}
		}
		if replayed > 0 {
			if err := s.events.Event(ctx, s.store, &store.SecurityEvent{Kind: "ledger.replayed", Severity: store.SeverityCritical, Subject: st.AlertID,
				Detail: fmt.Sprintf("%d ledger rows this sender handed over already came back to be sent: someone rewrote the ledger; not sent again", replayed)}); err != nil {
				return false, false, err
			}
		}
		if err := s.forgedRows(ctx, st.AlertID, out); err != nil {
			return false, false, err
		}
		if slices.ContainsFunc(out, func(d tocsin.Delivery) bool { return d.Status == tocsin.DeliveryPending }) {
			return false, true, nil // the provider is struggling: try again next poll
		}
	}
	return false, false, nil
}

// ForgedEvery bounds how often ledger.forged is raised for one alert.
const ForgedEvery = time.Minute

// forgedRows raises one ledger.forged event for a batch's rows the sender
// did not write (or whose number was swapped), however many they are, and
// at most one a minute for an alert (the rows held back are counted into
// the next).
func (s *Service) forgedRows(ctx context.Context, alertID string, out []tocsin.Delivery) error {
	var subs []string
	for _, d := range out {
		if d.Error == errForged {
			subs = append(subs, fmt.Sprint(d.SubscriberID))
		}
	}
	if len(subs) == 0 {
		return nil
	}
	n, now := s.forged.Allow(alertID, len(subs), s.cfg.Now(), ForgedEvery)
	if !now {
		return nil
	}
	what := fmt.Sprintf("ledger row for subscriber %s", subs[0])
	if n > 1 {
		what = fmt.Sprintf("%d ledger rows (subscribers %s…)", n, strings.Join(subs[:min(len(subs), 10)], ", "))
	}
	return s.events.Security(ctx, s.store, "ledger.forged", alertID, what+" not written by the sender, or a number swapped: not sent; the rest of the alert goes on")
}

// sendBatch hands a batch to the provider with a few messages in flight and
// returns every row's outcome. Rows are claimed nearest first, so the people
// nearest the danger are texted first.
func (s *Service) sendBatch(ctx context.Context, st *trust.Statement, jobs []store.DeliveryJob) []tocsin.Delivery {
	out := make([]tocsin.Delivery, len(jobs))
	sem := make(chan struct{}, s.cfg.Workers)
	var wg sync.WaitGroup
	for i, j := range jobs {
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			out[i] = s.SendOne(ctx, st, j)
		}()
	}
	wg.Wait()
	return out
}

// errForged marks a ledger row that the sender did not write, or whose
// subscriber's number was swapped.
const errForged = "forged ledger row"

// errReplayed marks a row this sender handed over already that came back
// as pending.
const errReplayed = "handed over already: the ledger was rewritten"

func (s *Service) SendOne(ctx context.Context, st *trust.Statement, j store.DeliveryJob) tocsin.Delivery {
	d := j.Delivery
	switch {
	case !hmac.Equal(j.MAC, s.ledgerMAC(st.AlertID, j.SubscriberID, j.Seq)):
		d.Status, d.Error = tocsin.DeliveryFailed, errForged
		return d
	case !j.Active:
		d.Status = tocsin.DeliverySkipped // opted out after the ledger was written
		return d
	case !s.cfg.Now().Before(st.ValidUntil):
		d.Status, d.Error = tocsin.DeliveryFailed, "expired before it could be sent"
		return d
	}
	if s.handed.seen(st.AlertID, j.Seq) {
		// Handed over once already by this sender, and back as pending:
		// someone rewrote the ledger. Not sent again.
		d.Status, d.Error = tocsin.DeliveryFailed, errReplayed
		return d
	}
	to, err := s.cfg.Keys.OpenKnown(j.Sealed, j.PhoneHash)
	if err != nil {
		d.Status, d.Error = tocsin.DeliveryFailed, errForged // does not open, or a number swapped in
		return d
	}
	provider, res, err := s.host.HandOver(ctx, sms.Message{
		To:             to,
		Body:           textFor(st, j.Lang),
		IdempotencyKey: fmt.Sprintf("alert-%s-%d", st.AlertID, j.SubscriberID),
		ValidUntil:     st.ValidUntil,
	})
	switch {
	case err == nil:
		d.Status, d.ProviderID, d.Provider = tocsin.DeliverySent, res.ProviderID, provider
		s.handed.mark(st.AlertID, j.Seq)
	case errors.Is(err, config.ErrNoRoute):
		d.Status, d.Error = tocsin.DeliveryPending, err.Error() // waits; no provider to blame
	case errors.Is(err, sms.ErrPermanent) || j.Attempts >= maxAttempts:
		d.Status, d.Error = tocsin.DeliveryFailed, err.Error()
	default:
		d.Status, d.Error = tocsin.DeliveryPending, err.Error() // claimed again next round
	}
	return d
}

// textFor is the statement's text in lang, or in the other language.
func textFor(st *trust.Statement, lang tocsin.Language) string {
	return st.Texts[st.TextLang(lang)]
}

// complete marks the alert sent once nothing is left in its ledger.
func (s *Service) complete(ctx context.Context, a *tocsin.Alert) error {
	finished, err := s.store.CompleteAlert(ctx, a.ID)
	if err != nil || !finished {
		return err
	}
	if st, err := trust.DecodeStatement(a.Statement); err == nil {
		if err := s.state.MarkCompleted(a.ID, st.Digest(), s.cfg.Now()); err != nil {
			return err
		}
	}
	s.cfg.Log.Info("alert sent", "alert", a.ID)
	return s.events.Audit(ctx, s.store, "alert.sent", a.ID, "")
}
