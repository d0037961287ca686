package sender

import (
	"context"
	"fmt"

	"github.com/tocsin/tocsin"
	"github.com/tocsin/tocsin/internal/sender/subscriber"
	"github.com/tocsin/tocsin/internal/store"
)

// refuseReply counts a text the sender does not answer because its number
// is outside the SMS policy.
func (s *Sender) refuseReply(ctx context.Context, q store.Querier, m tocsin.Inbound, why error) error {
	s.cfg.Log.Info("no reply to a text from a number outside the SMS policy", "id", m.ID, "why", subscriber.Reason(why))
	return s.events.Audit(ctx, q, "inbound.reply_refused", fmt.Sprint(m.ID),
		fmt.Sprintf("no reply to a number the SMS policy refuses (%s); STOP, LANG and REPORT still apply, JOIN and START do not", subscriber.Reason(why)))
}
