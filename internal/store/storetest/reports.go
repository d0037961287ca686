package storetest

import (
	"bytes"
	"slices"
	"testing"
	"time"

	"github.com/tocsin/tocsin"
	"github.com/tocsin/tocsin/internal/store"
)

// newReport returns a valid report received ago before now.
func newReport(id string, st tocsin.ReportState, ago time.Duration) *tocsin.Report {
	at := now.Add(-ago)
	return &tocsin.Report{
		ID:          id,
		Category:    tocsin.CategoryCheckpoint,
		Description: "checkpoint on " + id,
		PlaceText:   "5th and Main",
		ZIP:         "90013",
		Cell:        0x80c2c63000000000 | 1<<20, // high bit set: must survive int64 storage
		ObservedAt:  at.Add(-5 * time.Minute),
		ReceivedAt:  at,
		ExpiresAt:   at.Add(tocsin.DefaultTTL),
		State:       st,
		Source:      tocsin.SourceWeb,
	}
}

func reportID(r tocsin.Report) string { return r.ID }

func testReports(t *testing.T, open func(t *testing.T) store.Store) {
	t.Run("CreateGetWithPhoto", func(t *testing.T) {
		b := setup(t, open)
		r := newReport("r1", tocsin.ReportNew, 0)
		r.Source = tocsin.SourceSMS
		r.Photo = []byte{0xff, 0xd8, 0xff, 0x00, 0x01, 0xd9}
		must(t, b.s.CreateReport(b.ctx, r))

		got, err := b.s.GetReport(b.ctx, "r1")
		must(t, err)
		wantReport(t, got, r)
		if !got.HasPhoto || !bytes.Equal(got.Photo, r.Photo) {
			t.Errorf("photo = %v (HasPhoto %v), want %v", got.Photo, got.HasPhoto, r.Photo)
		}
	})

	t.Run("CreateGetWithoutPhoto", func(t *testing.T) {
		b := setup(t, open)
		r := newReport("r1", tocsin.ReportVerified, 0)
		must(t, b.s.CreateReport(b.ctx, r))
		got, err := b.s.GetReport(b.ctx, "r1")
		must(t, err)
		wantReport(t, got, r)
		if got.HasPhoto || len(got.Photo) != 0 {
			t.Errorf("HasPhoto = %v, photo %d bytes; want none", got.HasPhoto, len(got.Photo))
		}
	})

	t.Run("CreateDuplicateID", func(t *testing.T) {
		b := setup(t, open)
		must(t, b.s.CreateReport(b.ctx, newReport("r1", tocsin.ReportNew, 0)))
		if err := b.s.CreateReport(b.ctx, newReport("r1", tocsin.ReportNew, 0)); err == nil {
			t.Fatal("second report with the same id: no error")
		}
	})

	t.Run("GetNotFound", func(t *testing.T) {
		b := setup(t, open)
		_, err := b.s.GetReport(b.ctx, "nope")
		wantCode(t, err, tocsin.ENOTFOUND)
	})

	t.Run("List", func(t *testing.T) { testListReports(t, open) })

	t.Run("SetReportState", func(t *testing.T) {
		b := setup(t, open)
		must(t, b.s.CreateReport(b.ctx, newReport("r1", tocsin.ReportNew, 0)))
		must(t, b.s.SetReportState(b.ctx, "r1", tocsin.ReportDuplicate))
		got, err := b.s.GetReport(b.ctx, "r1")
		must(t, err)
		if got.State != tocsin.ReportDuplicate {
			t.Errorf("state = %q, want duplicate", got.State)
		}
	})

	t.Run("SetReportStateNotFound", func(t *testing.T) {
		b := setup(t, open)
		wantCode(t, b.s.SetReportState(b.ctx, "nope", tocsin.ReportVerified), tocsin.ENOTFOUND)
	})

	t.Run("ExpireReports", func(t *testing.T) { testExpireReports(t, open) })
}

// wantReport compares every field but the photo.
func wantReport(t *testing.T, got, want *tocsin.Report) {
	t.Helper()
	wantTime(t, got.ID+" ObservedAt", got.ObservedAt, want.ObservedAt)
	wantTime(t, got.ID+" ReceivedAt", got.ReceivedAt, want.ReceivedAt)
	wantTime(t, got.ID+" ExpiresAt", got.ExpiresAt, want.ExpiresAt)
	g, w := *got, *want
	if g.ID != w.ID || g.Category != w.Category || g.Description != w.Description ||
		g.PlaceText != w.PlaceText || g.ZIP != w.ZIP || g.Cell != w.Cell ||
		g.State != w.State || g.Source != w.Source {
		t.Errorf("report =\n%+v\nwant\n%+v", g, w)
	}
}

