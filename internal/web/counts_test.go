package web_test

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/tocsin/tocsin"
	"github.com/tocsin/tocsin/internal/geo"
)

// TestConsoleCounts: the counts screen shows subscribers per ZIP code and
// per language, any count from 1 to 4 as "fewer than 5", and the reports
// and alerts sent on each of the last 30 days; any operator may read it.
func TestConsoleCounts(t *testing.T) {
	b := setup(t)
	ctx := context.Background()
	add := func(name string, lang tocsin.Language, area tocsin.SubscriberArea) {
		s := &tocsin.Subscriber{PhoneHash: []byte("hash-" + name), Sealed: []byte("sealed-" + name), Lang: lang, Active: true,
			Areas: []tocsin.SubscriberArea{area}, CreatedAt: t0, UpdatedAt: t0}
		if err := b.st.SaveSubscriber(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 7 {
		add(fmt.Sprint("bh", i), tocsin.English, tocsin.SubscriberArea{ZIP: "90210", Cell: geo.LeafCell(b.zipPoint("90210")), RadiusM: 2000})
	}
	for i := range 2 {
		add(fmt.Sprint("ny", i), tocsin.Spanish, tocsin.SubscriberArea{ZIP: "10001", Cell: geo.LeafCell(b.zipPoint("10001")), RadiusM: 2000})
	}
	add("pt", tocsin.Spanish, tocsin.SubscriberArea{Cell: geo.LeafCell(geo.Point{Lat: 40.7, Lon: -74}), RadiusM: 1500})
	b.createReport(`{"category":"raid","description":"today","zip":"90210"}`)
	b.clock.Advance(-72 * time.Hour)
	b.createReport(`{"category":"raid","description":"three days ago","zip":"90210"}`)
	b.clock.Advance(72 * time.Hour)
	for i, ago := range []time.Duration{0, 72 * time.Hour} {
		a := &tocsin.Alert{ID: fmt.Sprint("al", i), Ref: fmt.Sprint("REF00", i), State: tocsin.AlertSent, BodyEN: "x", Area: tocsin.Area{ZIPs: []string{"90210"}},
			CreatedBy: "ned", ApprovedBy: "ned", CreatedAt: t0.Add(-ago), ApprovedAt: t0.Add(-ago), ValidUntil: t0.Add(-ago + time.Hour)}
		if err := b.st.CreateAlert(ctx, a); err != nil {
			t.Fatal(err)
		}
	}

	r := b.login("val", "viewer").get("/console/counts")
	wantStatus(t, r, 200)
	text := r.text()
	row := func(table, key string) string {
		tb := regexp.MustCompile(`(?s)<table class="queue counts" id="` + table + `">.*?</table>`).FindString(text)
		return regexp.MustCompile(`<tr><td>` + regexp.QuoteMeta(key) + `</td>(.*?)</tr>`).FindStringSubmatch(tb + "<tr><td>" + key + "</td>MISSING</tr>")[1]
	}
	for _, tt := range []struct{ table, key, want string }{
		{"by-zip", "90210", "<td>7</td>"},
		{"by-zip", "10001", "<td>fewer than 5</td>"},
		{"by-lang", "English", "<td>7</td>"},
		{"by-lang", "Spanish", "<td>fewer than 5</td>"},
		{"by-day", t0.Format("2006-01-02"), "<td>1</td><td>1</td>"},
		{"by-day", t0.AddDate(0, 0, -1).Format("2006-01-02"), "<td>0</td><td>0</td>"},
		{"by-day", t0.AddDate(0, 0, -3).Format("2006-01-02"), "<td>1</td><td>1</td>"},
		{"by-day", t0.AddDate(0, 0, -29).Format("2006-01-02"), "<td>0</td><td>0</td>"},
	} {
		if got := row(tt.table, tt.key); got != tt.want {
			t.Errorf("%s row %s = %q, want %q", tt.table, tt.key, got, tt.want)
		}
	}
	if got := strings.Count(regexp.MustCompile(`(?s)<table class="queue counts" id="by-day">.*?</table>`).FindString(text), "<tr><td>"); got != 30 {
		t.Errorf("the activity table has %d days, want 30", got)
	}
	if !strings.Contains(text, `<span id="subscribers-total">10</span>`) || !strings.Contains(text, `<span id="subscribers-points">fewer than 5</span>`) {
		t.Error("the totals are wrong")
	}
	if strings.Contains(text, "sealed-") || strings.Contains(text, "hash-") {
		t.Error("the counts page shows subscriber data")
	}
	wantRedirect(t, b.get(nil, "/console/counts"), "/console/login")
}

// TestConsoleCountsFewInAll: with few subscribers in all, no count on the
// screen gives away how many are in the one ZIP they follow.
func TestConsoleCountsFewInAll(t *testing.T) {
	b := setup(t)
	for i := range 2 {
		s := &tocsin.Subscriber{PhoneHash: fmt.Appendf(nil, "h%d", i), Sealed: []byte("s"), Lang: tocsin.English, Active: true,
			Areas: []tocsin.SubscriberArea{{ZIP: "59001", Cell: geo.LeafCell(b.zipPoint("59001")), RadiusM: 2000}}, CreatedAt: t0, UpdatedAt: t0}
		if err := b.st.SaveSubscriber(context.Background(), s); err != nil {
			t.Fatal(err)
		}
	}
	text := b.login("vic", "viewer").get("/console/counts").text()
	if n := strings.Count(text, "fewer than 5"); n < 4 {
		t.Errorf(`"fewer than 5" shown %d times, want for the total, English and the ZIP`, n)
	}
	if regexp.MustCompile(`<td>2</td>|<span id="subscribers-total">2<`).MatchString(text) {
		t.Error("the count 2 is shown")
	}
}
