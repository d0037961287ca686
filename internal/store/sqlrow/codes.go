package sqlrow

import (
	"context"
	"fmt"
	"time"
)

// RecordBlockCode notes a code to a number of a block (by keyed hash), sent
// or refused over the block's limit.
func (s Shared) RecordBlockCode(ctx context.Context, blockHash []byte, at time.Time, refused bool) error {
	r := 0
	if refused {
		r = 1
	}
	if _, err := s.Conn.Exec(ctx, `INSERT INTO code_blocks (block_hash, at, refused) VALUES (?, ?, ?)`, blockHash, Unix(at), r); err != nil {
		return fmt.Errorf("record block code: %w", err)
	}
	return nil
}

// CountBlockCodes counts the codes sent to, and refused to, a block since t.
func (s Shared) CountBlockCodes(ctx context.Context, blockHash []byte, since time.Time) (sent, refused int, err error) {
	err = s.Conn.QueryRow(ctx, `SELECT COALESCE(SUM(1 - refused), 0), COALESCE(SUM(refused), 0) FROM code_blocks WHERE block_hash = ? AND at >= ?`,
		blockHash, Unix(since)).Scan(&sent, &refused)
	if err != nil {
		return 0, 0, fmt.Errorf("count block codes: %w", err)
	}
	return sent, refused, nil
}

// PurgeBlockCodes forgets block codes before t; a driver's PurgeCodeSends
// calls it, so that blocks are forgotten with the numbers.
func (s Shared) PurgeBlockCodes(ctx context.Context, before time.Time) error {
	if _, err := s.Conn.Exec(ctx, `DELETE FROM code_blocks WHERE at < ?`, Unix(before)); err != nil {
		return fmt.Errorf("purge block codes: %w", err)
	}
	return nil
}
