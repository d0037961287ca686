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
	// Failures counts wrong passwords from any source within
	// auth.FailureWindow of the previous one; LastFailure is the last.
	// They never close the account (see auth.UnderAttack).
	Failures    int
	LastFailure time.Time
	// CodeFailures counts wrong second-factor codes since the last good
	// login: only someone who knows the password causes them.
	CodeFailures    int
	LastCodeFailure time.Time
	Enrolled        bool
	CreatedAt       time.Time
	// Canary: a decoy account that never logs in; any attempt is a
	// security event.
	Canary bool
}

// APIKey is a key to tocsin's keyed API (partner integrations), or a canary
// of the same format. Only the hash of the key is kept.
type APIKey struct {
	ID         string // the key's public prefix, e.g. "tsk_3kF9aQ2x"
	Name       string
	Hash       []byte // SHA-256 of the whole key
	Scope      string // APIScopeReportsRead
	Canary     bool
	CreatedAt  time.Time
	LastUsedAt time.Time
	RevokedAt  time.Time
}

// APIScopeReportsRead lets a key read the report queue.
const APIScopeReportsRead = "reports:read"

// Notice is a public incident notice: what happened, in plain words. It is
// a statement in the service's name: operators sign Statement (package
// trust's notice statement) as they sign an alert, and only the sender
// publishes it, by appending Statement to the transparency log. The title
// and body fields repeat the statement's text for the console; the public
// pages show the statement's own text.
type Notice struct {
	ID          string
	TitleEN     string
	TitleES     string
	BodyEN      string
	BodyES      string
	State       NoticeState
	Statement   []byte // the canonical notice statement operators sign
	CreatedBy   string
	CreatedAt   time.Time
	PublishedBy string    // the signers, as the sender counted them
	PublishedAt time.Time // when the sender appended it to the log
}

// NoticeState is where a notice stands.
type NoticeState string

// Notice states: composed, signed by enough operators (as the web tier
// counted them), published by the sender, refused by the sender.
const (
	NoticeDraft     NoticeState = "draft"
	NoticeApproved  NoticeState = "approved"
	NoticePublished NoticeState = "published"
	NoticeRefused   NoticeState = "refused"
)

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
