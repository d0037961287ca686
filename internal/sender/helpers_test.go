package sender

import (
	"context"

	"github.com/tocsin/tocsin/internal/sender/response"

	"github.com/tocsin/tocsin"
	"github.com/tocsin/tocsin/internal/sms"
	"github.com/tocsin/tocsin/internal/store"
)

// The tests call the sender's services through these, as they did when
// the services were methods of Sender.

func (s *Sender) securityEvent(ctx context.Context, q store.Querier, e *store.SecurityEvent) error {
	return s.events.Event(ctx, q, e)
}

func (s *Sender) frozen(ctx context.Context) bool { return s.guard.Frozen(ctx) }

func (s *Sender) signCheckpoint(ctx context.Context) error { return s.log.SignCheckpoint(ctx) }

func (s *Sender) commitAudit(ctx context.Context) error { return s.log.CommitAudit(ctx) }

func (s *Sender) draftCorrection(ctx context.Context, q store.Querier, fake string) error {
	return s.response.DraftCorrection(ctx, q, fake)
}

const (
	correctionBy          = response.CorrectionBy
	maxCorrectionSegments = response.MaxCorrectionSegments
)

func (s *Sender) sealInbound(h store.HookRequest, t *sms.InboundText) (tocsin.Inbound, error) {
	return s.inbound.SealInbound(h, t)
}
