package sender

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/tocsin/tocsin/internal/store"
	"github.com/tocsin/tocsin/internal/tlog"
	"github.com/tocsin/tocsin/internal/trust"
)

// logState is the sender's own record of the transparency log it signs:
// the size and root of the last checkpoint, kept outside the database so
// that a rewritten log is caught before anything is signed over it.
type logState struct {
	Size uint64   `json:"size"`
	Root [32]byte `json:"root"`
}

const logFile = "log.json"

func (st *state) loadLog() error {
	b, err := os.ReadFile(filepath.Join(st.dir, logFile))
	if errors.Is(err, os.ErrNotExist) {
		st.log = logState{Root: tlog.EmptyRoot()}
		return nil
	}
	if err != nil {
		return err
	}
	return json.Unmarshal(b, &st.log)
}

func (st *state) saveLog(l logState) error {
	b, _ := json.Marshal(l)
	tmp := filepath.Join(st.dir, logFile+".tmp")
	if err := os.WriteFile(tmp, b, 0o600); err != nil {
		return err
	}
	if err := os.Rename(tmp, filepath.Join(st.dir, logFile)); err != nil {
		return err
	}
	st.log = l
	return nil
}

// logStatement appends an alert's signed statement to the transparency log,
// in the transaction that writes its ledger: no message of an alert goes out
// before its entry is in the log.
func (s *Sender) logStatement(ctx context.Context, q store.Querier, st *trust.Statement) error {
	if s.cfg.LogKey == "" {
		return nil
	}
	entry, err := st.Encode()
	if err != nil {
		return err
	}
	size, err := q.LogSize(ctx)
	if err != nil {
		return err
	}
	return q.LogAppend(ctx, size, tlog.LeafHash(entry), entry)
}

// signCheckpoint signs a checkpoint of the whole log after checking that it
// extends the last one the sender signed (the old entries are untouched) and
// that every new entry is a statement this sender started. Anything else is
// a rewritten or forged log: a security event, and nothing is signed.
func (s *Sender) signCheckpoint(ctx context.Context) error {
	if s.cfg.LogKey == "" {
		return nil
	}
	leaves := store.LogLeaves{Q: s.cfg.Store}
	size, err := leaves.Size(ctx)
	if err != nil {
		return err
	}
	prev := s.state.log
	if size < prev.Size {
		return s.security(ctx, s.cfg.Store, "log.tampered", "", fmt.Sprintf("the log has %d entries, fewer than the %d the sender signed", size, prev.Size))
	}
	if _, _, err := s.cfg.Store.LatestCheckpoint(ctx); err == nil && size == prev.Size {
		return nil // nothing new
	}
	for i := prev.Size; i < size; i++ {
		entry, err := s.cfg.Store.LogEntry(ctx, i)
		if err != nil {
			return err
		}
		st, err := trust.DecodeStatement(entry)
		var sent sentAlert
		ok := false
		if err == nil {
			sent, ok = s.state.sent[st.AlertID]
		}
		if !ok || sent.Digest != sha256.Sum256(entry) {
			return s.security(ctx, s.cfg.Store, "log.tampered", fmt.Sprint(i), "a log entry the sender did not append: nothing signed")
		}
	}
	root, err := tlog.Root(ctx, leaves, size)
	if err != nil {
		return err
	}
	if prev.Size > 0 {
		proof, err := tlog.ConsistencyProof(ctx, leaves, prev.Size, size)
		if err != nil {
			return err
		}
		if err := tlog.VerifyConsistency(prev.Size, size, prev.Root, root, proof); err != nil {
			return s.security(ctx, s.cfg.Store, "log.tampered", "", "the log no longer extends the last checkpoint the sender signed: nothing signed")
		}
	}
	signed, err := tlog.Sign(tlog.Checkpoint{Origin: s.cfg.LogOrigin, Size: size, Root: root}, s.cfg.LogKey)
	if err != nil {
		return err
	}
	if err := s.cfg.Store.PutCheckpoint(ctx, size, signed); err != nil {
		return err
	}
	return s.state.saveLog(logState{Size: size, Root: root})
}
