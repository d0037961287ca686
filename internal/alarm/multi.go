package alarm

import (
	"context"
	"errors"
	"sync"
)

// Multi sends each alarm to every notifier in it, at once, and waits for
// all: a channel that fails or hangs never keeps the alarm from the
// others. Nil entries are skipped.
type Multi []Notifier

var _ Notifier = Multi(nil)

// Notify returns nil if every notifier succeeded, else the failures joined
// in the notifiers' order. The errors of Webhook and SMTP name their
// channel ("alarm: webhook https://ntfy.example.org: …").
func (m Multi) Notify(ctx context.Context, a Alarm) error {
	errs := make([]error, len(m))
	var wg sync.WaitGroup
	for i, n := range m {
		if n != nil {
			wg.Go(func() { errs[i] = n.Notify(ctx, a) })
		}
	}
	wg.Wait()
	return errors.Join(errs...)
}
