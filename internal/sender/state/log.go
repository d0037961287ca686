package state

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"

	"github.com/tocsin/tocsin/internal/tlog"
)

// LogState is the sender's own record of the transparency log it signs:
// the size and root of the last checkpoint, kept outside the database so
// that a rewritten log is caught before anything is signed over it.
type LogState struct {
	Size uint64   `json:"size"`
	Root [32]byte `json:"root"`
	// Audit is the size of the audit trail whose head was last committed.
	Audit int `json:"audit"`
	// Roster and Freeze are the last roster version and freeze order
	// appended to the log.
	Roster int   `json:"roster"`
	Freeze int64 `json:"freeze"`
	// SeenSize and SeenRoot: the newest checkpoint this sender saw signed
	// while another was primary (watchCheckpoint); it never adopts an
	// older one.
	SeenSize uint64   `json:"seen_size,omitempty"`
	SeenRoot [32]byte `json:"seen_root"`
}

const logFile = "log.json"

func (st *Dir) loadLog() error {
	b, err := os.ReadFile(filepath.Join(st.dir, logFile))
	if errors.Is(err, os.ErrNotExist) {
		st.Log = LogState{Root: tlog.EmptyRoot()}
		return nil
	}
	if err != nil {
		return err
	}
	return json.Unmarshal(b, &st.Log)
}

func (st *Dir) SaveLog(l LogState) error {
	b, _ := json.Marshal(l)
	tmp := filepath.Join(st.dir, logFile+".tmp")
	if err := os.WriteFile(tmp, b, 0o600); err != nil {
		return err
	}
	if err := os.Rename(tmp, filepath.Join(st.dir, logFile)); err != nil {
		return err
	}
	st.Log = l
	return nil
}
