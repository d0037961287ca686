package console

import (
	"net/http"
	"time"

	"github.com/tocsin/tocsin/internal/store"
)

// minShownCount is the smallest subscriber count the counts screen shows:
// a count from 1 to 4 shows as "fewer than 5", because one or two
// subscribers in a small ZIP could be told apart by someone who knows the
// place. It applies to every subscriber count on the screen (total,
// languages, map places, ZIPs), so that one cannot be worked out from the
// others when there are few subscribers in all.
const minShownCount = 5

// countDays is how many days, today included, the activity table covers.
const countDays = 30

// shownCount is a count as the console shows it: N, or Few when N is from
// 1 to minShownCount-1 (N is then left zero, so no template can show it).
type shownCount struct {
	Key string
	N   int
	Few bool
}

type countsData struct {
	Subscribers shownCount
	Points      shownCount
	ByZIP       []shownCount
	ByLang      []shownCount
	Days        []store.DayCount // newest first, every day of the window
	MinShown    int
}

// Counts shows how many subscribers there are per ZIP code and language,
// and the reports and alerts of each of the last countDays days: counts
// only, never a number or a name.
func (s *Handler) Counts(w http.ResponseWriter, r *http.Request) {
	p := s.ConsolePage(r, "counts.title")
	ctx := r.Context()
	subs, err := s.st.SubscriberCounts(ctx)
	if err != nil {
		s.FormError(w, r, p, "console_counts", err)
		return
	}
	today := s.Now().UTC().Truncate(24 * time.Hour)
	since := today.AddDate(0, 0, 1-countDays)
	days, err := s.st.DailyCounts(ctx, since)
	if err != nil {
		s.FormError(w, r, p, "console_counts", err)
		return
	}
	d := countsData{Subscribers: suppressed(store.KeyCount{N: subs.Total}), Points: suppressed(store.KeyCount{N: subs.Points}),
		MinShown: minShownCount, Days: everyDay(days, since, today)}
	for _, kc := range subs.ByZIP {
		d.ByZIP = append(d.ByZIP, suppressed(kc))
	}
	for _, kc := range subs.ByLang {
		d.ByLang = append(d.ByLang, suppressed(kc))
	}
	p.Data = d
	s.Render(w, r, http.StatusOK, "console_counts", p)
}

// suppressed hides a count from 1 to minShownCount-1.
func suppressed(kc store.KeyCount) shownCount {
	if kc.N > 0 && kc.N < minShownCount {
		return shownCount{Key: kc.Key, Few: true}
	}
	return shownCount{Key: kc.Key, N: kc.N}
}

// everyDay fills the days from since to today that had nothing with zero
// Counts, newest first.
func everyDay(days []store.DayCount, since, today time.Time) []store.DayCount {
	byDay := make(map[time.Time]store.DayCount, len(days))
	for _, d := range days {
		byDay[d.Day] = d
	}
	var out []store.DayCount
	for day := today; !day.Before(since); day = day.AddDate(0, 0, -1) {
		d, ok := byDay[day]
		if !ok {
			d = store.DayCount{Day: day}
		}
		out = append(out, d)
	}
	return out
}
