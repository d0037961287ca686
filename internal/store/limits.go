package store

import (
	"context"
	"time"
)

// Bucket is one token bucket: Rate tokens a second flow in, up to Burst.
type Bucket struct {
	// Key names the kind of limit and its scope ("signup:global",
	// "report:cell:…", "signup:prefix:…"): never a person or an address.
	Key   string
	Rate  float64 // tokens per second
	Burst float64 // at least 1
}

// RefusalCount is how many requests one kind of limit held back in an hour.
type RefusalCount struct {
	Kind string
	Hour time.Time
	N    int64
}

// Limits holds the abuse limits that every web replica shares.
type Limits interface {
	// TakeTokens takes one token from every bucket, in order, or from
	// none: it returns the index of the first bucket that had none, or -1
	// when every token was taken. Each bucket is changed by one statement,
	// so replicas taking from the same bucket at once never take more than
	// it holds.
	TakeTokens(ctx context.Context, buckets []Bucket, now time.Time) (empty int, err error)
	// CountRefusals adds n to kind's count for the hour of at.
	CountRefusals(ctx context.Context, kind string, n int, at time.Time) error
	// Refusals returns the counts of the hours from since's on, oldest
	// first, then by kind.
	Refusals(ctx context.Context, since time.Time) ([]RefusalCount, error)
	// SpendChallenge records a proof-of-work challenge as used until
	// expires: ECONFLICT if it was used already. Challenges that expired
	// before now are forgotten.
	SpendChallenge(ctx context.Context, id string, expires, now time.Time) error
	// PurgeLimits deletes buckets untouched since before (full again by
	// then) and counts of hours before countsBefore.
	PurgeLimits(ctx context.Context, before, countsBefore time.Time) error
}
