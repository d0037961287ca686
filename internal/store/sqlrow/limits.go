package sqlrow

import (
	"context"
	"fmt"
	"time"

	"github.com/tocsin/tocsin/internal/store"
)

// The level a bucket has refilled to by the new time (excluded.updated_ms),
// before capping at its burst; a clock that went back refills nothing.
const (
	bucketElapsed = `(CASE WHEN excluded.updated_ms > rate_buckets.updated_ms THEN excluded.updated_ms - rate_buckets.updated_ms ELSE 0 END)`
	bucketLevel   = `(rate_buckets.tokens + ` + bucketElapsed + ` * CAST(? AS DOUBLE PRECISION))`
	takeToken     = `INSERT INTO rate_buckets (key, tokens, updated_ms) VALUES (?, CAST(? AS DOUBLE PRECISION), ?)
		ON CONFLICT (key) DO UPDATE SET
			tokens = (CASE WHEN ` + bucketLevel + ` > CAST(? AS DOUBLE PRECISION) THEN CAST(? AS DOUBLE PRECISION) ELSE ` + bucketLevel + ` END) - 1,
			updated_ms = (CASE WHEN excluded.updated_ms > rate_buckets.updated_ms THEN excluded.updated_ms ELSE rate_buckets.updated_ms END)
		WHERE ` + bucketLevel + ` >= 1`
	giveToken = `UPDATE rate_buckets SET tokens = (CASE WHEN tokens + 1 > CAST(? AS DOUBLE PRECISION) THEN CAST(? AS DOUBLE PRECISION) ELSE tokens + 1 END) WHERE key = ?`
)

// TakeTokens takes a token from each bucket in turn with one conditional
// upsert each; at the first empty one it stops and gives back the tokens it
// took, so a refused request spends nothing (and, with the busiest bucket
// first, costs one statement).
func TakeTokens(ctx context.Context, c Conn, buckets []store.Bucket, now time.Time) (int, error) {
	for _, b := range buckets {
		if b.Key == "" || b.Burst < 1 || b.Rate < 0 {
			return -1, invalid("a bucket needs a key, a burst of at least 1 and a rate of at least 0")
		}
	}
	ms := now.UnixMilli()
	for i, b := range buckets {
		perMS := b.Rate / 1000
		n, err := c.Exec(ctx, takeToken, b.Key, b.Burst-1, ms, perMS, b.Burst, b.Burst, perMS, perMS)
		if err != nil {
			return -1, fmt.Errorf("take token %s: %w", b.Key, err)
		}
		if n == 0 {
			return i, giveBack(ctx, c, buckets[:i])
		}
	}
	return -1, nil
}

// giveBack returns a token to each bucket, up to its burst.
func giveBack(ctx context.Context, c Conn, buckets []store.Bucket) error {
	for _, b := range buckets {
		if _, err := c.Exec(ctx, giveToken, b.Burst, b.Burst, b.Key); err != nil {
			return fmt.Errorf("give token back %s: %w", b.Key, err)
		}
	}
	return nil
}

// CountRefusals adds n to kind's count for the hour of at.
func CountRefusals(ctx context.Context, c Conn, kind string, n int, at time.Time) error {
	if kind == "" || n < 1 {
		return invalid("a refusal count needs a kind and a number")
	}
	_, err := c.Exec(ctx, `INSERT INTO rate_refusals (kind, hour, n) VALUES (?, ?, ?)
		ON CONFLICT (kind, hour) DO UPDATE SET n = rate_refusals.n + excluded.n`, kind, Unix(at.Truncate(time.Hour)), n)
	if err != nil {
		return fmt.Errorf("count refusal: %w", err)
	}
	return nil
}

// Refusals returns the counts of the hours from since's on.
func Refusals(ctx context.Context, c Conn, since time.Time) ([]store.RefusalCount, error) {
	var out []store.RefusalCount
	err := c.Each(ctx, `SELECT kind, hour, n FROM rate_refusals WHERE hour >= ? ORDER BY hour, kind`,
		[]any{Unix(since.Truncate(time.Hour))}, func(sc Scanner) error {
			var r store.RefusalCount
			var h int64
			if err := sc.Scan(&r.Kind, &h, &r.N); err != nil {
				return err
			}
			r.Hour = FromUnix(h)
			out = append(out, r)
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("refusals: %w", err)
	}
	return out, nil
}

// SpendChallenge records a challenge as used; ECONFLICT if it was.
func SpendChallenge(ctx context.Context, c Conn, id string, expires, now time.Time) error {
	if id == "" {
		return invalid("a challenge needs an id")
	}
	if _, err := c.Exec(ctx, `DELETE FROM pow_spent WHERE expires_at < ?`, Unix(now)); err != nil {
		return fmt.Errorf("forget expired challenges: %w", err)
	}
	_, err := c.Exec(ctx, `INSERT INTO pow_spent (id, expires_at) VALUES (?, ?)`, id, Unix(expires))
	if c.Unique(err) {
		return conflict("this proof of work was used already")
	}
	if err != nil {
		return fmt.Errorf("spend challenge: %w", err)
	}
	return nil
}

// PurgeLimits deletes idle buckets and old counts.
func PurgeLimits(ctx context.Context, c Conn, before, countsBefore time.Time) error {
	if _, err := c.Exec(ctx, `DELETE FROM rate_buckets WHERE updated_ms < ?`, before.UnixMilli()); err != nil {
		return fmt.Errorf("purge buckets: %w", err)
	}
	if _, err := c.Exec(ctx, `DELETE FROM rate_refusals WHERE hour < ?`, Unix(countsBefore)); err != nil {
		return fmt.Errorf("purge refusal counts: %w", err)
	}
	return nil
}
