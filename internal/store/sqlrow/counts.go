package sqlrow

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/tocsin/tocsin"
	"github.com/tocsin/tocsin/internal/store"
)

// dayS is a UTC day in unix seconds: times are stored as unix seconds, so
// integer division by it gives the day in both dialects.
const dayS = 86400

func (s Shared) SubscriberLangs(ctx context.Context, ids []int64) (map[tocsin.Language]int, error) {
	out := map[tocsin.Language]int{}
	if len(ids) == 0 {
		return out, nil
	}
	cond, arg, err := s.Conn.In("id", ids)
	if err != nil {
		return nil, err
	}
	err = s.Conn.Each(ctx, `SELECT lang, count(*) FROM subscribers WHERE `+cond+` AND active = ? GROUP BY lang`, []any{arg, s.Conn.Bool(true)}, func(r Scanner) error {
		var lang string
		var n int
		if err := r.Scan(&lang, &n); err != nil {
			return err
		}
		out[tocsin.Language(lang)] = n
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("subscriber languages: %w", err)
	}
	return out, nil
}

func (s Shared) SubscriberCounts(ctx context.Context) (*store.SubscriberCounts, error) {
	c := &store.SubscriberCounts{}
	on := s.Conn.Bool(true)
	keyCounts := func(query string, into *[]store.KeyCount) error {
		return s.Conn.Each(ctx, query, []any{on}, func(r Scanner) error {
			var kc store.KeyCount
			if err := r.Scan(&kc.Key, &kc.N); err != nil {
				return err
			}
			*into = append(*into, kc)
			c.Total += kc.N
			return nil
		})
	}
	if err := keyCounts(`SELECT zip, count(DISTINCT subscriber_id) FROM subscriber_areas WHERE active = ? AND zip <> '' GROUP BY zip ORDER BY zip`, &c.ByZIP); err != nil {
		return nil, fmt.Errorf("subscribers by ZIP: %w", err)
	}
	c.Total = 0
	if err := keyCounts(`SELECT lang, count(*) FROM subscribers WHERE active = ? GROUP BY lang ORDER BY lang`, &c.ByLang); err != nil {
		return nil, fmt.Errorf("subscribers by language: %w", err)
	}
	err := s.Conn.QueryRow(ctx, `SELECT count(DISTINCT subscriber_id) FROM subscriber_areas WHERE active = ? AND zip = ''`, on).Scan(&c.Points)
	if err != nil {
		return nil, fmt.Errorf("subscribers by place: %w", err)
	}
	return c, nil
}

func (s Shared) DailyCounts(ctx context.Context, since time.Time) ([]store.DayCount, error) {
	from := since.Unix() - since.Unix()%dayS
	days := map[int64]*store.DayCount{}
	var order []int64
	add := func(query string, set func(*store.DayCount, int)) error {
		return s.Conn.Each(ctx, query, []any{from}, func(r Scanner) error {
			var day int64
			var n int
			if err := r.Scan(&day, &n); err != nil {
				return err
			}
			d, ok := days[day]
			if !ok {
				d = &store.DayCount{Day: time.Unix(day*dayS, 0).UTC()}
				days[day] = d
				order = append(order, day)
			}
			set(d, n)
			return nil
		})
	}
	if err := add(`SELECT received_at / 86400, count(*) FROM reports WHERE received_at >= ? GROUP BY received_at / 86400`, func(d *store.DayCount, n int) { d.Reports = n }); err != nil {
		return nil, fmt.Errorf("reports by day: %w", err)
	}
	if err := add(`SELECT approved_at / 86400, count(*) FROM alerts WHERE approved_at >= ? AND state IN ('sending', 'sent') GROUP BY approved_at / 86400`, func(d *store.DayCount, n int) { d.Alerts = n }); err != nil {
		return nil, fmt.Errorf("alerts by day: %w", err)
	}
	slices.Sort(order)
	out := make([]store.DayCount, len(order))
	for i, day := range order {
		out[i] = *days[day]
	}
	return out, nil
}
