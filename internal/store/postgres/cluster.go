package postgres

import (
	"context"
	"time"

	"github.com/tocsin/tocsin"
	"github.com/tocsin/tocsin/internal/store"
	"github.com/tocsin/tocsin/internal/store/sqlrow"
)

// Leases and alert starts: the statements are the same in both dialects
// (package sqlrow).

func (s q) TryLease(ctx context.Context, name, holder string, now time.Time, ttl time.Duration) (bool, error) {
	return sqlrow.TryLease(ctx, s.c(), name, holder, now, ttl)
}

func (s q) DropLease(ctx context.Context, name, holder string) error {
	return sqlrow.DropLease(ctx, s.c(), name, holder)
}

func (s q) CountLeases(ctx context.Context, prefix string, now time.Time) (int, error) {
	return sqlrow.CountLeases(ctx, s.c(), prefix, now)
}

func (s q) RecordStart(ctx context.Context, a *store.AlertStart) error {
	return sqlrow.RecordStart(ctx, s.c(), a)
}

func (s q) GetStart(ctx context.Context, alertID string) (*store.AlertStart, error) {
	return sqlrow.GetStart(ctx, s.c(), alertID)
}

func (s q) StartsSince(ctx context.Context, t time.Time) ([]store.AlertStart, error) {
	return sqlrow.StartsSince(ctx, s.c(), t)
}

// API keys and notices.

func (s q) CreateAPIKey(ctx context.Context, k *tocsin.APIKey) error {
	return sqlrow.CreateAPIKey(ctx, s.c(), k)
}

func (s q) GetAPIKeyByHash(ctx context.Context, hash []byte) (*tocsin.APIKey, error) {
	return sqlrow.GetAPIKeyByHash(ctx, s.c(), hash)
}

func (s q) ListAPIKeys(ctx context.Context) ([]tocsin.APIKey, error) {
	return sqlrow.ListAPIKeys(ctx, s.c())
}

func (s q) TouchAPIKey(ctx context.Context, id string, at time.Time) error {
	return sqlrow.TouchAPIKey(ctx, s.c(), id, at)
}

func (s q) RevokeAPIKey(ctx context.Context, id string, at time.Time) error {
	return sqlrow.RevokeAPIKey(ctx, s.c(), id, at)
}

func (s q) PublishNotice(ctx context.Context, n *tocsin.Notice) error {
	return sqlrow.PublishNotice(ctx, s.c(), n)
}

func (s q) GetNotice(ctx context.Context, id string) (*tocsin.Notice, error) {
	return sqlrow.GetNotice(ctx, s.c(), id)
}

func (s q) ListNotices(ctx context.Context, limit int) ([]tocsin.Notice, error) {
	return sqlrow.ListNotices(ctx, s.c(), limit)
}

// Security events.

func (s q) AddSecurityEvent(ctx context.Context, e *store.SecurityEvent) error {
	return sqlrow.AddSecurityEvent(ctx, s.c(), e)
}

func (s q) ListSecurityEvents(ctx context.Context, limit int) ([]store.SecurityEvent, error) {
	return sqlrow.ListSecurityEvents(ctx, s.c(), limit)
}

func (s q) SecurityEventsBetween(ctx context.Context, from, to time.Time) ([]store.SecurityEvent, error) {
	return sqlrow.SecurityEventsBetween(ctx, s.c(), from, to)
}

func (s q) UnnotifiedEvents(ctx context.Context, severities []string, limit int) ([]store.SecurityEvent, error) {
	return sqlrow.UnnotifiedEvents(ctx, s.c(), severities, limit)
}

func (s q) MarkNotified(ctx context.Context, ids []int64, at time.Time) error {
	return sqlrow.MarkNotified(ctx, s.c(), ids, at)
}

func (s q) PurgeSecurityEvents(ctx context.Context, netBefore, before time.Time) error {
	return sqlrow.PurgeSecurityEvents(ctx, s.c(), netBefore, before)
}