func testListReports(t *testing.T, open func(t *testing.T) store.Store) {
	b := setup(t, open)
	// r1 is the newest; r5 the oldest.
	seed := []*tocsin.Report{
		newReport("r1", tocsin.ReportNew, 1*time.Minute),
		newReport("r2", tocsin.ReportVerified, 10*time.Minute),
		newReport("r3", tocsin.ReportNew, 30*time.Minute),
		newReport("r4", tocsin.ReportFalse, 2*time.Hour),
		newReport("r5", tocsin.ReportNew, 5*time.Hour),
	}
	seed[1].Photo = []byte("jpeg")
	// Insert out of order so that insertion order cannot pass for time order.
	for _, i := range []int{2, 4, 0, 3, 1} {
		must(t, b.s.CreateReport(b.ctx, seed[i]))
	}

	tests := []struct {
		name string
		f    store.ReportFilter
		want []string
	}{
		{"All", store.ReportFilter{}, []string{"r1", "r2", "r3", "r4", "r5"}},
		{"OneState", store.ReportFilter{States: []tocsin.ReportState{tocsin.ReportNew}}, []string{"r1", "r3", "r5"}},
		{"TwoStates", store.ReportFilter{States: []tocsin.ReportState{tocsin.ReportFalse, tocsin.ReportVerified}}, []string{"r2", "r4"}},
		{"NoMatch", store.ReportFilter{States: []tocsin.ReportState{tocsin.ReportExpired}}, nil},
		{"Since", store.ReportFilter{Since: now.Add(-time.Hour)}, []string{"r1", "r2", "r3"}},
		{"SinceIsInclusive", store.ReportFilter{Since: now.Add(-30 * time.Minute)}, []string{"r1", "r2", "r3"}},
		{"SinceAndState", store.ReportFilter{States: []tocsin.ReportState{tocsin.ReportNew}, Since: now.Add(-time.Hour)}, []string{"r1", "r3"}},
		{"Limit", store.ReportFilter{Limit: 2}, []string{"r1", "r2"}},
		{"LimitAndState", store.ReportFilter{States: []tocsin.ReportState{tocsin.ReportNew}, Limit: 2}, []string{"r1", "r3"}},
		{"LimitAboveCount", store.ReportFilter{Limit: 50}, []string{"r1", "r2", "r3", "r4", "r5"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := b.s.ListReports(b.ctx, tt.f)
			must(t, err)
			if g := ids(got, reportID); !slices.Equal(g, tt.want) {
				t.Fatalf("ListReports(%+v) = %v, want %v", tt.f, g, tt.want)
			}
			for _, r := range got {
				if r.HasPhoto != (r.ID == "r2") {
					t.Errorf("%s: HasPhoto = %v", r.ID, r.HasPhoto)
				}
				if r.Photo != nil {
					t.Errorf("%s: ListReports returned the photo; only GetReport may", r.ID)
				}
			}
		})
	}

	t.Run("Fields", func(t *testing.T) {
		got, err := b.s.ListReports(b.ctx, store.ReportFilter{Limit: 1})
		must(t, err)
		if len(got) != 1 {
			t.Fatalf("got %d reports, want 1", len(got))
		}
		wantReport(t, &got[0], seed[0])
	})
}

func testExpireReports(t *testing.T, open func(t *testing.T) store.Store) {
	b := setup(t, open)
	past := func(id string, st tocsin.ReportState) *tocsin.Report {
		r := newReport(id, st, 10*time.Hour) // expired 4 h ago
		r.Photo = []byte("jpeg " + id)
		return r
	}
	seed := []*tocsin.Report{
		past("old-new", tocsin.ReportNew),
		past("old-verified", tocsin.ReportVerified),
		past("old-false", tocsin.ReportFalse),
		past("old-duplicate", tocsin.ReportDuplicate),
		newReport("fresh", tocsin.ReportNew, time.Minute),
	}
	seed[4].Photo = []byte("jpeg fresh")
	for _, r := range seed {
		must(t, b.s.CreateReport(b.ctx, r))
	}

	n, err := b.s.ExpireReports(b.ctx, now)
	must(t, err)
	if n != 2 {
		t.Errorf("ExpireReports = %d, want 2", n)
	}

	tests := []struct {
		id    string
		state tocsin.ReportState
		photo bool
	}{
		{"old-new", tocsin.ReportExpired, false},
		{"old-verified", tocsin.ReportExpired, false},
		{"old-false", tocsin.ReportFalse, false},
		{"old-duplicate", tocsin.ReportDuplicate, false},
		{"fresh", tocsin.ReportNew, true},
	}
	for _, tt := range tests {
		t.Run(tt.id, func(t *testing.T) {
			got, err := b.s.GetReport(b.ctx, tt.id)
			must(t, err)
			if got.State != tt.state {
				t.Errorf("state = %q, want %q", got.State, tt.state)
			}
			if got.HasPhoto != tt.photo || (len(got.Photo) > 0) != tt.photo {
				t.Errorf("HasPhoto = %v, %d photo bytes; want photo kept = %v", got.HasPhoto, len(got.Photo), tt.photo)
			}
			if kept := got.Description != "" || got.PlaceText != ""; kept != tt.photo {
				t.Errorf("description %q, place %q; want text kept = %v", got.Description, got.PlaceText, tt.photo)
			}
		})
	}

	t.Run("Again", func(t *testing.T) {
		n, err := b.s.ExpireReports(b.ctx, now)
		must(t, err)
		if n != 0 {
			t.Errorf("second ExpireReports = %d, want 0", n)
		}
	})
}
