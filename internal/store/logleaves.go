package store

import (
	"context"
	"fmt"

	"github.com/tocsin/tocsin/internal/tlog"
)

// LogLeaves is the stored log as tlog.Leaves, for roots and proofs.
type LogLeaves struct {
	Q Log
}

var _ tlog.Leaves = LogLeaves{}

// Size is the number of entries.
func (l LogLeaves) Size(ctx context.Context) (uint64, error) { return l.Q.LogSize(ctx) }

// Get returns a leaf hash.
func (l LogLeaves) Get(ctx context.Context, index uint64) ([32]byte, error) {
	return l.Q.LogLeafHash(ctx, index)
}

// Append is not offered here: entries are appended with their content
// through Log.LogAppend.
func (l LogLeaves) Append(ctx context.Context, h [32]byte) (uint64, error) {
	return 0, fmt.Errorf("store.LogLeaves is read-only: use LogAppend")
}
