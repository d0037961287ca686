package sqlrow

import (
	"context"
	"time"

	"github.com/tocsin/tocsin"
	"github.com/tocsin/tocsin/internal/store"
)

// Shared implements, over a Conn, the store methods whose statements read
// the same in every dialect. A driver embeds it in its querier.
type Shared struct{ Conn Conn }

func (s Shared) TryLease(ctx context.Context, name, holder string, now time.Time, ttl time.Duration) (bool, error) {
	return TryLease(ctx, s.Conn, name, holder, now, ttl)
}

func (s Shared) DropLease(ctx context.Context, name, holder string) error {
	return DropLease(ctx, s.Conn, name, holder)
}

func (s Shared) CountLeases(ctx context.Context, prefix string, now time.Time) (int, error) {
	return CountLeases(ctx, s.Conn, prefix, now)
}

func (s Shared) RecordStart(ctx context.Context, a *store.AlertStart) error {
	return RecordStart(ctx, s.Conn, a)
}

func (s Shared) GetStart(ctx context.Context, alertID string) (*store.AlertStart, error) {
	return GetStart(ctx, s.Conn, alertID)
}

func (s Shared) StartsSince(ctx context.Context, t time.Time) ([]store.AlertStart, error) {
	return StartsSince(ctx, s.Conn, t)
}

// API keys (notices: signed/notices.go).

func (s Shared) CreateAPIKey(ctx context.Context, k *tocsin.APIKey) error {
	return CreateAPIKey(ctx, s.Conn, k)
}

func (s Shared) GetAPIKeyByHash(ctx context.Context, hash []byte) (*tocsin.APIKey, error) {
	return GetAPIKeyByHash(ctx, s.Conn, hash)
}

func (s Shared) ListAPIKeys(ctx context.Context) ([]tocsin.APIKey, error) {
	return ListAPIKeys(ctx, s.Conn)
}

func (s Shared) TouchAPIKey(ctx context.Context, id string, at time.Time) error {
	return TouchAPIKey(ctx, s.Conn, id, at)
}

func (s Shared) RevokeAPIKey(ctx context.Context, id string, at time.Time) error {
	return RevokeAPIKey(ctx, s.Conn, id, at)
}

// Security events.

func (s Shared) AddSecurityEvent(ctx context.Context, e *store.SecurityEvent) error {
	return AddSecurityEvent(ctx, s.Conn, e)
}

func (s Shared) ListSecurityEvents(ctx context.Context, limit int) ([]store.SecurityEvent, error) {
	return ListSecurityEvents(ctx, s.Conn, limit)
}

func (s Shared) SecurityEventsBetween(ctx context.Context, from, to time.Time) ([]store.SecurityEvent, error) {
	return SecurityEventsBetween(ctx, s.Conn, from, to)
}

func (s Shared) UnnotifiedEvents(ctx context.Context, severities []string, limit int) ([]store.SecurityEvent, error) {
	return UnnotifiedEvents(ctx, s.Conn, severities, limit)
}

func (s Shared) MarkNotified(ctx context.Context, ids []int64, at time.Time) error {
	return MarkNotified(ctx, s.Conn, ids, at)
}

func (s Shared) PurgeSecurityEvents(ctx context.Context, netBefore, before time.Time) error {
	return PurgeSecurityEvents(ctx, s.Conn, netBefore, before)
}

func (s Shared) ReleaseClaims(ctx context.Context, claimer string, staleBefore, now time.Time) (int, error) {
	return ReleaseClaims(ctx, s.Conn, claimer, staleBefore, now)
}

// Abuse limits.

func (s Shared) TakeTokens(ctx context.Context, buckets []store.Bucket, now time.Time) (int, error) {
	return TakeTokens(ctx, s.Conn, buckets, now)
}

func (s Shared) CountRefusals(ctx context.Context, kind string, n int, at time.Time) error {
	return CountRefusals(ctx, s.Conn, kind, n, at)
}

func (s Shared) Refusals(ctx context.Context, since time.Time) ([]store.RefusalCount, error) {
	return Refusals(ctx, s.Conn, since)
}

func (s Shared) SpendChallenge(ctx context.Context, id string, expires, now time.Time) error {
	return SpendChallenge(ctx, s.Conn, id, expires, now)
}

func (s Shared) PurgeLimits(ctx context.Context, before, countsBefore time.Time) error {
	return PurgeLimits(ctx, s.Conn, before, countsBefore)
}
