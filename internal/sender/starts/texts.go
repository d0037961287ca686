package starts

import (
	"context"

	"github.com/tocsin/tocsin"
	"github.com/tocsin/tocsin/internal/trust"
)

// AlertsQuerier is what SignedTexts reads: the alerts and their start
// records.
type AlertsQuerier interface {
	Querier
	ListAlerts(ctx context.Context, states []tocsin.AlertState, limit int) ([]tocsin.Alert, error)
}

// SignedTexts is every text of the alerts a sender has started, with the
// alert's id: a provider's message with one of these bodies was sent by us.
func (s *Book) SignedTexts(ctx context.Context, q AlertsQuerier) (map[string]string, error) {
	as, err := q.ListAlerts(ctx, []tocsin.AlertState{tocsin.AlertSending, tocsin.AlertSent}, 200)
	if err != nil {
		return nil, err
	}
	texts := map[string]string{}
	for _, a := range as {
		st, err := trust.DecodeStatement(a.Statement)
		if err != nil {
			continue
		}
		ok, err := s.StartedWith(ctx, q, a.ID, st.Digest())
		if err != nil {
			return nil, err
		}
		if ok { // verified and started by a sender
			for _, t := range st.Texts {
				texts[t] = a.ID
			}
		}
	}
	return texts, nil
}
