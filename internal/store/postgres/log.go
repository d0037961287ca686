package postgres

import (
	"context"
	"fmt"
)

// LogSize is the number of entries in the transparency log.
func (s q) LogSize(ctx context.Context) (uint64, error) {
	var n int64
	err := s.db.QueryRow(ctx, `SELECT count(*) FROM log_leaves`).Scan(&n)
	return uint64(n), err
}

// LogAppend appends an entry at index want. It locks the log against other
// appenders (readers go on) before it counts, so that of two appenders at
// the same index one gets ECONFLICT.
func (s q) LogAppend(ctx context.Context, want uint64, hash [32]byte, entry []byte) error {
	return s.atomic(ctx, func(s q) error {
		if _, err := s.db.Exec(ctx, `LOCK TABLE log_leaves IN SHARE ROW EXCLUSIVE MODE`); err != nil {
			return fmt.Errorf("log append: %w", err)
		}
		n, err := s.LogSize(ctx)
		if err != nil {
			return err
		}
		if n != want {
			return conflict("the log has %d entries, not %d", n, want)
		}
		if _, err := s.db.Exec(ctx, `INSERT INTO log_leaves (idx, hash, entry) VALUES ($1, $2, $3)`, int64(want), hash[:], entry); err != nil {
			if isUnique(err) {
				return conflict("the log has an entry at %d already", want)
			}
			return fmt.Errorf("log append: %w", err)
		}
		return nil
	})
}

// LogLeafHash returns the leaf hash at index.
func (s q) LogLeafHash(ctx context.Context, index uint64) ([32]byte, error) {
	var h []byte
	err := s.db.QueryRow(ctx, `SELECT hash FROM log_leaves WHERE idx = $1`, int64(index)).Scan(&h)
	if err := one(err, "log entry"); err != nil {
		return [32]byte{}, err
	}
	if len(h) != 32 {
		return [32]byte{}, fmt.Errorf("log entry %d: bad hash", index)
	}
	return [32]byte(h), nil
}

// LogEntry returns the entry at index.
func (s q) LogEntry(ctx context.Context, index uint64) ([]byte, error) {
	var e []byte
	err := s.db.QueryRow(ctx, `SELECT entry FROM log_leaves WHERE idx = $1`, int64(index)).Scan(&e)
	return e, one(err, "log entry")
}

// PutCheckpoint stores a signed checkpoint.
func (s q) PutCheckpoint(ctx context.Context, size uint64, signed []byte) error {
	_, err := s.db.Exec(ctx, `INSERT INTO log_checkpoints (size, signed) VALUES ($1, $2) ON CONFLICT (size) DO UPDATE SET signed = excluded.signed`, int64(size), signed)
	if err != nil {
		return fmt.Errorf("put checkpoint: %w", err)
	}
	return nil
}

// LatestCheckpoint returns the checkpoint of the largest size.
func (s q) LatestCheckpoint(ctx context.Context) (uint64, []byte, error) {
	var size int64
	var signed []byte
	err := s.db.QueryRow(ctx, `SELECT size, signed FROM log_checkpoints ORDER BY size DESC LIMIT 1`).Scan(&size, &signed)
	return uint64(size), signed, one(err, "checkpoint")
}

// LogIndex finds the entry with this leaf hash.
func (s q) LogIndex(ctx context.Context, leafHash [32]byte) (uint64, error) {
	var i int64
	err := s.db.QueryRow(ctx, `SELECT idx FROM log_leaves WHERE hash = $1 ORDER BY idx LIMIT 1`, leafHash[:]).Scan(&i)
	return uint64(i), one(err, "log entry")
}
