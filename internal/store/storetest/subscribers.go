package storetest

import (
	"bytes"
	"cmp"
	"slices"
	"testing"
	"time"

	"github.com/tocsin/tocsin"
	"github.com/tocsin/tocsin/internal/store"
)

// newSubscriber returns an active subscriber not yet saved.

func newSubscriber(name string, areas ...tocsin.SubscriberArea) *tocsin.Subscriber {
	return &tocsin.Subscriber{
		PhoneHash: hash(name),
		Sealed:    []byte("sealed:" + name),
		Lang:      tocsin.English,
		Active:    true,
		Areas:     areas,
		CreatedAt: now.Add(-time.Hour),
		UpdatedAt: now.Add(-time.Hour),
	}
}

// save saves s and fails the test on error.
func (b *testBundle) save(t *testing.T, s *tocsin.Subscriber) *tocsin.Subscriber {
	t.Helper()
	must(t, b.s.SaveSubscriber(b.ctx, s))
	return s
}

func wantSubscriber(t *testing.T, got, want *tocsin.Subscriber) {
	t.Helper()
	if got.ID != want.ID || !bytes.Equal(got.PhoneHash, want.PhoneHash) || !bytes.Equal(got.Sealed, want.Sealed) ||
		got.Lang != want.Lang || got.Active != want.Active {
		t.Errorf("subscriber =\n%+v\nwant\n%+v", got, want)
	}
	if !slices.Equal(got.Areas, want.Areas) {
		t.Errorf("areas = %+v, want %+v", got.Areas, want.Areas)
	}
	wantTime(t, "CreatedAt", got.CreatedAt, want.CreatedAt)
	wantTime(t, "UpdatedAt", got.UpdatedAt, want.UpdatedAt)
}

func testSubscribers(t *testing.T, open func(t *testing.T) store.Store) {
	areas := []tocsin.SubscriberArea{
		{ZIP: "90013", Cell: 0x80c2c6349a2b7c4d, RadiusM: 1500},
		{Cell: 0x80c2bf0000000001, RadiusM: 250.5},
	}

	t.Run("InsertGet", func(t *testing.T) {
		b := setup(t, open)
		s := b.save(t, newSubscriber("a", areas...))
		if s.ID == 0 {
			t.Fatal("SaveSubscriber left ID 0")
		}
		other := b.save(t, newSubscriber("b"))
		if other.ID == s.ID {
			t.Fatalf("two subscribers got ID %d", s.ID)
		}
		got, err := b.s.GetSubscriber(b.ctx, s.ID)
		must(t, err)
		wantSubscriber(t, got, s)

		got, err = b.s.GetSubscriberByHash(b.ctx, hash("a"))
		must(t, err)
		wantSubscriber(t, got, s)

		got, err = b.s.GetSubscriber(b.ctx, other.ID)
		must(t, err)
		if len(got.Areas) != 0 {
			t.Errorf("subscriber without areas has %+v", got.Areas)
		}
	})

	t.Run("NotFound", func(t *testing.T) {
		b := setup(t, open)
		b.save(t, newSubscriber("a"))
		_, err := b.s.GetSubscriber(b.ctx, 987654)
		wantCode(t, err, tocsin.ENOTFOUND)
		_, err = b.s.GetSubscriberByHash(b.ctx, hash("nobody"))
		wantCode(t, err, tocsin.ENOTFOUND)
	})

	t.Run("UpdateReplacesAreas", func(t *testing.T) {
		b := setup(t, open)
		s := b.save(t, newSubscriber("a", areas...))
		s.Sealed = []byte("resealed")
		s.Lang = tocsin.Spanish
		s.Active = false
		s.UpdatedAt = now
		s.Areas = []tocsin.SubscriberArea{{ZIP: "90210", Cell: 0x80c2bc0000000001, RadiusM: 3000}}
		b.save(t, s)

		got, err := b.s.GetSubscriber(b.ctx, s.ID)
		must(t, err)
		wantSubscriber(t, got, s)

		s.Areas = nil
		b.save(t, s)
		got, err = b.s.GetSubscriber(b.ctx, s.ID)
		must(t, err)
		if len(got.Areas) != 0 {
			t.Errorf("areas after saving none = %+v", got.Areas)
		}
	})

	t.Run("UpdateNotFound", func(t *testing.T) {
		b := setup(t, open)
		s := newSubscriber("a")
		s.ID = 987654
		wantCode(t, b.s.SaveSubscriber(b.ctx, s), tocsin.ENOTFOUND)
	})

	t.Run("UniqueHash", func(t *testing.T) {
		b := setup(t, open)
		b.save(t, newSubscriber("a"))
		dup := newSubscriber("a")
		dup.Sealed = []byte("another seal")
		if err := b.s.SaveSubscriber(b.ctx, dup); err == nil {
			t.Fatal("second subscriber with the same phone hash: no error")
		}
		n, err := b.s.CountSubscribers(b.ctx)
		must(t, err)
		if n != 1 {
			t.Errorf("CountSubscribers = %d, want 1", n)
		}
	})

	t.Run("CountActive", func(t *testing.T) {
		b := setup(t, open)
		for _, name := range []string{"a", "b", "c"} {
			b.save(t, newSubscriber(name))
		}
		off := newSubscriber("d")
		off.Active = false
		b.save(t, off)
		n, err := b.s.CountSubscribers(b.ctx)
		must(t, err)
		if n != 3 {
			t.Errorf("CountSubscribers = %d, want 3 (the active ones)", n)
		}
	})
}

