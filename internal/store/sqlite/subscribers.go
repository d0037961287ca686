package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/tocsin/tocsin"
	"github.com/tocsin/tocsin/internal/store"
	"github.com/tocsin/tocsin/internal/store/sqlrow"
)

func (s q) getSubscriber(ctx context.Context, where string, arg any) (*tocsin.Subscriber, error) {
	var sub tocsin.Subscriber
	err := sqlrow.Subscriber(s.db.QueryRowContext(ctx, `SELECT `+sqlrow.SubscriberCols+` FROM subscribers WHERE `+where, arg), &sub)
	if err := one(err, "subscriber"); err != nil {
		return nil, err
	}
	rows, err := s.db.QueryContext(ctx, `SELECT zip, cell, radius_m FROM subscriber_areas WHERE subscriber_id = ? ORDER BY rowid`, sub.ID)
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
	return s.getSubscriber(ctx, `phone_hash = ?`, hash)
}

// GetSubscriber finds a subscriber by id.
func (s q) GetSubscriber(ctx context.Context, id int64) (*tocsin.Subscriber, error) {
	return s.getSubscriber(ctx, `id = ?`, id)
}

// SaveSubscriber inserts or updates a subscriber and replaces its areas.
func (s q) SaveSubscriber(ctx context.Context, sub *tocsin.Subscriber) error {
	return s.atomic(ctx, func(s q) error { return s.saveSubscriber(ctx, sub) })
}

func (s q) saveSubscriber(ctx context.Context, sub *tocsin.Subscriber) error {
	if sub.ID == 0 {
		err := s.db.QueryRowContext(ctx, `INSERT INTO subscribers (phone_hash, sealed, lang, active, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id`,
			sub.PhoneHash, sub.Sealed, sub.Lang, boolInt(sub.Active), sqlrow.Unix(sub.CreatedAt), sqlrow.Unix(sub.UpdatedAt)).Scan(&sub.ID)
		if isUnique(err) {
			return conflict("a subscriber with this number exists already")
		}
		if err != nil {
			return fmt.Errorf("insert subscriber: %w", err)
		}
	} else {
		res, err := s.db.ExecContext(ctx, `UPDATE subscribers SET sealed = ?, lang = ?, active = ?, updated_at = ? WHERE id = ?`,
			sub.Sealed, sub.Lang, boolInt(sub.Active), sqlrow.Unix(sub.UpdatedAt), sub.ID)
		if err != nil {
			return fmt.Errorf("update subscriber: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return notFound("subscriber")
		}
		if _, err := s.db.ExecContext(ctx, `DELETE FROM subscriber_areas WHERE subscriber_id = ?`, sub.ID); err != nil {
			return fmt.Errorf("clear areas: %w", err)
		}
	}
	for _, a := range sub.Areas {
		if _, err := s.db.ExecContext(ctx, `INSERT INTO subscriber_areas (subscriber_id, zip, cell, radius_m, active) VALUES (?, ?, ?, ?, ?)`,
			sub.ID, a.ZIP, int64(a.Cell), a.RadiusM, boolInt(sub.Active)); err != nil {
			return fmt.Errorf("insert area: %w", err)
		}
	}
	return nil
}

// CountSubscribers counts active subscribers.
func (s q) CountSubscribers(ctx context.Context) (int, error) {
	var n int
	err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM subscribers WHERE active = 1`).Scan(&n)
	return n, err
}

// AreaCandidates returns areas of active subscribers that q selects. Cell
// ids are stored as int64 bits, so a range that crosses the sign bit is
// split in two.
func (s q) AreaCandidates(ctx context.Context, aq store.AreaQuery) ([]store.AreaCandidate, error) {
	var out []store.AreaCandidate
	type key struct {
		id   int64
		cell int64
		zip  string
	}
	seen := make(map[key]bool)
	add := func(query string, args ...any) error {
		rows, err := s.db.QueryContext(ctx, query, args...)
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
	const sel = `SELECT subscriber_id, zip, cell, radius_m FROM subscriber_areas WHERE active = 1 AND `
	cond := `radius_m > ?`
	args := []any{aq.MinRadiusM}
	if aq.MaxRadiusM > 0 {
		cond += ` AND radius_m <= ?`
		args = append(args, aq.MaxRadiusM)
	}
	if aq.PointsOnly {
		cond += ` AND zip = ''`
	}
	if aq.MinRadiusM <= 0 {
		cond = strings.Replace(cond, `radius_m > ?`, `radius_m >= ?`, 1)
	}
	for _, r := range aq.Ranges {
		for _, part := range sqlrow.SignedRanges(r) {
			if err := add(sel+`cell BETWEEN ? AND ? AND `+cond, append([]any{part[0], part[1]}, args...)...); err != nil {
				return nil, err
			}
		}
	}
	if len(aq.ZIPs) > 0 {
		zargs := make([]any, len(aq.ZIPs))
		for i, z := range aq.ZIPs {
			zargs[i] = z
		}
		if err := add(sel+`zip IN (`+placeholders(len(aq.ZIPs))+`)`, zargs...); err != nil {
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
	_, err = s.db.ExecContext(ctx, `INSERT INTO signups (id, sealed, code_hash, lang, area, state, attempts, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		su.ID, su.Sealed, su.CodeHash, su.Lang, area, su.State, su.Attempts, sqlrow.Unix(su.CreatedAt), sqlrow.Unix(su.ExpiresAt))
	if err != nil {
		return fmt.Errorf("create signup: %w", err)
	}
	return nil
}

// GetSignup returns one sign-up.
func (s q) GetSignup(ctx context.Context, id string) (*tocsin.Signup, error) {
	var su tocsin.Signup
	if err := one(sqlrow.Signup(s.db.QueryRowContext(ctx, `SELECT `+sqlrow.SignupCols+` FROM signups WHERE id = ?`, id), &su), "sign-up"); err != nil {
		return nil, err
	}
	return &su, nil
}

// ListSignups returns sign-ups in a state, oldest first.
func (s q) ListSignups(ctx context.Context, st tocsin.SignupState, limit int) ([]tocsin.Signup, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+sqlrow.SignupCols+` FROM signups WHERE state = ? ORDER BY created_at, id LIMIT ?`, st, limit)
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
	query := `UPDATE signups SET state = ?, attempts = ? WHERE id = ?`
	if st == tocsin.SignupDone || st == tocsin.SignupExpired {
		query = `UPDATE signups SET state = ?, attempts = ?, sealed = x'', code_hash = x'' WHERE id = ?`
	}
	res, err := s.db.ExecContext(ctx, query, st, attempts, id)
	if err != nil {
		return fmt.Errorf("update signup: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return notFound("sign-up")
	}
	return nil
}

// CountSignupsSince counts sign-ups created since t (the global rate limit).
func (s q) CountSignupsSince(ctx context.Context, since time.Time) (int, error) {
	var n int
	err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM signups WHERE created_at >= ?`, since.Unix()).Scan(&n)
	return n, err
}

// RecordCodeSend notes a code sent to a number (by keyed hash).
func (s q) RecordCodeSend(ctx context.Context, hash []byte, at time.Time) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO code_sends (phone_hash, at) VALUES (?, ?)`, hash, at.Unix())
	if err != nil {
		return fmt.Errorf("record code send: %w", err)
	}
	return nil
}

