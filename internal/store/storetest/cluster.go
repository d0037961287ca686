package storetest

import (
	"bytes"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/tocsin/tocsin"
	"github.com/tocsin/tocsin/internal/store"
)

func testLeases(t *testing.T, open func(t *testing.T) store.Store) {
	b := setup(t, open)
	const ttl = 10 * time.Second
	steps := []struct {
		name   string
		holder string
		at     time.Time
		want   bool
	}{
		{"free lease taken", "a", now, true},
		{"held by another", "b", now.Add(5 * time.Second), false},
		{"renewed by its holder", "a", now.Add(8 * time.Second), true},
		{"still held after the first expiry", "b", now.Add(12 * time.Second), false},
		{"taken once expired", "b", now.Add(18 * time.Second), true},
		{"lost by the old holder", "a", now.Add(19 * time.Second), false},
	}
	for _, st := range steps {
		got, err := b.s.TryLease(b.ctx, "coordinator", st.holder, st.at, ttl)
		if err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		if got != st.want {
			t.Errorf("%s: TryLease = %v, want %v", st.name, got, st.want)
		}
	}
	if _, err := b.s.TryLease(b.ctx, "", "a", now, ttl); err == nil {
		t.Error("a lease without a name was taken")
	}
	// Dropped by someone else: nothing; by the holder: free at once.
	if err := b.s.DropLease(b.ctx, "coordinator", "a"); err != nil {
		t.Fatal(err)
	}
	if ok, _ := b.s.TryLease(b.ctx, "coordinator", "c", now.Add(19*time.Second), ttl); ok {
		t.Error("a lease dropped by a process that did not hold it was freed")
	}
	if err := b.s.DropLease(b.ctx, "coordinator", "b"); err != nil {
		t.Fatal(err)
	}
	if ok, _ := b.s.TryLease(b.ctx, "coordinator", "c", now.Add(19*time.Second), ttl); !ok {
		t.Error("a lease its holder dropped could not be taken")
	}

	// Members: only live leases under the prefix count.
	for i, at := range []time.Time{now, now.Add(20 * time.Second), now.Add(25 * time.Second)} {
		if _, err := b.s.TryLease(b.ctx, fmt.Sprintf("member/%d", i), fmt.Sprint(i), at, ttl); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := b.s.TryLease(b.ctx, "memberx", "x", now.Add(25*time.Second), ttl); err != nil {
		t.Fatal(err)
	}
	n, err := b.s.CountLeases(b.ctx, "member/", now.Add(26*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	if n != 2 {
		t.Errorf("CountLeases = %d, want the 2 live members", n)
	}
}

// testLeaseRace: processes racing for one free lease; exactly one wins.
func testLeaseRace(t *testing.T, open func(t *testing.T) store.Store) {
	b := setup(t, open)
	var mu sync.Mutex
	winners := 0
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			ok, err := b.s.TryLease(b.ctx, "primary", fmt.Sprintf("sender-%d", i), now, time.Minute)
			if err != nil {
				t.Error(err)
				return
			}
			if ok {
				mu.Lock()
				winners++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if winners != 1 {
		t.Errorf("%d processes hold the lease at once, want 1", winners)
	}
}

func testAlertStarts(t *testing.T, open func(t *testing.T) store.Store) {
	b := setup(t, open)
	starts := []store.AlertStart{
		{AlertID: "a1", Digest: bytes.Repeat([]byte{1}, 32), StartedAt: now, MAC: []byte("mac1")},
		{AlertID: "a2", Digest: bytes.Repeat([]byte{2}, 32), StartedAt: now.Add(time.Hour), MAC: []byte("mac2")},
	}
	for i := range starts {
		if err := b.s.RecordStart(b.ctx, &starts[i]); err != nil {
			t.Fatal(err)
		}
	}
	again := starts[0]
	again.MAC = []byte("other")
	wantCode(t, b.s.RecordStart(b.ctx, &again), tocsin.ECONFLICT)
	wantCode(t, b.s.RecordStart(b.ctx, &store.AlertStart{AlertID: "a3"}), tocsin.EINVALID)

	got, err := b.s.GetStart(b.ctx, "a1")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got.Digest, starts[0].Digest) || !bytes.Equal(got.MAC, []byte("mac1")) || !got.StartedAt.Equal(now) {
		t.Errorf("GetStart = %+v, want %+v", got, starts[0])
	}
	_, err = b.s.GetStart(b.ctx, "nope")
	wantCode(t, err, tocsin.ENOTFOUND)

	since, err := b.s.StartsSince(b.ctx, now.Add(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	if len(since) != 1 || since[0].AlertID != "a2" {
		t.Errorf("StartsSince = %+v, want a2 only", since)
	}
}
