package store

import (
	"context"
	"time"

	"github.com/tocsin/tocsin"
)

// Counts answers the console's counting questions: how many, never who.
type Counts interface {
	// SubscriberLangs counts the active subscribers among ids by language.
	SubscriberLangs(ctx context.Context, ids []int64) (map[tocsin.Language]int, error)
	// SubscriberCounts counts active subscribers by ZIP code and by
	// language.
	SubscriberCounts(ctx context.Context) (*SubscriberCounts, error)
	// DailyCounts counts, per UTC day from since's day on, the reports
	// received and the alerts approved to send (sent or sending). Days with
	// nothing are left out; the result is in day order.
	DailyCounts(ctx context.Context, since time.Time) ([]DayCount, error)
}

// SubscriberCounts is how many active subscribers there are, by the ZIP
// codes they follow (a subscriber following two ZIPs counts in each) and by
// language; Points counts those who follow a place on the map.
type SubscriberCounts struct {
	Total  int
	ByZIP  []KeyCount // by ZIP, ascending
	ByLang []KeyCount // by language tag, ascending
	Points int
}

// KeyCount is a count under a key.
type KeyCount struct {
	Key string
	N   int
}

// DayCount is what happened on one UTC day.
type DayCount struct {
	Day     time.Time // midnight UTC
	Reports int
	Alerts  int
}
