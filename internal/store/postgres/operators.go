package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/tocsin/tocsin"
	"github.com/tocsin/tocsin/internal/store/sqlrow"
)

// CreateOperator stores a new operator; ECONFLICT if the name is taken.
// ON CONFLICT DO NOTHING: a taken name returns no row instead of raising an
// error that would abort the caller's transaction.
func (s q) CreateOperator(ctx context.Context, o *tocsin.Operator) error {
	var id int64
	err := s.db.QueryRow(ctx, `INSERT INTO operators (username, role, password_hash, totp_secret, enrolled, created_at, canary) VALUES ($1, $2, $3, $4, $5, $6, $7)
		ON CONFLICT (username) DO NOTHING RETURNING id`,
		o.Username, o.Role, o.PasswordHash, o.TOTPSecret, o.Enrolled, sqlrow.Unix(o.CreatedAt), o.Canary).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) || isUnique(err) {
		return conflict("an operator named %q exists already", o.Username)
	}
	if err != nil {
		return fmt.Errorf("create operator: %w", err)
	}
	o.ID = id
	return nil
}

// GetOperator returns an operator by id.
func (s q) GetOperator(ctx context.Context, id int64) (*tocsin.Operator, error) {
	var o tocsin.Operator
	if err := one(sqlrow.Operator(s.db.QueryRow(ctx, `SELECT `+sqlrow.OperatorCols+` FROM operators WHERE id = $1`, id), &o), "operator"); err != nil {
		return nil, err
	}
	return &o, nil
}

// GetOperatorByName returns an operator by username.
func (s q) GetOperatorByName(ctx context.Context, name string) (*tocsin.Operator, error) {
	var o tocsin.Operator
	if err := one(sqlrow.Operator(s.db.QueryRow(ctx, `SELECT `+sqlrow.OperatorCols+` FROM operators WHERE username = $1`, name), &o), "operator"); err != nil {
		return nil, err
	}
	return &o, nil
}

// ListOperators returns every operator by name.
func (s q) ListOperators(ctx context.Context) ([]tocsin.Operator, error) {
	rows, err := s.db.Query(ctx, `SELECT `+sqlrow.OperatorCols+` FROM operators ORDER BY username`)
	if err != nil {
		return nil, fmt.Errorf("list operators: %w", err)
	}
	defer rows.Close()
	var out []tocsin.Operator
	for rows.Next() {
		var o tocsin.Operator
		if err := sqlrow.Operator(rows, &o); err != nil {
			return nil, fmt.Errorf("scan operator: %w", err)
		}
		out = append(out, o)
	}
	return out, rows.Err()
}

