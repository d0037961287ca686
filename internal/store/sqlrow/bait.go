package sqlrow

import (
	"context"
	"fmt"
	"time"

	"github.com/tocsin/tocsin"
)

// CreateAPIKey stores a key.
func CreateAPIKey(ctx context.Context, c Conn, k *tocsin.APIKey) error {
	if k.ID == "" || k.Name == "" || len(k.Hash) != 32 || k.Scope == "" {
		return invalid("an API key needs an id, a name, a 32-byte hash and a scope")
	}
	_, err := c.Exec(ctx, `INSERT INTO api_keys (id, name, hash, scope, canary, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
		k.ID, k.Name, k.Hash, k.Scope, c.Bool(k.Canary), Unix(k.CreatedAt))
	if c.Unique(err) {
		return conflict("an API key with this id exists already")
	}
	if err != nil {
		return fmt.Errorf("create API key: %w", err)
	}
	return nil
}

// GetAPIKeyByHash finds a key by its hash.
func GetAPIKeyByHash(ctx context.Context, c Conn, hash []byte) (*tocsin.APIKey, error) {
	var k tocsin.APIKey
	if err := one(c, APIKey(c.QueryRow(ctx, `SELECT `+APIKeyCols+` FROM api_keys WHERE hash = ?`, hash), &k), "API key"); err != nil {
		return nil, err
	}
	return &k, nil
}

// ListAPIKeys returns every key, newest first.
func ListAPIKeys(ctx context.Context, c Conn) ([]tocsin.APIKey, error) {
	var out []tocsin.APIKey
	err := c.Each(ctx, `SELECT `+APIKeyCols+` FROM api_keys ORDER BY created_at DESC, id`, nil, func(sc Scanner) error {
		var k tocsin.APIKey
		if err := APIKey(sc, &k); err != nil {
			return err
		}
		out = append(out, k)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list API keys: %w", err)
	}
	return out, nil
}

// TouchAPIKey records a key's use.
func TouchAPIKey(ctx context.Context, c Conn, id string, at time.Time) error {
	if _, err := c.Exec(ctx, `UPDATE api_keys SET last_used_at = ? WHERE id = ?`, Unix(at), id); err != nil {
		return fmt.Errorf("touch API key: %w", err)
	}
	return nil
}

// RevokeAPIKey revokes a key; ENOTFOUND if there is no live one with id.
func RevokeAPIKey(ctx context.Context, c Conn, id string, at time.Time) error {
	n, err := c.Exec(ctx, `UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at = 0`, Unix(at), id)
	if err != nil {
		return fmt.Errorf("revoke API key: %w", err)
	}
	if n == 0 {
		return notFound("API key " + id)
	}
	return nil
}
