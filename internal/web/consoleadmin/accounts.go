package consoleadmin

// The accounts an administrator creates: operators who have yet to enrol
// and API keys, from the command line on the host; canary accounts and
// keys, from there or from the canaries screen.

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/tocsin/tocsin"
	"github.com/tocsin/tocsin/internal/auth"
	"github.com/tocsin/tocsin/internal/store"
	"github.com/tocsin/tocsin/internal/web/webkit"
)

// NewAPIKey creates an API key for the report queue (scope reports:read),
// or a canary key of the same form, and returns it: it is shown once, and
// only its hash is kept. The audit trail records which.
func NewAPIKey(ctx context.Context, st Tx, actor, name string, canary bool, now time.Time) (string, error) {
	name = strings.TrimSpace(name)
	if name == "" || utf8.RuneCountInString(name) > 60 {
		return "", tocsin.FieldError("name", "a key needs a name of 1 to 60 characters")
	}
	key, id, hash := auth.NewAPIKey()
	err := st.InWebTx(ctx, func(q store.WebQuerier) error {
		if err := q.CreateAPIKey(ctx, &tocsin.APIKey{ID: id, Name: name, Hash: hash, Scope: tocsin.APIScopeReportsRead, Canary: canary, CreatedAt: now}); err != nil {
			return err
		}
		action := "apikey.create"
		if canary {
			action = "canary.apikey.create"
		}
		return q.AppendAudit(ctx, &tocsin.AuditEntry{At: now, Actor: actor, Action: action, Subject: id, Detail: name})
	})
	if err != nil {
		return "", err
	}
	return key, nil
}

// NewCanaryOperator creates a decoy operator account: enrolled, with a
// random password nobody knows and a second factor nobody holds, so it
// never logs in; every attempt raises canary.login.
func NewCanaryOperator(ctx context.Context, st Tx, actor, username, role string, now time.Time) error {
	if _, err := auth.ParseRole(role); err != nil {
		return tocsin.FieldError("role", "the role must be admin, dispatcher or viewer")
	}
	if len(username) < 2 || len(username) > 40 {
		return tocsin.FieldError("name", "a name has 2 to 40 characters")
	}
	pw := make([]byte, 32)
	rand.Read(pw)
	hash, err := auth.HashPassword(base64.RawURLEncoding.EncodeToString(pw), auth.DefaultParams())
	if err != nil {
		return err
	}
	secret, _, err := auth.NewTOTP("tocsin", username)
	if err != nil {
		return err
	}
	return st.InWebTx(ctx, func(q store.WebQuerier) error {
		op := &tocsin.Operator{Username: username, Role: role, PasswordHash: hash, TOTPSecret: secret, Enrolled: true, Canary: true, CreatedAt: now}
		if err := q.CreateOperator(ctx, op); err != nil {
			return err
		}
		return q.AppendAudit(ctx, &tocsin.AuditEntry{At: now, Actor: actor, Action: "canary.operator.create", Subject: username})
	})
}

// NewOperator creates an operator who has yet to enrol and returns the path
// of a one-time enrolment link (/enrol/TOKEN). Only the token's hash is kept.
func NewOperator(ctx context.Context, st Tx, username, role string, now time.Time) (string, error) {
	if _, err := auth.ParseRole(role); err != nil {
		return "", tocsin.FieldError("role", "the role must be admin, dispatcher or viewer")
	}
	if len(username) < 2 || len(username) > 40 {
		return "", tocsin.FieldError("name", "a name has 2 to 40 characters")
	}
	token, hash := auth.NewToken()
	err := st.InWebTx(ctx, func(q store.WebQuerier) error {
		op := &tocsin.Operator{Username: username, Role: role, CreatedAt: now}
		if err := q.CreateOperator(ctx, op); err != nil {
			return err
		}
		if err := q.CreateEnrolment(ctx, &tocsin.Enrolment{TokenHash: hash, OperatorID: op.ID, ExpiresAt: now.Add(webkit.EnrolmentTTL)}); err != nil {
			return err
		}
		return q.AppendAudit(ctx, &tocsin.AuditEntry{At: now, Actor: "cli", Action: "operator.add", Subject: username, Detail: "role " + role})
	})
	if err != nil {
		return "", err
	}
	return "/enrol/" + token, nil
}

// Tx is a store that runs the web tier's operations in one transaction:
// an account and its audit entry are written together.
type Tx interface {
	InWebTx(ctx context.Context, fn func(q store.WebQuerier) error) error
}
