package storetest

import (
	"bytes"
	"slices"
	"testing"
	"time"

	"github.com/tocsin/tocsin"
	"github.com/tocsin/tocsin/internal/store"
)

// newAlert returns an alert in state st created ago before now.
func newAlert(id string, st tocsin.AlertState, ago time.Duration) *tocsin.Alert {
	at := now.Add(-ago)
	return &tocsin.Alert{
		ID:         id,
		Ref:        "R" + id,
		State:      st,
		Confirmed:  true,
		BodyEN:     "Checkpoint at 5th and Main " + id,
		BodyES:     "Retén en 5th y Main " + id,
		Area:       tocsin.Area{ZIPs: []string{"90013"}, Circle: &tocsin.Circle{Lat: 34.0407, Lon: -118.2468, RadiusM: 2000}},
		ReportIDs:  []string{"r1", "r2"},
		CreatedBy:  "dispatcher1",
		CreatedAt:  at,
		ValidUntil: at.Add(tocsin.DefaultAlertTTL),
		Statement:  []byte("tocsin/statement/v1\x00" + id + "\x00\xff"),
	}
}

func alertID(a tocsin.Alert) string { return a.ID }

func (b *testBundle) alert(t *testing.T, a *tocsin.Alert) *tocsin.Alert {
	t.Helper()
	must(t, b.s.CreateAlert(b.ctx, a))
	return a
}

func (b *testBundle) alertState(t *testing.T, id string) tocsin.AlertState {
	t.Helper()
	a, err := b.s.GetAlert(b.ctx, id)
	must(t, err)
	return a.State
}

func wantAlert(t *testing.T, got, want *tocsin.Alert) {
	t.Helper()
	if got.ID != want.ID || got.Ref != want.Ref || got.State != want.State || got.Confirmed != want.Confirmed ||
		got.AllClear != want.AllClear || got.BodyEN != want.BodyEN || got.BodyES != want.BodyES ||
		got.CreatedBy != want.CreatedBy || got.ApprovedBy != want.ApprovedBy ||
		got.Recipients != want.Recipients || got.Sent != want.Sent || got.Failed != want.Failed {
		t.Errorf("alert =\n%+v\nwant\n%+v", got, want)
	}
	if len(got.ReportIDs)+len(want.ReportIDs) > 0 && !slices.Equal(got.ReportIDs, want.ReportIDs) {
		t.Errorf("ReportIDs = %q, want %q", got.ReportIDs, want.ReportIDs)
	}
	if !slices.Equal(got.Area.ZIPs, want.Area.ZIPs) || (got.Area.Circle == nil) != (want.Area.Circle == nil) ||
		(got.Area.Circle != nil && *got.Area.Circle != *want.Area.Circle) {
		t.Errorf("area = %+v, want %+v", got.Area, want.Area)
	}
	if !bytes.Equal(got.Statement, want.Statement) {
		t.Errorf("Statement = %q, want %q", got.Statement, want.Statement)
	}
	wantTime(t, "CreatedAt", got.CreatedAt, want.CreatedAt)
	wantTime(t, "ApprovedAt", got.ApprovedAt, want.ApprovedAt)
	wantTime(t, "ValidUntil", got.ValidUntil, want.ValidUntil)
}

