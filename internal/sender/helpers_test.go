package sender

import (
	"context"

	"github.com/tocsin/tocsin/internal/sender/response"

	"github.com/tocsin/tocsin"
	"github.com/tocsin/tocsin/internal/sender/fanout"
	"github.com/tocsin/tocsin/internal/sms"
	"github.com/tocsin/tocsin/internal/store"
	"github.com/tocsin/tocsin/internal/trust"
)

// The tests call the sender's services through these, as they did when
// the services were methods of Sender.

func (s *Sender) securityEvent(ctx context.Context, q store.Querier, e *store.SecurityEvent) error {
	return s.events.Event(ctx, q, e)
}

func (s *Sender) frozen(ctx context.Context) bool { return s.guard.Frozen(ctx) }

func (s *Sender) signCheckpoint(ctx context.Context) error { return s.svc.log.SignCheckpoint(ctx) }

func (s *Sender) commitAudit(ctx context.Context) error { return s.svc.log.CommitAudit(ctx) }

func (s *Sender) draftCorrection(ctx context.Context, q store.Querier, fake string) error {
	return s.svc.response.DraftCorrection(ctx, q, fake)
}

const (
	correctionBy          = response.CorrectionBy
	maxCorrectionSegments = response.MaxCorrectionSegments
)

func (s *Sender) sealInbound(h store.HookRequest, t *sms.InboundText) (tocsin.Inbound, error) {
	return s.svc.inbound.SealInbound(h, t)
}

func (s *Sender) startAlert(ctx context.Context, a tocsin.Alert) error {
	return s.svc.fanout.StartAlert(ctx, a)
}

func (s *Sender) resolve(ctx context.Context, q store.Querier, area tocsin.Area) ([]tocsin.Recipient, error) {
	return s.svc.fanout.Resolve(ctx, q, area)
}

func (s *Sender) sendOne(ctx context.Context, st *trust.Statement, j store.DeliveryJob) tocsin.Delivery {
	return s.svc.fanout.SendOne(ctx, st, j)
}

const forgedEvery = fanout.ForgedEvery
