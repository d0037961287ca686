// Package datadir opens what the host's commands and the roles share on
// the host: the database (the SQLite file in the data directory, or a
// PostgreSQL URL) and the trust anchor in the keys directory.
package datadir

import (
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/tocsin/tocsin/internal/store"
	"github.com/tocsin/tocsin/internal/store/postgres"
	"github.com/tocsin/tocsin/internal/store/sqlite"
)

// OpenStore opens the database: PostgreSQL for a postgres:// URL (the
// scale-out), else the embedded SQLite file dbArg, or DATA/tocsin.db when
// dbArg is empty.
func OpenStore(ctx context.Context, dataDir, dbArg string) (store.Store, error) {
	if strings.HasPrefix(dbArg, "postgres://") || strings.HasPrefix(dbArg, "postgresql://") {
		return postgres.Open(ctx, dbArg)
	}
	path := dbArg
	if path == "" {
		if err := os.MkdirAll(dataDir, 0o700); err != nil {
			return nil, err
		}
		path = filepath.Join(dataDir, "tocsin.db")
	}
	return sqlite.Open(ctx, path)
}

// DBUsage is the help text of every --db flag.
const DBUsage = "the database: a postgres:// URL, or a SQLite file (default DATA/tocsin.db)"

// AnchorFile holds the root public key, the trust anchor the sender verifies
// the roster chain against. It is public; the root private key is not kept
// on the server.
const AnchorFile = "trust-anchor.pub"

// LoadAnchor reads DATA/keys/trust-anchor.pub; nil when there is none yet.
func LoadAnchor(dir string) ([]byte, error) {
	b, err := os.ReadFile(filepath.Join(dir, AnchorFile))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	k, err := base64.StdEncoding.DecodeString(strings.TrimSpace(string(b)))
	if err != nil || len(k) != ed25519.PublicKeySize {
		return nil, fmt.Errorf("%s is not an Ed25519 public key", AnchorFile)
	}
	return k, nil
}
