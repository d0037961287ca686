package sqlrow

import (
	"context"
	"fmt"
	"time"

	"github.com/tocsin/tocsin"
)

// Operators, enrolment links and sessions: the statements read the same in
// both dialects.

// CreateOperator stores a new operator; ECONFLICT if the name is taken.
func (s Shared) CreateOperator(ctx context.Context, o *tocsin.Operator) error {
	// ON CONFLICT DO NOTHING: a taken name returns no row instead of
	// raising an error that would abort the caller's transaction.
	err := s.Conn.QueryRow(ctx, `INSERT INTO operators (username, role, password_hash, totp_secret, enrolled, created_at, canary) VALUES (?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (username) DO NOTHING RETURNING id`,
		o.Username, o.Role, o.PasswordHash, o.TOTPSecret, s.Conn.Bool(o.Enrolled), Unix(o.CreatedAt), s.Conn.Bool(o.Canary)).Scan(&o.ID)
	if s.Conn.NoRows(err) || s.Conn.Unique(err) {
		return conflict("an operator named %q exists already", o.Username)
	}
	if err != nil {
		return fmt.Errorf("create operator: %w", err)
	}
	return nil
}

// GetOperator returns an operator by id.
func (s Shared) GetOperator(ctx context.Context, id int64) (*tocsin.Operator, error) {
	var o tocsin.Operator
	if err := one(s.Conn, Operator(s.Conn.QueryRow(ctx, `SELECT `+OperatorCols+` FROM operators WHERE id = ?`, id), &o), "operator"); err != nil {
		return nil, err
	}
	return &o, nil
}

// GetOperatorByName returns an operator by username.
func (s Shared) GetOperatorByName(ctx context.Context, name string) (*tocsin.Operator, error) {
	var o tocsin.Operator
	if err := one(s.Conn, Operator(s.Conn.QueryRow(ctx, `SELECT `+OperatorCols+` FROM operators WHERE username = ?`, name), &o), "operator"); err != nil {
		return nil, err
	}
	return &o, nil
}

