package storetest

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tocsin/tocsin"
	"github.com/tocsin/tocsin/internal/store"
)

func testTakeTokens(t *testing.T, open func(t *testing.T) store.Store) {
	b := setup(t, open)
	global := store.Bucket{Key: "report:global", Rate: 1, Burst: 3} // one a second, three at once
	area := store.Bucket{Key: "report:cell:a", Rate: 0.5, Burst: 2}
	other := store.Bucket{Key: "report:cell:b", Rate: 0.5, Burst: 2}
	take := func(at time.Time, bs ...store.Bucket) int {
		t.Helper()
		empty, err := b.s.TakeTokens(b.ctx, bs, at)
		must(t, err)
		return empty
	}
	if e := take(now, global, area); e != -1 {
		t.Fatalf("first take: empty %v", e)
	}
	if e := take(now, global, area); e != -1 {
		t.Fatalf("second take: empty %v", e)
	}
	// The area is empty: nothing is taken from the global bucket either.
	if e := take(now, global, area); e != 1 {
		t.Fatalf("third take in area a: empty %v, want 1", e)
	}
	if e := take(now, global, other); e != -1 {
		t.Fatalf("area b, with a token left globally: empty %v", e)
	}
	if e := take(now, global, other); e != 0 {
		t.Fatalf("global spent: empty %v, want 0", e)
	}
	// Two seconds later the global bucket has two tokens, area a one.
	later := now.Add(2 * time.Second)
	if e := take(later, global, area); e != -1 {
		t.Fatalf("after refill: empty %v", e)
	}
	if e := take(later, global, area); e != 1 {
		t.Fatalf("area a after one refill: empty %v, want 1", e)
	}
	// A clock that went back refills nothing and takes nothing back.
	if e := take(now, global, other); e != -1 {
		t.Fatalf("global (one left) from an earlier clock: empty %v", e)
	}
	if e := take(now, global); e != 0 {
		t.Fatalf("global spent again: %v", e)
	}
	// A long idle time fills a bucket to its burst, no more.
	idle := now.Add(time.Hour)
	for i := range 3 {
		if e := take(idle, global); e != -1 {
			t.Fatalf("take %d after an hour: %v", i, e)
		}
	}
	if e := take(idle, global); e != 0 {
		t.Fatalf("the burst is the most a bucket holds: %v", e)
	}
	_, err := b.s.TakeTokens(b.ctx, []store.Bucket{{Key: "x", Rate: 1, Burst: 0}}, now)
	wantCode(t, err, tocsin.EINVALID)

	// PurgeLimits forgets idle buckets: full again, as if new.
	must(t, b.s.PurgeLimits(b.ctx, idle.Add(time.Second), now))
	if e := take(idle, global, global, global); e != -1 {
		t.Fatalf("a purged bucket is full: %v", e)
	}
}

// testTakeTokensRace takes from one bucket at once from many goroutines:
// never more than it holds.
func testTakeTokensRace(t *testing.T, open func(t *testing.T) store.Store) {
	b := setup(t, open)
	bucket := []store.Bucket{{Key: "signup:global", Rate: 0, Burst: 10}}
	var wg sync.WaitGroup
	var ok atomic.Int64
	for range 8 {
		wg.Go(func() {
			for range 5 {
				empty, err := b.s.TakeTokens(b.ctx, bucket, now)
				if err != nil {
					t.Error(err)
					return
				}
				if empty == -1 {
					ok.Add(1)
				}
			}
		})
	}
	wg.Wait()
	if ok.Load() != 10 {
		t.Errorf("%d takes succeeded from a bucket of 10", ok.Load())
	}
}

func testRefusals(t *testing.T, open func(t *testing.T) store.Store) {
	b := setup(t, open)
	must(t, b.s.CountRefusals(b.ctx, "signup:prefix", 1, now))
	must(t, b.s.CountRefusals(b.ctx, "signup:prefix", 2, now.Add(time.Minute)))
	must(t, b.s.CountRefusals(b.ctx, "report:cell", 1, now))
	must(t, b.s.CountRefusals(b.ctx, "report:cell", 1, now.Add(time.Hour)))
	wantCode(t, b.s.CountRefusals(b.ctx, "", 1, now), tocsin.EINVALID)
	wantCode(t, b.s.CountRefusals(b.ctx, "x", 0, now), tocsin.EINVALID)
	got, err := b.s.Refusals(b.ctx, now)
	must(t, err)
	h := now.Truncate(time.Hour)
	want := []store.RefusalCount{{Kind: "report:cell", Hour: h, N: 1}, {Kind: "signup:prefix", Hour: h, N: 3}, {Kind: "report:cell", Hour: h.Add(time.Hour), N: 1}}
	if len(got) != len(want) {
		t.Fatalf("Refusals = %+v, want %+v", got, want)
	}
	for i := range want {
		if got[i].Kind != want[i].Kind || !got[i].Hour.Equal(want[i].Hour) || got[i].N != want[i].N {
			t.Errorf("Refusals[%d] = %+v, want %+v", i, got[i], want[i])
		}
	}
	must(t, b.s.PurgeLimits(b.ctx, now, h.Add(time.Hour)))
	got, err = b.s.Refusals(b.ctx, now.Add(-24*time.Hour))
	must(t, err)
	if len(got) != 1 || got[0].N != 1 {
		t.Errorf("after purge: %+v", got)
	}
}

func testSpendChallenge(t *testing.T, open func(t *testing.T) store.Store) {
	b := setup(t, open)
	must(t, b.s.SpendChallenge(b.ctx, "c1", now.Add(time.Minute), now))
	wantCode(t, b.s.SpendChallenge(b.ctx, "c1", now.Add(time.Minute), now), tocsin.ECONFLICT)
	must(t, b.s.SpendChallenge(b.ctx, "c2", now.Add(time.Minute), now))
	wantCode(t, b.s.SpendChallenge(b.ctx, "", now, now), tocsin.EINVALID)
	// Once expired, the record may go: the challenge's own expiry refuses it.
	must(t, b.s.SpendChallenge(b.ctx, "c3", now.Add(3*time.Minute), now.Add(2*time.Minute)))
	must(t, b.s.SpendChallenge(b.ctx, "c1", now.Add(3*time.Minute), now.Add(2*time.Minute)))
}
