package store

import (
	"context"
	"time"

	"github.com/tocsin/tocsin"
	"github.com/tocsin/tocsin/internal/audit"
)

// APIKeys stores keys to the keyed API, real and canary.
type APIKeys interface {
	// CreateAPIKey stores a key; ECONFLICT if its id or hash is taken.
	CreateAPIKey(ctx context.Context, k *tocsin.APIKey) error
	// GetAPIKeyByHash finds a key by the SHA-256 of the whole key.
	GetAPIKeyByHash(ctx context.Context, hash []byte) (*tocsin.APIKey, error)
	ListAPIKeys(ctx context.Context) ([]tocsin.APIKey, error)
	TouchAPIKey(ctx context.Context, id string, at time.Time) error
	RevokeAPIKey(ctx context.Context, id string, at time.Time) error
}

// Operators stores operators, enrolment links and sessions.
type Operators interface {
	CreateOperator(ctx context.Context, o *tocsin.Operator) error
	GetOperator(ctx context.Context, id int64) (*tocsin.Operator, error)
	GetOperatorByName(ctx context.Context, username string) (*tocsin.Operator, error)
	ListOperators(ctx context.Context) ([]tocsin.Operator, error)
	UpdateOperator(ctx context.Context, o *tocsin.Operator) error
	// CountLoginFailure adds one password failure to an operator atomically
	// and returns the new count; a count whose last failure is before since
	// starts again at 1.
	CountLoginFailure(ctx context.Context, id int64, at, since time.Time) (int, error)
	// CountCodeFailure adds one second-factor failure to an operator
	// atomically and returns the new count.
	CountCodeFailure(ctx context.Context, id int64, at time.Time) (int, error)
	CountOperators(ctx context.Context) (int, error)

	CreateEnrolment(ctx context.Context, e *tocsin.Enrolment) error
	GetEnrolment(ctx context.Context, tokenHash []byte) (*tocsin.Enrolment, error)
	SetEnrolmentSecret(ctx context.Context, tokenHash []byte, secret string) error
	DeleteEnrolment(ctx context.Context, tokenHash []byte) error

	CreateSession(ctx context.Context, s *tocsin.Session) error
	GetSession(ctx context.Context, tokenHash []byte) (*tocsin.Session, error)
	DeleteSession(ctx context.Context, tokenHash []byte) error
}

// Audit stores the audit trail as a hash chain (package audit).
type Audit interface {
	// AppendAudit appends an entry with the next id, chained to the last.
	AppendAudit(ctx context.Context, e *tocsin.AuditEntry) error
	ListAudit(ctx context.Context, limit int) ([]tocsin.AuditEntry, error)
	// AuditChain returns the whole trail in id order with its chain fields.
	AuditChain(ctx context.Context) ([]audit.Link, error)
}
