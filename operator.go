package tocsin

import "time"

// Operator roles.
const (
	RoleAdmin      = "admin"
	RoleDispatcher = "dispatcher"
	RoleViewer     = "viewer"
)

// Operator is a trained volunteer or administrator who uses the console.
type Operator struct {
	ID           int64
	Username     string
	Role         string
	PasswordHash string // argon2id PHC string
	TOTPSecret   string
	TOTPLastStep int64 // the last TOTP step accepted: a code is never accepted twice
	Failures     int
	LastFailure  time.Time
	Enrolled     bool
	CreatedAt    time.Time
}

// Enrolment is a one-time link that lets an operator set a password and a
// second factor. Only the hash of its token is stored.
type Enrolment struct {
	TokenHash  []byte
	OperatorID int64
	TOTPSecret string // generated when the link is first opened
	ExpiresAt  time.Time
}

// Session is a signed-in console session. MFA is false between the password
// and the second factor; such a session can do nothing but finish logging in.
type Session struct {
	TokenHash  []byte
	OperatorID int64
	MFA        bool
	ExpiresAt  time.Time
}

// AuditEntry records one operator, API or security action.
type AuditEntry struct {
	ID      int64
	At      time.Time
	Actor   string // operator username, "system", "sender" or "public"
	Action  string // e.g. "report.state", "alert.approve", "login.fail"
	Subject string // the id acted on
	Detail  string // never a phone number, IP address or report text
}
