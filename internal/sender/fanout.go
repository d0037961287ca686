package sender

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"

	"github.com/tocsin/tocsin"
	"github.com/tocsin/tocsin/internal/sms"
	"github.com/tocsin/tocsin/internal/store"
)

// maxAttempts bounds how often one message is retried after temporary
// failures.
const maxAttempts = 5

// sendAlerts turns approved alerts into ledgers and works through the
// ledgers of alerts being sent.
func (s *Sender) sendAlerts(ctx context.Context) error {
	approved, err := s.cfg.Store.ListAlerts(ctx, []tocsin.AlertState{tocsin.AlertApproved}, 20)
	if err != nil {
		return err
	}
	for _, a := range approved {
		if err := s.createLedger(ctx, a); err != nil {
			return err
		}
	}
	sending, err := s.cfg.Store.ListAlerts(ctx, []tocsin.AlertState{tocsin.AlertSending}, 20)
	if err != nil {
		return err
	}
	for _, a := range sending {
		more, err := s.deliver(ctx, &a)
		if err != nil {
			return fmt.Errorf("alert %s: %w", a.ID, err)
		}
		if more {
			s.Wake() // come back at once, after a look at inbound texts such as STOP
		}
	}
	return nil
}

// roundBatches bounds the batches sent per alert in one round, so that
// inbound texts (STOP above all) are handled between rounds of a long alert.
const roundBatches = 10

// createLedger resolves the recipients, nearest first, and writes one ledger
// row for each, in one transaction with the alert's move to sending.
func (s *Sender) createLedger(ctx context.Context, a tocsin.Alert) error {
	return s.cfg.Store.InTx(ctx, func(q store.Querier) error {
		rs, err := s.audience.Resolve(ctx, q, a.Area)
		if err != nil {
			return err
		}
		if err := q.CreateLedger(ctx, a.ID, rs); err != nil {
			return err
		}
		s.cfg.Log.Info("alert ledger written", "alert", a.ID, "recipients", len(rs))
		return s.audit(ctx, q, "alert.ledger", a.ID, fmt.Sprintf("%d recipients", len(rs)))
	})
}

// deliver sends up to roundBatches batches of the alert and completes it
// when its ledger is done. It reports whether rows are left to send now.
func (s *Sender) deliver(ctx context.Context, a *tocsin.Alert) (more bool, err error) {
	for range roundBatches {
		if ctx.Err() != nil {
			return false, nil
		}
		jobs, err := s.cfg.Store.ClaimDeliveries(ctx, a.ID, s.cfg.Batch)
		if err != nil {
			return false, err
		}
		if len(jobs) == 0 {
			return false, s.complete(ctx, a)
		}
		done := s.sendBatch(ctx, a, jobs)
		if err := s.cfg.Store.FinishDeliveries(ctx, done); err != nil {
			return false, err
		}
		if slices.ContainsFunc(done, func(d tocsin.Delivery) bool { return d.Status == tocsin.DeliveryPending }) {
			return false, nil // the provider is struggling: try again next poll
		}
	}
	return true, nil
}

// complete marks the alert sent once nothing is left in its ledger.
func (s *Sender) complete(ctx context.Context, a *tocsin.Alert) error {
	finished, err := s.cfg.Store.CompleteAlert(ctx, a.ID)
	if err != nil || !finished {
		return err
	}
	s.cfg.Log.Info("alert sent", "alert", a.ID)
	return s.audit(ctx, s.cfg.Store, "alert.sent", a.ID, "")
}

// sendBatch hands a batch to the provider with a few messages in flight and
// returns every row's outcome. Rows are claimed nearest first, so the people
// nearest the danger are texted first.
func (s *Sender) sendBatch(ctx context.Context, a *tocsin.Alert, jobs []store.DeliveryJob) []tocsin.Delivery {
	out := make([]tocsin.Delivery, len(jobs))
	sem := make(chan struct{}, s.cfg.Workers)
	var wg sync.WaitGroup
	for i, j := range jobs {
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			out[i] = s.sendOne(ctx, a, j)
		}()
	}
	wg.Wait()
	return out
}

func (s *Sender) sendOne(ctx context.Context, a *tocsin.Alert, j store.DeliveryJob) tocsin.Delivery {
	d := j.Delivery
	switch {
	case !j.Active:
		d.Status = tocsin.DeliverySkipped // opted out after the ledger was written
		return d
	case !a.ValidUntil.IsZero() && s.cfg.Now().After(a.ValidUntil):
		d.Status, d.Error = tocsin.DeliveryFailed, "expired before it could be sent"
		return d
	}
	to, err := s.cfg.Keys.Open(j.Sealed)
	if err != nil {
		d.Status, d.Error = tocsin.DeliveryFailed, "number does not open"
		return d
	}
	res, err := s.cfg.Provider.Send(ctx, sms.Message{
		To:             to,
		Body:           a.Text(j.Lang),
		IdempotencyKey: fmt.Sprintf("alert-%s-%d", a.ID, j.SubscriberID),
		ValidUntil:     a.ValidUntil,
	})
	switch {
	case err == nil:
		d.Status, d.ProviderID = tocsin.DeliverySent, res.ProviderID
	case errors.Is(err, sms.ErrPermanent) || j.Attempts >= maxAttempts:
		d.Status, d.Error = tocsin.DeliveryFailed, err.Error()
	default:
		d.Status, d.Error = tocsin.DeliveryPending, err.Error() // claimed again next round
	}
	return d
}
