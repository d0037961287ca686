package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/tocsin/tocsin"
	"github.com/tocsin/tocsin/internal/store"
	"github.com/tocsin/tocsin/internal/store/sqlrow"
)

func (s q) getSubscriber(ctx context.Context, where string, arg any) (*tocsin.Subscriber, error) {
	var sub tocsin.Subscriber
	err := sqlrow.Subscriber(s.db.QueryRow(ctx, `SELECT `+sqlrow.SubscriberCols+` FROM subscribers WHERE `+where, arg), &sub)
	if err := one(err, "subscriber"); err != nil {
		return nil, err
	}
	rows, err := s.db.Query(ctx, `SELECT zip, cell, radius_m FROM subscriber_areas WHERE subscriber_id = $1 ORDER BY id`, sub.ID)
	if err != nil {
		return nil, fmt.Errorf("subscriber areas: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var a tocsin.SubscriberArea
		var cell int64
		if err := rows.Scan(&a.ZIP, &cell, &a.RadiusM); err != nil {
			return nil, fmt.Errorf("scan area: %w", err)
		}
		a.Cell = uint64(cell)
		sub.Areas = append(sub.Areas, a)
	}
	return &sub, rows.Err()
}

// GetSubscriberByHash finds a subscriber by the keyed hash of its number.
func (s q) GetSubscriberByHash(ctx context.Context, hash []byte) (*tocsin.Subscriber, error) {
	return s.getSubscriber(ctx, `phone_hash = $1`, hash)
}

// GetSubscriber finds a subscriber by id.
func (s q) GetSubscriber(ctx context.Context, id int64) (*tocsin.Subscriber, error) {
	return s.getSubscriber(ctx, `id = $1`, id)
}

// SaveSubscriber inserts or updates a subscriber and replaces its areas.
func (s q) SaveSubscriber(ctx context.Context, sub *tocsin.Subscriber) error {
	return s.atomic(ctx, func(s q) error { return s.saveSubscriber(ctx, sub) })
}

func (s q) saveSubscriber(ctx context.Context, sub *tocsin.Subscriber) error {
	if sub.ID == 0 {
		// ON CONFLICT DO NOTHING: a taken number returns no row instead of
		// raising an error that would abort the caller's transaction.
		var id int64
		err := s.db.QueryRow(ctx, `INSERT INTO subscribers (phone_hash, sealed, lang, active, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6)
			ON CONFLICT (phone_hash) DO NOTHING RETURNING id`,
			sub.PhoneHash, sub.Sealed, string(sub.Lang), sub.Active, sqlrow.Unix(sub.CreatedAt), sqlrow.Unix(sub.UpdatedAt)).Scan(&id)
		if errors.Is(err, pgx.ErrNoRows) || isUnique(err) {
			return conflict("a subscriber with this number exists already")
		}
		if err != nil {
			return fmt.Errorf("insert subscriber: %w", err)
		}
		sub.ID = id
	} else {
		tag, err := s.db.Exec(ctx, `UPDATE subscribers SET sealed = $1, lang = $2, active = $3, updated_at = $4 WHERE id = $5`,
			sub.Sealed, string(sub.Lang), sub.Active, sqlrow.Unix(sub.UpdatedAt), sub.ID)
		if err != nil {
			return fmt.Errorf("update subscriber: %w", err)
		}
		if tag.RowsAffected() == 0 {
			return notFound("subscriber")
		}
		if _, err := s.db.Exec(ctx, `DELETE FROM subscriber_areas WHERE subscriber_id = $1`, sub.ID); err != nil {
			return fmt.Errorf("clear areas: %w", err)
		}
	}
	if len(sub.Areas) == 0 {
		return nil
	}
	zips := make([]string, len(sub.Areas))
	cells := make([]int64, len(sub.Areas))
	radii := make([]float64, len(sub.Areas))
	for i, a := range sub.Areas {
		zips[i], cells[i], radii[i] = a.ZIP, int64(a.Cell), a.RadiusM
	}
	// In the order given: the identity column keeps it.
	_, err := s.db.Exec(ctx, `INSERT INTO subscriber_areas (subscriber_id, zip, cell, radius_m, active)
		SELECT $1::bigint, a.zip, a.cell, a.radius_m, $2::boolean
		FROM unnest($3::text[], $4::bigint[], $5::double precision[]) WITH ORDINALITY AS a(zip, cell, radius_m, n)
		ORDER BY a.n`, sub.ID, sub.Active, zips, cells, radii)
	if err != nil {
		return fmt.Errorf("insert areas: %w", err)
	}
	return nil
}

// CountSubscribers counts active subscribers.
func (s q) CountSubscribers(ctx context.Context) (int, error) {
	var n int
	err := s.db.QueryRow(ctx, `SELECT count(*) FROM subscribers WHERE active`).Scan(&n)
	return n, err
}

// AreaCandidates returns areas of active subscribers that q selects. Cell
// ids are stored as int64 bits, so a range that crosses the sign bit is
// split in two. The ranges go in one statement, the ZIPs in another.
func (s q) AreaCandidates(ctx context.Context, aq store.AreaQuery) ([]store.AreaCandidate, error) {
	var out []store.AreaCandidate
	type key struct {
		id   int64
		cell int64
		zip  string
	}
	seen := make(map[key]bool)
	add := func(query string, args ...any) error {
		rows, err := s.db.Query(ctx, query, args...)
		if err != nil {
			return fmt.Errorf("area candidates: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var c store.AreaCandidate
			var cell int64
			if err := rows.Scan(&c.SubscriberID, &c.ZIP, &cell, &c.RadiusM); err != nil {
				return fmt.Errorf("scan candidate: %w", err)
			}
			if k := (key{c.SubscriberID, cell, c.ZIP}); !seen[k] {
				seen[k] = true
				c.Cell = uint64(cell)
				out = append(out, c)
			}
		}
		return rows.Err()
	}
	if len(aq.Ranges) > 0 {
		var los, his []int64
		for _, r := range aq.Ranges {
			for _, part := range sqlrow.SignedRanges(r) {
				los, his = append(los, part[0]), append(his, part[1])
			}
		}
		query := `SELECT DISTINCT a.subscriber_id, a.zip, a.cell, a.radius_m
			FROM unnest($1::bigint[], $2::bigint[]) AS r(lo, hi)
			JOIN subscriber_areas a ON a.active AND a.cell BETWEEN r.lo AND r.hi
			WHERE a.radius_m > $3`
		if aq.MinRadiusM <= 0 {
			query = `SELECT DISTINCT a.subscriber_id, a.zip, a.cell, a.radius_m
			FROM unnest($1::bigint[], $2::bigint[]) AS r(lo, hi)
			JOIN subscriber_areas a ON a.active AND a.cell BETWEEN r.lo AND r.hi
			WHERE a.radius_m >= $3`
		}
		args := []any{los, his, aq.MinRadiusM}
		if aq.MaxRadiusM > 0 {
			query += ` AND a.radius_m <= $4`
			args = append(args, aq.MaxRadiusM)
		}
		if aq.PointsOnly {
			query += ` AND a.zip = ''`
		}
		if err := add(query, args...); err != nil {
			return nil, err
		}
	}
	if len(aq.ZIPs) > 0 {
		if err := add(`SELECT subscriber_id, zip, cell, radius_m FROM subscriber_areas WHERE active AND zip = ANY($1)`, aq.ZIPs); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// CreateSignup stores a web sign-up.
func (s q) CreateSignup(ctx context.Context, su *tocsin.Signup) error {
	area, err := sqlrow.Marshal(su.Area)
	if err != nil {
		return err
	}
	_, err = s.db.Exec(ctx, `INSERT INTO signups (id, sealed, code_hash, lang, area, state, attempts, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
		su.ID, su.Sealed, su.CodeHash, string(su.Lang), area, string(su.State), su.Attempts, sqlrow.Unix(su.CreatedAt), sqlrow.Unix(su.ExpiresAt))
	if err != nil {
		return fmt.Errorf("create signup: %w", err)
	}
	return nil
}

// GetSignup returns one sign-up.
func (s q) GetSignup(ctx context.Context, id string) (*tocsin.Signup, error) {
	var su tocsin.Signup
	if err := one(sqlrow.Signup(s.db.QueryRow(ctx, `SELECT `+sqlrow.SignupCols+` FROM signups WHERE id = $1`, id), &su), "sign-up"); err != nil {
		return nil, err
	}
	return &su, nil
}

// ListSignups returns sign-ups in a state, oldest first.
func (s q) ListSignups(ctx context.Context, st tocsin.SignupState, limit int) ([]tocsin.Signup, error) {
	rows, err := s.db.Query(ctx, `SELECT `+sqlrow.SignupCols+` FROM signups WHERE state = $1 ORDER BY created_at, id LIMIT $2`, string(st), limit)
	if err != nil {
		return nil, fmt.Errorf("list signups: %w", err)
	}
	defer rows.Close()
	var out []tocsin.Signup
	for rows.Next() {
		var su tocsin.Signup
		if err := sqlrow.Signup(rows, &su); err != nil {
			return nil, fmt.Errorf("scan signup: %w", err)
		}
		out = append(out, su)
	}
	return out, rows.Err()
}

// UpdateSignup changes a sign-up's state and attempt count. A sign-up that is
// done or expired drops its sealed number: nothing is kept that is not needed.
func (s q) UpdateSignup(ctx context.Context, id string, st tocsin.SignupState, attempts int) error {
	query := `UPDATE signups SET state = $1, attempts = $2 WHERE id = $3`
	if st == tocsin.SignupDone || st == tocsin.SignupExpired {
		query = `UPDATE signups SET state = $1, attempts = $2, sealed = ''::bytea, code_hash = ''::bytea WHERE id = $3`
	}
	tag, err := s.db.Exec(ctx, query, string(st), attempts, id)
	if err != nil {
		return fmt.Errorf("update signup: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return notFound("sign-up")
	}
	return nil
}

// CountSignupsSince counts sign-ups created since t (the global rate limit).
func (s q) CountSignupsSince(ctx context.Context, since time.Time) (int, error) {
	var n int
	err := s.db.QueryRow(ctx, `SELECT count(*) FROM signups WHERE created_at >= $1`, since.Unix()).Scan(&n)
	return n, err
}

// RecordCodeSend notes a code sent to a number (by keyed hash).
func (s q) RecordCodeSend(ctx context.Context, hash []byte, at time.Time) error {
	_, err := s.db.Exec(ctx, `INSERT INTO code_sends (phone_hash, at) VALUES ($1, $2)`, hash, at.Unix())
	if err != nil {
		return fmt.Errorf("record code send: %w", err)
	}
	return nil
}

// CountCodeSends counts codes sent to a number since t.
func (s q) CountCodeSends(ctx context.Context, hash []byte, since time.Time) (int, error) {
	var n int
	err := s.db.QueryRow(ctx, `SELECT count(*) FROM code_sends WHERE phone_hash = $1 AND at >= $2`, hash, since.Unix()).Scan(&n)
	return n, err
}

// PurgeCodeSends forgets code sends before t, per number and per block.
func (s q) PurgeCodeSends(ctx context.Context, before time.Time) error {
	if _, err := s.db.Exec(ctx, `DELETE FROM code_sends WHERE at < $1`, before.Unix()); err != nil {
		return fmt.Errorf("purge code sends: %w", err)
	}
	return s.PurgeBlockCodes(ctx, before)
}

// CountSignupAttempt counts one attempt at a sign-up's code atomically.
func (s q) CountSignupAttempt(ctx context.Context, id string, now time.Time, maxAttempts int) (*tocsin.Signup, error) {
	var su tocsin.Signup
	err := sqlrow.Signup(s.db.QueryRow(ctx, `UPDATE signups SET attempts = attempts + 1
		WHERE id = $1 AND state IN ('pending', 'code_sent') AND expires_at > $2 AND attempts < $3
		RETURNING `+sqlrow.SignupCols, id, now.Unix(), maxAttempts), &su)
	if errors.Is(err, pgx.ErrNoRows) {
		if _, err := s.GetSignup(ctx, id); err != nil {
			return nil, err
		}
		return nil, conflict("this sign-up can no longer be confirmed")
	}
	if err != nil {
		return nil, fmt.Errorf("count signup attempt: %w", err)
	}
	return &su, nil
}

// ActiveAreas returns every area of every active subscriber, and the
// highest subscriber id.
func (s q) ActiveAreas(ctx context.Context) ([]store.AreaCandidate, int64, error) {
	var maxID int64
	if err := s.db.QueryRow(ctx, `SELECT coalesce(max(id), 0) FROM subscribers`).Scan(&maxID); err != nil {
		return nil, 0, fmt.Errorf("active areas: %w", err)
	}
	out, err := s.activeAreas(ctx)
	return out, maxID, err
}

// SubscribersChangedSince returns subscribers added after afterID or
// updated since.
func (s q) SubscribersChangedSince(ctx context.Context, afterID int64, since time.Time) ([]int64, error) {
	rows, err := s.db.Query(ctx, `SELECT id FROM subscribers WHERE id > $1 UNION SELECT id FROM subscribers WHERE updated_at >= $2`, afterID, since.Unix())
	if err != nil {
		return nil, fmt.Errorf("changed subscribers: %w", err)
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

func (s q) activeAreas(ctx context.Context) ([]store.AreaCandidate, error) {
	rows, err := s.db.Query(ctx, `SELECT subscriber_id, zip, cell, radius_m FROM subscriber_areas WHERE active`)
	if err != nil {
		return nil, fmt.Errorf("active areas: %w", err)
	}
	defer rows.Close()
	var out []store.AreaCandidate
	for rows.Next() {
		var c store.AreaCandidate
		var cell int64
		if err := rows.Scan(&c.SubscriberID, &c.ZIP, &cell, &c.RadiusM); err != nil {
			return nil, fmt.Errorf("scan area: %w", err)
		}
		c.Cell = uint64(cell)
		out = append(out, c)
	}
	return out, rows.Err()
}
