package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/tocsin/tocsin"
	"github.com/tocsin/tocsin/internal/store/sqlrow"
)

// CreateAPIKey stores a key.
func (s q) CreateAPIKey(ctx context.Context, k *tocsin.APIKey) error {
	if k.ID == "" || k.Name == "" || len(k.Hash) != 32 || k.Scope == "" {
		return invalid("an API key needs an id, a name, a 32-byte hash and a scope")
	}
	_, err := s.db.Exec(ctx, `INSERT INTO api_keys (id, name, hash, scope, canary, created_at) VALUES ($1, $2, $3, $4, $5, $6)`,
		k.ID, k.Name, k.Hash, k.Scope, k.Canary, sqlrow.Unix(k.CreatedAt))
	if isUnique(err) {
		return conflict("an API key with this id exists already")
	}
	if err != nil {
		return fmt.Errorf("create API key: %w", err)
	}
	return nil
}

// GetAPIKeyByHash finds a key by its hash.
func (s q) GetAPIKeyByHash(ctx context.Context, hash []byte) (*tocsin.APIKey, error) {
	var k tocsin.APIKey
	if err := one(sqlrow.APIKey(s.db.QueryRow(ctx, `SELECT `+sqlrow.APIKeyCols+` FROM api_keys WHERE hash = $1`, hash), &k), "API key"); err != nil {
		return nil, err
	}
	return &k, nil
}

// ListAPIKeys returns every key, newest first.
func (s q) ListAPIKeys(ctx context.Context) ([]tocsin.APIKey, error) {
	rows, err := s.db.Query(ctx, `SELECT `+sqlrow.APIKeyCols+` FROM api_keys ORDER BY created_at DESC, id`)
	if err != nil {
		return nil, fmt.Errorf("list API keys: %w", err)
	}
	defer rows.Close()
	var out []tocsin.APIKey
	for rows.Next() {
		var k tocsin.APIKey
		if err := sqlrow.APIKey(rows, &k); err != nil {
			return nil, fmt.Errorf("scan API key: %w", err)
		}
		out = append(out, k)
	}
	return out, rows.Err()
}

// TouchAPIKey records a key's use.
func (s q) TouchAPIKey(ctx context.Context, id string, at time.Time) error {
	if _, err := s.db.Exec(ctx, `UPDATE api_keys SET last_used_at = $1 WHERE id = $2`, sqlrow.Unix(at), id); err != nil {
		return fmt.Errorf("touch API key: %w", err)
	}
	return nil
}

// RevokeAPIKey revokes a key; ENOTFOUND if there is none with this id.
func (s q) RevokeAPIKey(ctx context.Context, id string, at time.Time) error {
	res, err := s.db.Exec(ctx, `UPDATE api_keys SET revoked_at = $1 WHERE id = $2 AND revoked_at = 0`, sqlrow.Unix(at), id)
	if err != nil {
		return fmt.Errorf("revoke API key: %w", err)
	}
	n := res.RowsAffected()
	if n == 0 {
		return notFound("API key " + id)
	}
	return nil
}

// PublishNotice stores a public incident notice.
func (s q) PublishNotice(ctx context.Context, n *tocsin.Notice) error {
	if n.ID == "" || n.TitleEN == "" || n.BodyEN == "" || n.PublishedBy == "" {
		return invalid("a notice needs an id, an English title and text, and who publishes it")
	}
	_, err := s.db.Exec(ctx, `INSERT INTO notices (`+sqlrow.NoticeCols+`) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		n.ID, n.TitleEN, n.TitleES, n.BodyEN, n.BodyES, n.PublishedBy, sqlrow.Unix(n.PublishedAt))
	if isUnique(err) {
		return conflict("a notice with this id exists already")
	}
	if err != nil {
		return fmt.Errorf("publish notice: %w", err)
	}
	return nil
}

// GetNotice returns a notice.
func (s q) GetNotice(ctx context.Context, id string) (*tocsin.Notice, error) {
	var n tocsin.Notice
	if err := one(sqlrow.Notice(s.db.QueryRow(ctx, `SELECT `+sqlrow.NoticeCols+` FROM notices WHERE id = $1`, id), &n), "notice"); err != nil {
		return nil, err
	}
	return &n, nil
}

// ListNotices returns the newest notices first.
func (s q) ListNotices(ctx context.Context, limit int) ([]tocsin.Notice, error) {
	rows, err := s.db.Query(ctx, `SELECT `+sqlrow.NoticeCols+` FROM notices ORDER BY published_at DESC, id LIMIT $1`, limit)
	if err != nil {
		return nil, fmt.Errorf("list notices: %w", err)
	}
	defer rows.Close()
	var out []tocsin.Notice
	for rows.Next() {
		var n tocsin.Notice
		if err := sqlrow.Notice(rows, &n); err != nil {
			return nil, fmt.Errorf("scan notice: %w", err)
		}
		out = append(out, n)
	}
	return out, rows.Err()
}
