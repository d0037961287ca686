package alarm

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
)

// notifierFunc adapts a function to Notifier.
type notifierFunc func(context.Context, Alarm) error

func (f notifierFunc) Notify(ctx context.Context, a Alarm) error { return f(ctx, a) }

func TestMultiTriesEveryNotifier(t *testing.T) {
	broken := startHook(t, http.StatusBadGateway, "upstream down")
	good := startHook(t, http.StatusOK, "")
	ms := startMailServer(t, serverOpts{}) // offers no STARTTLS: the default mode refuses it
	m := Multi{
		newWebhook(t, WebhookConfig{URL: broken.URL}),
		nil,
		newSMTP(t, ms, SMTPConfig{}),
		newWebhook(t, WebhookConfig{URL: good.URL, Format: FormatJSON}),
	}
	err := m.Notify(context.Background(), testAlarm())
	if len(good.requests()) != 1 {
		t.Errorf("the working webhook got %d requests, want 1", len(good.requests()))
	}
	if err == nil {
		t.Fatal("no error, want two")
	}
	msg := err.Error()
	for _, want := range []string{"webhook " + broken.URL + ": answered 502", "smtp " + ms.addr + ": ", "STARTTLS"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error %q does not say %q", msg, want)
		}
	}
	if strings.Contains(msg, good.URL) {
		t.Errorf("error %q names the webhook that worked", msg)
	}
	if !errors.Is(err, ErrNoStartTLS) {
		t.Errorf("errors.Is(err, ErrNoStartTLS) = false for %v", err)
	}
	if n := len(strings.Split(msg, "\n")); n != 2 {
		t.Errorf("%d lines in %q, want one per failure", n, msg)
	}
}

// A channel that hangs does not hold back the others: the hanging one
// waits until the other has delivered.
func TestMultiConcurrent(t *testing.T) {
	delivered := make(chan struct{})
	hang := notifierFunc(func(ctx context.Context, a Alarm) error {
		<-delivered
		return errors.New("hung up")
	})
	deliver := notifierFunc(func(ctx context.Context, a Alarm) error {
		close(delivered)
		return nil
	})
	if err := (Multi{hang, deliver}).Notify(context.Background(), testAlarm()); err == nil || err.Error() != "hung up" {
		t.Errorf("err = %v, want hung up", err)
	}
	if err := (Multi{}).Notify(context.Background(), testAlarm()); err != nil {
		t.Errorf("an empty Multi: %v", err)
	}
}