// UpdateOperator saves an operator's credentials and counters.
func (s q) UpdateOperator(ctx context.Context, o *tocsin.Operator) error {
	tag, err := s.db.Exec(ctx, `UPDATE operators SET role = $1, password_hash = $2, totp_secret = $3, totp_last_step = $4, failures = $5, last_failure = $6, enrolled = $7 WHERE id = $8`,
		o.Role, o.PasswordHash, o.TOTPSecret, o.TOTPLastStep, o.Failures, sqlrow.Unix(o.LastFailure), o.Enrolled, o.ID)
	if err != nil {
		return fmt.Errorf("update operator: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return notFound("operator")
	}
	return nil
}

// CountOperators counts operators.
func (s q) CountOperators(ctx context.Context) (int, error) {
	var n int
	err := s.db.QueryRow(ctx, `SELECT count(*) FROM operators`).Scan(&n)
	return n, err
}

// CreateEnrolment stores a one-time enrolment link (by token hash).
func (s q) CreateEnrolment(ctx context.Context, e *tocsin.Enrolment) error {
	_, err := s.db.Exec(ctx, `INSERT INTO enrolments (token_hash, operator_id, totp_secret, expires_at) VALUES ($1, $2, $3, $4)`,
		e.TokenHash, e.OperatorID, e.TOTPSecret, sqlrow.Unix(e.ExpiresAt))
	if err != nil {
		return fmt.Errorf("create enrolment: %w", err)
	}
	return nil
}

// GetEnrolment returns an enrolment by token hash.
func (s q) GetEnrolment(ctx context.Context, hash []byte) (*tocsin.Enrolment, error) {
	e := tocsin.Enrolment{TokenHash: hash}
	var exp int64
	err := s.db.QueryRow(ctx, `SELECT operator_id, totp_secret, expires_at FROM enrolments WHERE token_hash = $1`, hash).Scan(&e.OperatorID, &e.TOTPSecret, &exp)
	if err := one(err, "enrolment link"); err != nil {
		return nil, err
	}
	e.ExpiresAt = sqlrow.FromUnix(exp)
	return &e, nil
}

// SetEnrolmentSecret records the TOTP secret offered on an enrolment page.
func (s q) SetEnrolmentSecret(ctx context.Context, hash []byte, secret string) error {
	_, err := s.db.Exec(ctx, `UPDATE enrolments SET totp_secret = $1 WHERE token_hash = $2`, secret, hash)
	if err != nil {
		return fmt.Errorf("set enrolment secret: %w", err)
	}
	return nil
}

// DeleteEnrolment consumes an enrolment link.
func (s q) DeleteEnrolment(ctx context.Context, hash []byte) error {
	_, err := s.db.Exec(ctx, `DELETE FROM enrolments WHERE token_hash = $1`, hash)
	if err != nil {
		return fmt.Errorf("delete enrolment: %w", err)
	}
	return nil
}

// CreateSession stores a session by token hash.
func (s q) CreateSession(ctx context.Context, se *tocsin.Session) error {
	_, err := s.db.Exec(ctx, `INSERT INTO sessions (token_hash, operator_id, mfa, expires_at) VALUES ($1, $2, $3, $4)`,
		se.TokenHash, se.OperatorID, se.MFA, sqlrow.Unix(se.ExpiresAt))
	if err != nil {
		return fmt.Errorf("create session: %w", err)
	}
	return nil
}

// GetSession returns a session by token hash.
func (s q) GetSession(ctx context.Context, hash []byte) (*tocsin.Session, error) {
	se := tocsin.Session{TokenHash: hash}
	var exp int64
	err := s.db.QueryRow(ctx, `SELECT operator_id, mfa, expires_at FROM sessions WHERE token_hash = $1`, hash).Scan(&se.OperatorID, &se.MFA, &exp)
	if err := one(err, "session"); err != nil {
		return nil, err
	}
	se.ExpiresAt = sqlrow.FromUnix(exp)
	return &se, nil
}

// DeleteSession ends a session.
func (s q) DeleteSession(ctx context.Context, hash []byte) error {
	_, err := s.db.Exec(ctx, `DELETE FROM sessions WHERE token_hash = $1`, hash)
	if err != nil {
		return fmt.Errorf("delete session: %w", err)
	}
	return nil
}

// DeleteExpiredSessions removes sessions and enrolment links past expiry.
func (s q) DeleteExpiredSessions(ctx context.Context, now time.Time) error {
	if _, err := s.db.Exec(ctx, `DELETE FROM sessions WHERE expires_at <= $1`, now.Unix()); err != nil {
		return fmt.Errorf("delete expired sessions: %w", err)
	}
	if _, err := s.db.Exec(ctx, `DELETE FROM enrolments WHERE expires_at <= $1`, now.Unix()); err != nil {
		return fmt.Errorf("delete expired enrolments: %w", err)
	}
	return nil
}

// CountLoginFailure adds one failure atomically and returns the new count.
func (s q) CountLoginFailure(ctx context.Context, id int64, at time.Time) (int, error) {
	var n int
	err := s.db.QueryRow(ctx, `UPDATE operators SET failures = failures + 1, last_failure = $1 WHERE id = $2 RETURNING failures`, at.Unix(), id).Scan(&n)
	if err := one(err, "operator"); err != nil {
		return 0, err
	}
	return n, nil
}
