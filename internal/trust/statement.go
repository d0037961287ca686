package trust

import "github.com/tocsin/tocsin/internal/trust/statement"

// The alert statement and its codec are in package statement; the trust
// core names them as its own, so a caller needs only trust.

// Statement is exactly what an alert sends, to whom and when (see
// statement.Statement).
type Statement = statement.Statement

// Circle is a statement's target circle (see statement.Circle).
type Circle = statement.Circle

// ErrInvalidStatement is wrapped by every error about a statement that
// cannot be encoded or decoded.
var ErrInvalidStatement = statement.ErrInvalid

// The statement's header line and limits (see package statement).
const (
	StatementHeader   = statement.Header
	MaxTextBytes      = statement.MaxTextBytes
	MaxStatementZIPs  = statement.MaxZIPs
	MaxStatementCells = statement.MaxCells
	MaxAudience       = statement.MaxAudience
	MinCircleRadiusM  = statement.MinCircleRadiusM
	MaxCircleRadiusM  = statement.MaxCircleRadiusM
)

// NewAlertID returns a fresh random alert id (see statement.NewAlertID).
func NewAlertID() string { return statement.NewAlertID() }

// DecodeStatement parses a canonical statement, strictly.
func DecodeStatement(b []byte) (*Statement, error) { return statement.Decode(b) }