func testAlerts(t *testing.T, open func(t *testing.T) store.Store) {
	t.Run("CreateGet", func(t *testing.T) {
		b := setup(t, open)
		a := b.alert(t, newAlert("a1", tocsin.AlertDraft, 0))
		allClear := newAlert("a2", tocsin.AlertDraft, 0)
		allClear.AllClear, allClear.Confirmed, allClear.BodyES = true, false, ""
		allClear.Area = tocsin.Area{ZIPs: []string{"90001", "90002"}}
		allClear.ReportIDs = nil
		allClear.Statement = nil // made before statements: none
		b.alert(t, allClear)

		for _, want := range []*tocsin.Alert{a, allClear} {
			got, err := b.s.GetAlert(b.ctx, want.ID)
			must(t, err)
			wantAlert(t, got, want)
			got, err = b.s.GetAlertByRef(b.ctx, want.Ref)
			must(t, err)
			wantAlert(t, got, want)
		}
	})

	t.Run("NotFound", func(t *testing.T) {
		b := setup(t, open)
		b.alert(t, newAlert("a1", tocsin.AlertDraft, 0))
		_, err := b.s.GetAlert(b.ctx, "nope")
		wantCode(t, err, tocsin.ENOTFOUND)
		_, err = b.s.GetAlertByRef(b.ctx, "NOPE42")
		wantCode(t, err, tocsin.ENOTFOUND)
	})

	t.Run("UniqueRef", func(t *testing.T) {
		b := setup(t, open)
		b.alert(t, newAlert("a1", tocsin.AlertDraft, 0))
		dup := newAlert("a2", tocsin.AlertDraft, 0)
		dup.Ref = "Ra1"
		if err := b.s.CreateAlert(b.ctx, dup); err == nil {
			t.Fatal("second alert with the same ref: no error")
		}
	})

	t.Run("List", func(t *testing.T) {
		b := setup(t, open)
		// a1 is the newest.
		for _, a := range []*tocsin.Alert{
			newAlert("a3", tocsin.AlertApproved, 30*time.Minute),
			newAlert("a1", tocsin.AlertDraft, time.Minute),
			newAlert("a5", tocsin.AlertDraft, 3*time.Hour),
			newAlert("a2", tocsin.AlertSending, 10*time.Minute),
			newAlert("a4", tocsin.AlertSent, time.Hour),
		} {
			b.alert(t, a)
		}
		tests := []struct {
			name   string
			states []tocsin.AlertState
			limit  int
			want   []string
		}{
			{"All", nil, 10, []string{"a1", "a2", "a3", "a4", "a5"}},
			{"Limit", nil, 2, []string{"a1", "a2"}},
			{"Drafts", []tocsin.AlertState{tocsin.AlertDraft}, 10, []string{"a1", "a5"}},
			{"InFlight", []tocsin.AlertState{tocsin.AlertSending, tocsin.AlertApproved}, 10, []string{"a2", "a3"}},
			{"StatesAndLimit", []tocsin.AlertState{tocsin.AlertDraft, tocsin.AlertSent}, 2, []string{"a1", "a4"}},
			{"None", []tocsin.AlertState{tocsin.AlertCancelled}, 10, nil},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				got, err := b.s.ListAlerts(b.ctx, tt.states, tt.limit)
				must(t, err)
				if g := ids(got, alertID); !slices.Equal(g, tt.want) {
					t.Errorf("ListAlerts(%v, %d) = %v, want %v", tt.states, tt.limit, g, tt.want)
				}
				for _, a := range got {
					if want := newAlert(a.ID, a.State, 0).Statement; !bytes.Equal(a.Statement, want) {
						t.Errorf("alert %s: Statement = %q, want %q", a.ID, a.Statement, want)
					}
				}
			})
		}
	})

	t.Run("Approve", func(t *testing.T) {
		b := setup(t, open)
		a := b.alert(t, newAlert("a1", tocsin.AlertDraft, 0))
		at := now.Add(time.Minute)
		must(t, b.s.ApproveAlert(b.ctx, "a1", "admin1", at))
		got, err := b.s.GetAlert(b.ctx, "a1")
		must(t, err)
		a.State, a.ApprovedBy, a.ApprovedAt = tocsin.AlertApproved, "admin1", at
		wantAlert(t, got, a)

		err = b.s.ApproveAlert(b.ctx, "a1", "admin2", at.Add(time.Minute))
		wantCode(t, err, tocsin.ECONFLICT)
		got, err = b.s.GetAlert(b.ctx, "a1")
		must(t, err)
		wantAlert(t, got, a) // the first approval stands
	})

	t.Run("ApproveNotFound", func(t *testing.T) {
		b := setup(t, open)
		wantCode(t, b.s.ApproveAlert(b.ctx, "nope", "admin1", now), tocsin.ENOTFOUND)
	})

	t.Run("ApproveOnlyDraft", func(t *testing.T) {
		for _, st := range []tocsin.AlertState{tocsin.AlertApproved, tocsin.AlertSending, tocsin.AlertSent, tocsin.AlertCancelled} {
			t.Run(string(st), func(t *testing.T) {
				b := setup(t, open)
				b.alert(t, newAlert("a1", st, 0))
				wantCode(t, b.s.ApproveAlert(b.ctx, "a1", "admin1", now), tocsin.ECONFLICT)
				if got := b.alertState(t, "a1"); got != st {
					t.Errorf("state = %q, want %q unchanged", got, st)
				}
			})
		}
	})
}
