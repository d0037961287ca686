package store

import (
	"context"
	"time"

	"github.com/tocsin/tocsin"
)

// Log reads the transparency log: entries, in order, and signed
// checkpoints. Only the sender appends and signs (LogWriter).
type Log interface {
	LogSize(ctx context.Context) (uint64, error)
	LogLeafHash(ctx context.Context, index uint64) ([32]byte, error)
	LogEntry(ctx context.Context, index uint64) ([]byte, error)
	// LogIndex finds the entry with this leaf hash; ENOTFOUND if none.
	LogIndex(ctx context.Context, leafHash [32]byte) (uint64, error)
	// LatestCheckpoint returns the signed checkpoint of the largest size;
	// ENOTFOUND when there is none.
	LatestCheckpoint(ctx context.Context) (uint64, []byte, error)
}

// LogWriter is the log keeper's (the primary sender's): it appends to the
// transparency log, stores the checkpoints it signs, and publishes or
// refuses the notices it verified.
type LogWriter interface {
	// LogAppend appends an entry at index want; ECONFLICT if the log does
	// not have exactly want entries.
	LogAppend(ctx context.Context, want uint64, hash [32]byte, entry []byte) error
	PutCheckpoint(ctx context.Context, size uint64, signed []byte) error
	// PublishNotice moves an approved notice to published (after appending
	// it to the log), and RefuseNotice an approved one to refused;
	// ECONFLICT from another state, ENOTFOUND for no such notice.
	PublishNotice(ctx context.Context, id, by string, at time.Time) error
	RefuseNotice(ctx context.Context, id string) error
}

// Notices stores public incident notices, their statements and approvals.
// The store checks no signature: the sender publishes a notice only with
// enough valid ones, and the web tier shows only what is in the log.
type Notices interface {
	// CreateNotice stores a draft notice with its statement; ECONFLICT if
	// the id is taken.
	CreateNotice(ctx context.Context, n *tocsin.Notice) error
	GetNotice(ctx context.Context, id string) (*tocsin.Notice, error)
	// ListNotices returns notices in state (all when ""), the most recently
	// published first, then the most recently created.
	ListNotices(ctx context.Context, state tocsin.NoticeState, limit int) ([]tocsin.Notice, error)
	// ApproveNotice moves a draft to approved (then the sender publishes
	// or refuses it, LogWriter); ECONFLICT from another state, ENOTFOUND
	// for no such notice.
	ApproveNotice(ctx context.Context, id string) error
	// AddNoticeApproval stores an approval of a notice (its id in
	// AlertID); a second one by the same key replaces the first.
	// ENOTFOUND if the notice does not exist.
	AddNoticeApproval(ctx context.Context, a *Approval) error
	ListNoticeApprovals(ctx context.Context, noticeID string) ([]Approval, error)
}