// CountCodeSends counts codes sent to a number since t.
func (s q) CountCodeSends(ctx context.Context, hash []byte, since time.Time) (int, error) {
	var n int
	err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM code_sends WHERE phone_hash = ? AND at >= ?`, hash, since.Unix()).Scan(&n)
	return n, err
}

// PurgeCodeSends forgets code sends before t, per number and per block.
func (s q) PurgeCodeSends(ctx context.Context, before time.Time) error {
	if _, err := s.db.ExecContext(ctx, `DELETE FROM code_sends WHERE at < ?`, before.Unix()); err != nil {
		return fmt.Errorf("purge code sends: %w", err)
	}
	return s.PurgeBlockCodes(ctx, before)
}

// CountSignupAttempt counts one attempt at a sign-up's code atomically.
func (s q) CountSignupAttempt(ctx context.Context, id string, now time.Time, maxAttempts int) (*tocsin.Signup, error) {
	var su tocsin.Signup
	err := sqlrow.Signup(s.db.QueryRowContext(ctx, `UPDATE signups SET attempts = attempts + 1
		WHERE id = ? AND state IN ('pending', 'code_sent') AND expires_at > ? AND attempts < ?
		RETURNING `+sqlrow.SignupCols, id, now.Unix(), maxAttempts), &su)
	if errors.Is(err, sql.ErrNoRows) {
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
	if err := s.db.QueryRowContext(ctx, `SELECT coalesce(max(id), 0) FROM subscribers`).Scan(&maxID); err != nil {
		return nil, 0, fmt.Errorf("active areas: %w", err)
	}
	out, err := s.activeAreas(ctx)
	return out, maxID, err
}

// SubscribersChangedSince returns subscribers added after afterID or
// updated since.
func (s q) SubscribersChangedSince(ctx context.Context, afterID int64, since time.Time) ([]int64, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id FROM subscribers WHERE id > ? UNION SELECT id FROM subscribers WHERE updated_at >= ?`, afterID, since.Unix())
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
	rows, err := s.db.QueryContext(ctx, `SELECT subscriber_id, zip, cell, radius_m FROM subscriber_areas WHERE active = 1`)
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
