package sender

import (
	"bufio"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tocsin/tocsin"
	"github.com/tocsin/tocsin/internal/geo"
	"github.com/tocsin/tocsin/internal/phone"
	"github.com/tocsin/tocsin/internal/sender/vault"
	"github.com/tocsin/tocsin/internal/sms/outbox"
	"github.com/tocsin/tocsin/internal/store/sqlite"
)

// bundle is what a sender test needs: a real SQLite store, real keys, the
// outbox provider and a clock the test moves.
type bundle struct {
	ctx    context.Context
	sender *Sender
	store  *sqlite.DB
	keys   *vault.Keys
	sealer *phone.Sealer
	zips   *geo.ZIPs
	outbox string
	now    time.Time
}

func setup(t *testing.T) *bundle {
	t.Helper()
	dir := t.TempDir()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(dir, "t.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	keys, err := vault.Generate()
	if err != nil {
		t.Fatal(err)
	}
	zips, err := geo.LoadZIPs()
	if err != nil {
		t.Fatal(err)
	}
	b := &bundle{ctx: ctx, store: st, keys: keys, sealer: phone.NewSealer(keys.Public()), zips: zips,
		outbox: filepath.Join(dir, "outbox.jsonl"), now: time.Date(2026, 11, 25, 14, 0, 0, 0, time.UTC)}
	ob, err := outbox.Open(b.outbox, func() time.Time { return b.now })
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ob.Close() })
	b.sender, err = New(Config{Store: st, Keys: keys, Provider: ob, ZIPs: zips, Now: func() time.Time { return b.now }})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// text delivers an inbound text from number, runs the sender once and
// returns the replies that number got.
func (b *bundle) text(t *testing.T, number, body string) []string {
	t.Helper()
	before := len(b.sent(t, number))
	n, err := phone.Parse(number, "US")
	if err != nil {
		t.Fatal(err)
	}
	sealed, err := b.sealer.Seal(n)
	if err != nil {
		t.Fatal(err)
	}
	if err := b.store.AddInbound(b.ctx, &tocsin.Inbound{Provider: "dev", FromSealed: sealed, Body: body, ReceivedAt: b.now}); err != nil {
		t.Fatal(err)
	}
	b.sender.Tick(b.ctx)
	return b.sent(t, number)[before:]
}

// lines returns every line of the outbox, in order.
func (b *bundle) lines(t *testing.T) []outbox.Line {
	t.Helper()
	f, err := os.Open(b.outbox)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []outbox.Line
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var l outbox.Line
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			t.Fatal(err)
		}
		out = append(out, l)
	}
	return out
}

// sent returns every body the outbox holds for number.
func (b *bundle) sent(t *testing.T, number string) []string {
	t.Helper()
	var out []string
	for _, l := range b.lines(t) {
		if l.To == number {
			out = append(out, l.Body)
		}
	}
	return out
}

// subscriber returns the subscriber of number, or nil.
func (b *bundle) subscriber(t *testing.T, number string) *tocsin.Subscriber {
	t.Helper()
	n, _ := phone.Parse(number, "US")
	s, err := b.store.GetSubscriberByHash(b.ctx, b.keys.Hash(n))
	if tocsin.ErrorCode(err) == tocsin.ENOTFOUND {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// alert creates an approved alert for area and returns it.
func (b *bundle) alert(t *testing.T, area tocsin.Area, en, es string) *tocsin.Alert {
	t.Helper()
	a := &tocsin.Alert{ID: tocsin.NewID(), Ref: tocsin.NewAlertRef(), State: tocsin.AlertDraft, BodyEN: en, BodyES: es, Area: area,
		CreatedBy: "ana", CreatedAt: b.now, ValidUntil: b.now.Add(time.Hour)}
	if err := b.store.CreateAlert(b.ctx, a); err != nil {
		t.Fatal(err)
	}
	if err := b.store.ApproveAlert(b.ctx, a.ID, "ana", b.now); err != nil {
		t.Fatal(err)
	}
	return a
}

func contains(t *testing.T, got []string, want string) {
	t.Helper()
	for _, g := range got {
		if strings.Contains(g, want) {
			return
		}
	}
	t.Errorf("no message contains %q; got %q", want, got)
}
