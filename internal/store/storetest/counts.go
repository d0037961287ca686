package storetest

import (
	"fmt"
	"maps"
	"slices"
	"testing"
	"time"

	"github.com/tocsin/tocsin"
	"github.com/tocsin/tocsin/internal/store"
)

func testCounts(t *testing.T, open func(t *testing.T) store.Store) {
	zipArea := func(zip string) tocsin.SubscriberArea {
		return tocsin.SubscriberArea{ZIP: zip, Cell: 0x80c2c63000000001, RadiusM: tocsin.ZIPAreaRadiusM}
	}
	point := tocsin.SubscriberArea{Cell: 0x80c2c63000000003, RadiusM: 1500}

	t.Run("Subscribers", func(t *testing.T) {
		b := setup(t, open)
		empty, err := b.s.SubscriberCounts(b.ctx)
		must(t, err)
		if empty.Total != 0 || len(empty.ByZIP) != 0 || len(empty.ByLang) != 0 || empty.Points != 0 {
			t.Errorf("empty store counts %+v", empty)
		}
		a := b.save(t, newSubscriber("a", zipArea("90013"), zipArea("90012")))
		bb := newSubscriber("b", zipArea("90013"), point)
		bb.Lang = tocsin.Spanish
		b.save(t, bb)
		c := newSubscriber("c", point)
		c.Lang = tocsin.Spanish
		b.save(t, c)
		gone := newSubscriber("gone", zipArea("90013"), point)
		gone.Active = false
		gone = b.save(t, gone)

		got, err := b.s.SubscriberCounts(b.ctx)
		must(t, err)
		wantKeyCounts(t, "by ZIP", got.ByZIP, "90012:1 90013:2")
		wantKeyCounts(t, "by language", got.ByLang, "en:1 es:2")
		if got.Total != 3 || got.Points != 2 {
			t.Errorf("total %d, points %d; want 3 and 2", got.Total, got.Points)
		}

		langs, err := b.s.SubscriberLangs(b.ctx, []int64{a.ID, bb.ID, gone.ID, 99999})
		must(t, err)
		if want := map[tocsin.Language]int{tocsin.English: 1, tocsin.Spanish: 1}; !maps.Equal(langs, want) {
			t.Errorf("SubscriberLangs = %v, want %v (the inactive and the unknown left out)", langs, want)
		}
		langs, err = b.s.SubscriberLangs(b.ctx, nil)
		must(t, err)
		if len(langs) != 0 {
			t.Errorf("SubscriberLangs(nil) = %v", langs)
		}
	})

	t.Run("Daily", func(t *testing.T) {
		b := setup(t, open)
		day := func(ago int) time.Time { return now.Truncate(24*time.Hour).AddDate(0, 0, -ago) }
		for i, ago := range []int{0, 0, 2, 40} {
			r := newReport(fmt.Sprintf("r%d", i), tocsin.ReportNew, 0)
			r.ReceivedAt = day(ago).Add(time.Hour)
			r.ObservedAt, r.ExpiresAt = r.ReceivedAt, r.ReceivedAt.Add(tocsin.DefaultTTL)
			must(t, b.s.CreateReport(b.ctx, r))
		}
		for i, a := range []struct {
			st  tocsin.AlertState
			ago int
		}{{tocsin.AlertSent, 2}, {tocsin.AlertSending, 2}, {tocsin.AlertSent, 5}, {tocsin.AlertDraft, 0}, {tocsin.AlertRefused, 1}, {tocsin.AlertSent, 31}} {
			al := newAlert(fmt.Sprintf("a%d", i), a.st, 0)
			if a.st != tocsin.AlertDraft {
				al.ApprovedBy, al.ApprovedAt = "ned", day(a.ago).Add(23*time.Hour+59*time.Minute)
			}
			b.alert(t, al)
		}
		got, err := b.s.DailyCounts(b.ctx, day(29).Add(5*time.Hour))
		must(t, err)
		var s []string
		for _, d := range got {
			s = append(s, fmt.Sprintf("%s:%d/%d", d.Day.Format("01-02"), d.Reports, d.Alerts))
		}
		want := []string{day(5).Format("01-02") + ":0/1", day(2).Format("01-02") + ":1/2", day(0).Format("01-02") + ":2/0"}
		if !slices.Equal(s, want) {
			t.Errorf("DailyCounts = %v, want %v (reports/alerts per day, from the day of since)", s, want)
		}
		for _, d := range got {
			if d.Day.Location() != time.UTC || !d.Day.Equal(d.Day.Truncate(24*time.Hour)) {
				t.Errorf("day %v is not midnight UTC", d.Day)
			}
		}
	})
}

func wantKeyCounts(t *testing.T, what string, got []store.KeyCount, want string) {
	t.Helper()
	var s []string
	for _, kc := range got {
		s = append(s, fmt.Sprintf("%s:%d", kc.Key, kc.N))
	}
	if g := fmt.Sprint(s); g != "["+want+"]" {
		t.Errorf("%s = %s, want [%s]", what, g, want)
	}
}