// Cells either side of the sign bit: a store that keeps ids as int64 must
// still order and match them as unsigned numbers.
const (
	top      = uint64(1) << 63
	cellLow  = uint64(0x0000_0000_0000_1001)
	cellLow2 = uint64(0x0000_0000_0000_2001)
	cellB    = top - 15 // just below the sign bit
	cellC    = top + 5  // just above it
	cellD    = uint64(0xF000_0000_0000_0001)
	cellMax  = ^uint64(0)
)

func testAreaCandidates(t *testing.T, open func(t *testing.T) store.Store) {
	b := setup(t, open)
	area := func(zip string, cell uint64, r float64) tocsin.SubscriberArea {
		return tocsin.SubscriberArea{ZIP: zip, Cell: cell, RadiusM: r}
	}
	a := b.save(t, newSubscriber("a", area("90001", cellLow, 1000), area("90003", cellLow2, 2000)))
	sb := b.save(t, newSubscriber("b", area("", cellB, 500)))
	sc := b.save(t, newSubscriber("c", area("", cellC, 600)))
	d := b.save(t, newSubscriber("d", area("90002", cellD, 700), area("", cellMax, 800)))
	off := newSubscriber("off", area("90001", cellLow, 1000), area("", cellC, 100))
	off.Active = false
	b.save(t, off)

	cand := func(s *tocsin.Subscriber, i int) store.AreaCandidate {
		ar := s.Areas[i]
		return store.AreaCandidate{SubscriberID: s.ID, ZIP: ar.ZIP, Cell: ar.Cell, RadiusM: ar.RadiusM}
	}
	tests := []struct {
		name   string
		ranges []store.CellRange
		zips   []string
		want   []store.AreaCandidate
	}{
		{"Nothing", nil, nil, nil},
		{"LowRange", []store.CellRange{cr(0, 0x1500)}, nil, []store.AreaCandidate{cand(a, 0)}},
		{"InclusiveBounds", []store.CellRange{cr(cellLow, cellLow), cr(cellLow2, cellLow2)}, nil, []store.AreaCandidate{cand(a, 0), cand(a, 1)}},
		{"CrossesSignBit", []store.CellRange{cr(top-16, top+16)}, nil, []store.AreaCandidate{cand(sb, 0), cand(sc, 0)}},
		{"CrossesSignBitExact", []store.CellRange{cr(cellB, cellC)}, nil, []store.AreaCandidate{cand(sb, 0), cand(sc, 0)}},
		{"StartsAtSignBit", []store.CellRange{cr(top, top+16)}, nil, []store.AreaCandidate{cand(sc, 0)}},
		{"EndsBelowSignBit", []store.CellRange{cr(top-16, top-1)}, nil, []store.AreaCandidate{cand(sb, 0)}},
		{"HighRange", []store.CellRange{cr(0xE000_0000_0000_0000, cellMax)}, nil, []store.AreaCandidate{cand(d, 0), cand(d, 1)}},
		{"WholeSpace", []store.CellRange{cr(0, cellMax)}, nil, []store.AreaCandidate{cand(a, 0), cand(a, 1), cand(sb, 0), cand(sc, 0), cand(d, 0), cand(d, 1)}},
		{"EmptyRange", []store.CellRange{cr(0x3000, 0x4000)}, nil, nil},
		{"ZIP", nil, []string{"90001"}, []store.AreaCandidate{cand(a, 0)}},
		{"ZIPs", nil, []string{"90003", "90002", "99999"}, []store.AreaCandidate{cand(a, 1), cand(d, 0)}},
		{"RangeAndZIP", []store.CellRange{cr(top-16, top-1)}, []string{"90002"}, []store.AreaCandidate{cand(sb, 0), cand(d, 0)}},
		{"NoDuplicatesRangeAndZIP", []store.CellRange{cr(0, 0x1500)}, []string{"90001"}, []store.AreaCandidate{cand(a, 0)}},
		{"NoDuplicatesOverlappingRanges", []store.CellRange{cr(0, 0x1500), cr(0x1000, 0x2500), cr(cellLow, cellLow)}, nil, []store.AreaCandidate{cand(a, 0), cand(a, 1)}},
		{"NoDuplicatesRepeatedZIP", nil, []string{"90001", "90001"}, []store.AreaCandidate{cand(a, 0)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := b.s.AreaCandidates(b.ctx, store.AreaQuery{Ranges: tt.ranges, ZIPs: tt.zips})
			must(t, err)
			sortCands(got)
			sortCands(tt.want)
			if !slices.Equal(got, tt.want) {
				t.Errorf("AreaCandidates(%x, %v) =\n%+v\nwant\n%+v", tt.ranges, tt.zips, got, tt.want)
			}
		})
	}
}

func cr(lo, hi uint64) store.CellRange { return store.CellRange{Min: lo, Max: hi} }

func sortCands(cs []store.AreaCandidate) {
	slices.SortFunc(cs, func(x, y store.AreaCandidate) int {
		return cmp.Or(cmp.Compare(x.SubscriberID, y.SubscriberID), cmp.Compare(x.Cell, y.Cell), cmp.Compare(x.ZIP, y.ZIP))
	})
}
