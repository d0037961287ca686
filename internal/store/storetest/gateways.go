package storetest

import (
	"testing"
	"time"

	"github.com/tocsin/tocsin"
	"github.com/tocsin/tocsin/internal/store"
)

func testGateways(t *testing.T, open func(t *testing.T) store.Store) {
	t.Run("HookRequests", func(t *testing.T) {
		b := setup(t, open)
		for i, p := range []string{"twilio", "kannel", "twilio"} {
			must(t, b.s.AddHookRequest(b.ctx, &store.HookRequest{Provider: p, Sealed: []byte("sealed " + itoa(int64(i))), ReceivedAt: now}))
		}
		hs, err := b.s.ListHookRequests(b.ctx, 2)
		must(t, err)
		if len(hs) != 2 || hs[0].Provider != "twilio" || string(hs[1].Sealed) != "sealed 1" || !hs[0].ReceivedAt.Equal(now) {
			t.Fatalf("hook requests = %+v", hs)
		}
		must(t, b.s.DeleteHookRequest(b.ctx, hs[0].ID))
		hs, _ = b.s.ListHookRequests(b.ctx, 10)
		if len(hs) != 2 || hs[0].Provider != "kannel" {
			t.Errorf("after delete: %+v", hs)
		}
	})
	t.Run("HooksSeen", func(t *testing.T) {
		b := setup(t, open)
		seen := func(hash string, at time.Time) bool {
			t.Helper()
			fresh, err := b.s.MarkHookSeen(b.ctx, []byte(hash), at)
			must(t, err)
			return fresh
		}
		if !seen("a", now) || !seen("b", now.Add(time.Hour)) {
			t.Fatal("a first hash is not fresh")
		}
		if seen("a", now.Add(time.Minute)) {
			t.Error("a hash recorded twice is fresh the second time")
		}
		must(t, b.s.PurgeHooksSeen(b.ctx, now.Add(time.Minute)))
		if !seen("a", now.Add(2*time.Hour)) {
			t.Error("a purged hash is still recorded")
		}
		if seen("b", now.Add(2*time.Hour)) {
			t.Error("a hash newer than the purge was forgotten")
		}
	})
	t.Run("Receipts", func(t *testing.T) {
		b := setupLedger(t, open)
		b.sending(t)
		jobs := b.claim(t, 5)
		var ds []tocsin.Delivery
		for i, j := range jobs {
			d := j.Delivery
			d.Status, d.ProviderID = tocsin.DeliverySent, "P"+itoa(int64(i))
			ds = append(ds, d)
		}
		must(t, b.s.FinishDeliveries(b.ctx, ds))
		steps := []struct {
			id, status string
			found      bool
		}{
			{"P0", "accepted", true}, {"P0", "delivered", true}, {"P0", "accepted", false}, // a late intermediate receipt does not undo a final one
			{"P1", "undelivered", true}, {"P2", "delivered", true}, {"nope", "delivered", false},
		}
		for _, s := range steps {
			found, err := b.s.RecordReceipt(b.ctx, s.id, s.status, now)
			must(t, err)
			if found != s.found {
				t.Errorf("receipt %s %s: found %v, want %v", s.id, s.status, found, s.found)
			}
		}
		c, err := b.s.DeliveryCounts(b.ctx, "a1")
		must(t, err)
		if c != (store.DeliveryCounts{Accepted: 5, Delivered: 2, Undelivered: 1}) {
			t.Errorf("counts = %+v", c)
		}
	})
	t.Run("SentMessages", func(t *testing.T) {
		b := setup(t, open)
		must(t, b.s.RecordSent(b.ctx, []store.SentMessage{{Provider: "twilio", ProviderID: "SM1"}}, now.Add(-2*time.Hour)))
		must(t, b.s.RecordSent(b.ctx, []store.SentMessage{{Provider: "twilio", ProviderID: "SM2"}, {Provider: "twilio", ProviderID: "SM2"}, {Provider: "kannel", ProviderID: "SM3"}}, now)) // twice is once
		must(t, b.s.RecordSent(b.ctx, nil, now))
		known, err := b.s.KnownSent(b.ctx, "twilio", []string{"SM1", "SM2", "SM3", "SM4"})
		must(t, err)
		if !known["SM1"] || !known["SM2"] || known["SM3"] || known["SM4"] {
			t.Errorf("known = %v", known)
		}
		must(t, b.s.PurgeSent(b.ctx, now.Add(-time.Hour)))
		known, _ = b.s.KnownSent(b.ctx, "twilio", []string{"SM1", "SM2"})
		if known["SM1"] || !known["SM2"] {
			t.Errorf("after purge: %v", known)
		}
	})
}

// A receipt that arrives before the ledger row is finished is not lost.
func testEarlyReceipt(t *testing.T, open func(t *testing.T) store.Store) {
	b := setupLedger(t, open)
	b.sending(t)
	jobs := b.claim(t, 1)
	found, err := b.s.RecordReceipt(b.ctx, "EARLY", "delivered", now)
	must(t, err)
	if found {
		t.Error("a receipt matched a row not yet finished")
	}
	d := jobs[0].Delivery
	d.Status, d.ProviderID = tocsin.DeliverySent, "EARLY"
	must(t, b.s.FinishDeliveries(b.ctx, []tocsin.Delivery{d}))
	c, err := b.s.DeliveryCounts(b.ctx, "a1")
	must(t, err)
	if c.Delivered != 1 {
		t.Errorf("counts = %+v: the early receipt was lost", c)
	}
}

func testActiveAreas(t *testing.T, open func(t *testing.T) store.Store) {
	b := setup(t, open)
	a := b.save(t, newSubscriber("a", tocsin.SubscriberArea{ZIP: "90012", Cell: 7, RadiusM: 2000}, tocsin.SubscriberArea{Cell: 9, RadiusM: 500}))
	off := newSubscriber("b", tocsin.SubscriberArea{ZIP: "90013", Cell: 8, RadiusM: 2000})
	off.Active = false
	b.save(t, off)
	areas, maxID, err := b.s.ActiveAreas(b.ctx)
	must(t, err)
	if len(areas) != 2 || areas[0].SubscriberID != a.ID || maxID != off.ID {
		t.Errorf("active areas %+v, max id %d", areas, maxID)
	}
	c := b.save(t, newSubscriber("c"))
	a.UpdatedAt = now.Add(time.Hour)
	b.save(t, a)
	ids, err := b.s.SubscribersChangedSince(b.ctx, maxID, now.Add(time.Minute))
	must(t, err)
	if len(ids) != 2 || !(ids[0] == a.ID && ids[1] == c.ID || ids[0] == c.ID && ids[1] == a.ID) {
		t.Errorf("changed = %v, want %d (updated) and %d (new)", ids, a.ID, c.ID)
	}
}