// ListOperators returns every operator by name.
func (s Shared) ListOperators(ctx context.Context) ([]tocsin.Operator, error) {
	var out []tocsin.Operator
	err := s.Conn.Each(ctx, `SELECT `+OperatorCols+` FROM operators ORDER BY username`, nil, func(sc Scanner) error {
		var o tocsin.Operator
		if err := Operator(sc, &o); err != nil {
			return err
		}
		out = append(out, o)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list operators: %w", err)
	}
	return out, nil
}

// UpdateOperator saves an operator's credentials and counters.
func (s Shared) UpdateOperator(ctx context.Context, o *tocsin.Operator) error {
	n, err := s.Conn.Exec(ctx, `UPDATE operators SET role = ?, password_hash = ?, totp_secret = ?, totp_last_step = ?, failures = ?, last_failure = ?, enrolled = ?,
		code_failures = ?, last_code_failure = ? WHERE id = ?`,
		o.Role, o.PasswordHash, o.TOTPSecret, o.TOTPLastStep, o.Failures, Unix(o.LastFailure), s.Conn.Bool(o.Enrolled), o.CodeFailures, Unix(o.LastCodeFailure), o.ID)
	if err != nil {
		return fmt.Errorf("update operator: %w", err)
	}
	if n == 0 {
		return notFound("operator")
	}
	return nil
}

// CountOperators counts operators.
func (s Shared) CountOperators(ctx context.Context) (int, error) {
	var n int
	err := s.Conn.QueryRow(ctx, `SELECT count(*) FROM operators`).Scan(&n)
	return n, err
}

// CreateEnrolment stores a one-time enrolment link (by token hash).
func (s Shared) CreateEnrolment(ctx context.Context, e *tocsin.Enrolment) error {
	_, err := s.Conn.Exec(ctx, `INSERT INTO enrolments (token_hash, operator_id, totp_secret, expires_at) VALUES (?, ?, ?, ?)`,
		e.TokenHash, e.OperatorID, e.TOTPSecret, Unix(e.ExpiresAt))
	if err != nil {
		return fmt.Errorf("create enrolment: %w", err)
	}
	return nil
}

// GetEnrolment returns an enrolment by token hash.
func (s Shared) GetEnrolment(ctx context.Context, hash []byte) (*tocsin.Enrolment, error) {
	e := tocsin.Enrolment{TokenHash: hash}
	var exp int64
	err := s.Conn.QueryRow(ctx, `SELECT operator_id, totp_secret, expires_at FROM enrolments WHERE token_hash = ?`, hash).Scan(&e.OperatorID, &e.TOTPSecret, &exp)
	if err := one(s.Conn, err, "enrolment link"); err != nil {
		return nil, err
	}
	e.ExpiresAt = FromUnix(exp)
	return &e, nil
}

// SetEnrolmentSecret records the TOTP secret offered on an enrolment page.
func (s Shared) SetEnrolmentSecret(ctx context.Context, hash []byte, secret string) error {
	_, err := s.Conn.Exec(ctx, `UPDATE enrolments SET totp_secret = ? WHERE token_hash = ?`, secret, hash)
	if err != nil {
		return fmt.Errorf("set enrolment secret: %w", err)
	}
	return nil
}

// DeleteEnrolment consumes an enrolment link.
func (s Shared) DeleteEnrolment(ctx context.Context, hash []byte) error {
	_, err := s.Conn.Exec(ctx, `DELETE FROM enrolments WHERE token_hash = ?`, hash)
	if err != nil {
		return fmt.Errorf("delete enrolment: %w", err)
	}
	return nil
}

// CreateSession stores a session by token hash.
func (s Shared) CreateSession(ctx context.Context, se *tocsin.Session) error {
	_, err := s.Conn.Exec(ctx, `INSERT INTO sessions (token_hash, operator_id, mfa, expires_at) VALUES (?, ?, ?, ?)`,
		se.TokenHash, se.OperatorID, s.Conn.Bool(se.MFA), Unix(se.ExpiresAt))
	if err != nil {
		return fmt.Errorf("create session: %w", err)
	}
	return nil
}

// GetSession returns a session by token hash.
func (s Shared) GetSession(ctx context.Context, hash []byte) (*tocsin.Session, error) {
	se := tocsin.Session{TokenHash: hash}
	var exp int64
	err := s.Conn.QueryRow(ctx, `SELECT operator_id, mfa, expires_at FROM sessions WHERE token_hash = ?`, hash).Scan(&se.OperatorID, &se.MFA, &exp)
	if err := one(s.Conn, err, "session"); err != nil {
		return nil, err
	}
	se.ExpiresAt = FromUnix(exp)
	return &se, nil
}

// DeleteSession ends a session.
func (s Shared) DeleteSession(ctx context.Context, hash []byte) error {
	_, err := s.Conn.Exec(ctx, `DELETE FROM sessions WHERE token_hash = ?`, hash)
	if err != nil {
		return fmt.Errorf("delete session: %w", err)
	}
	return nil
}

// DeleteExpiredSessions removes sessions and enrolment links past expiry.
func (s Shared) DeleteExpiredSessions(ctx context.Context, now time.Time) error {
	if _, err := s.Conn.Exec(ctx, `DELETE FROM sessions WHERE expires_at <= ?`, now.Unix()); err != nil {
		return fmt.Errorf("delete expired sessions: %w", err)
	}
	if _, err := s.Conn.Exec(ctx, `DELETE FROM enrolments WHERE expires_at <= ?`, now.Unix()); err != nil {
		return fmt.Errorf("delete expired enrolments: %w", err)
	}
	return nil
}

// CountLoginFailure adds one password failure atomically and returns the
// new count; a count whose last failure is before since starts again at 1.
func (s Shared) CountLoginFailure(ctx context.Context, id int64, at, since time.Time) (int, error) {
	var n int
	err := s.Conn.QueryRow(ctx, `UPDATE operators SET failures = CASE WHEN last_failure < ? THEN 1 ELSE failures + 1 END, last_failure = ?
		WHERE id = ? RETURNING failures`, Unix(since), Unix(at), id).Scan(&n)
	if err := one(s.Conn, err, "operator"); err != nil {
		return 0, err
	}
	return n, nil
}

// CountCodeFailure adds one second-factor failure atomically and returns
// the new count.
func (s Shared) CountCodeFailure(ctx context.Context, id int64, at time.Time) (int, error) {
	var n int
	err := s.Conn.QueryRow(ctx, `UPDATE operators SET code_failures = code_failures + 1, last_code_failure = ? WHERE id = ? RETURNING code_failures`, Unix(at), id).Scan(&n)
	if err := one(s.Conn, err, "operator"); err != nil {
		return 0, err
	}
	return n, nil
}
