package state

import (
	"bufio"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Dir is what the sender keeps outside the database, in a directory only
// it can write: the alerts it has started (so that an alert id is sent at
// most once, whatever the database says), the digest it verified for each,
// the freeze orders it has applied and the queued texts it handed over.
// An attacker who rewrites the database cannot roll any of it back.
type Dir struct {
	dir string
	// ID is this sender's name in the ledger's claims, kept across restarts.
	ID string
	// Sent is the alerts this sender started, by id.
	Sent map[string]SentAlert
	// Freeze is the freeze orders applied (SaveFreeze writes it).
	Freeze FreezeState
	// Log is the transparency log's record (SaveLog writes it).
	Log LogState
	// Texts is the queued texts handed over (texts.go).
	Texts *Texts
}

// SentAlert is the record of one alert started.
type SentAlert struct {
	Digest [32]byte
	At     time.Time
	// Committed: the ledger was committed. An alert recorded as started but
	// not committed was cut short by a crash and may be started once more.
	Committed bool
	// Completed: this sender saw its whole ledger done; it is never sent
	// again, whatever the database says.
	Completed bool
}

// FreezeState is the last freeze order applied.
type FreezeState struct {
	Seq    int64 `json:"seq"`
	Frozen bool  `json:"frozen"`
	// Digest is the SHA-256 (hex) of order Seq's body as the sender read
	// it ("none" once it was seen deleted): the order changed or deleted
	// in the database means the orders were rewritten.
	Digest string `json:"digest,omitempty"`
}

const (
	sentFile   = "sent-alerts.log"
	freezeFile = "freeze.json"
)

// Open reads (creating, mode 0700) the sender's state directory; the
// queued texts handed over before textsNotBefore are forgotten.
func Open(dir string, textsNotBefore time.Time) (*Dir, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("sender state: %w", err)
	}
	st := &Dir{dir: dir, Sent: make(map[string]SentAlert)}
	if err := st.loadSent(); err != nil {
		return nil, err
	}
	if err := st.loadLog(); err != nil {
		return nil, fmt.Errorf("sender state: %w", err)
	}
	if err := st.loadID(); err != nil {
		return nil, fmt.Errorf("sender state: %w", err)
	}
	b, err := os.ReadFile(filepath.Join(dir, freezeFile))
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		return nil, fmt.Errorf("sender state: %w", err)
	default:
		if err := json.Unmarshal(b, &st.Freeze); err != nil {
			// Fail closed: a damaged record of freezes means frozen.
			st.Freeze.Frozen = true
		}
	}
	if st.Texts, err = loadTexts(dir, textsNotBefore); err != nil {
		return nil, err
	}
	if st.Texts, err = loadTexts(dir, textsNotBefore); err != nil {
		return nil, err
	}
	return st, nil
}

// loadSent reads lines "ALERT-ID DIGEST-HEX UNIX-SECONDS started|committed".
func (st *Dir) loadSent() error {
	f, err := os.Open(filepath.Join(st.dir, sentFile))
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("sender state: %w", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) == 3 {
			fields = append(fields, "committed") // the first format had no phase
		}
		if len(fields) != 4 || (fields[3] != "started" && fields[3] != "committed" && fields[3] != "completed") {
			continue // a torn last line from a crash: the alert was not started
		}
		d, err1 := hex.DecodeString(fields[1])
		sec, err2 := strconv.ParseInt(fields[2], 10, 64)
		if err1 != nil || err2 != nil || len(d) != 32 {
			continue
		}
		prev := st.Sent[fields[0]]
		st.Sent[fields[0]] = SentAlert{Digest: [32]byte(d), At: time.Unix(sec, 0),
			Committed: prev.Committed || fields[3] == "committed" || fields[3] == "completed", Completed: prev.Completed || fields[3] == "completed"}
	}
	return sc.Err()
}

// RecordSent appends an alert to the sent log as started and syncs it to
// disk before the alert's ledger is written.
func (st *Dir) RecordSent(id string, digest [32]byte, at time.Time) error {
	if err := st.appendSent(id, digest, at, "started"); err != nil {
		return err
	}
	st.Sent[id] = SentAlert{Digest: digest, At: at}
	return nil
}

// MarkCommitted records that the alert's ledger was committed: from now on
// the alert id is spent.
func (st *Dir) MarkCommitted(id string) error {
	s, ok := st.Sent[id]
	if !ok || s.Committed {
		return nil
	}
	if err := st.appendSent(id, s.Digest, s.At, "committed"); err != nil {
		return err
	}
	s.Committed = true
	st.Sent[id] = s
	return nil
}

// MarkCompleted records that the alert's ledger was done, as this sender
// saw it: a ledger set back to pending later is a replay.
func (st *Dir) MarkCompleted(id string, digest [32]byte, at time.Time) error {
	if s, ok := st.Sent[id]; ok && s.Completed {
		return nil
	}
	if err := st.appendSent(id, digest, at, "completed"); err != nil {
		return err
	}
	s := st.Sent[id]
	if s.Digest == ([32]byte{}) {
		s.Digest, s.At = digest, at
	}
	s.Committed, s.Completed = true, true
	st.Sent[id] = s
	return nil
}

func (st *Dir) appendSent(id string, digest [32]byte, at time.Time, phase string) error {
	f, err := os.OpenFile(filepath.Join(st.dir, sentFile), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return fmt.Errorf("sent log: %w", err)
	}
	defer f.Close()
	if _, err := fmt.Fprintf(f, "%s %x %d %s\n", id, digest, at.Unix(), phase); err != nil {
		return fmt.Errorf("sent log: %w", err)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("sent log: %w", err)
	}
	return nil
}

// SaveFreeze writes the freeze state atomically.
func (st *Dir) SaveFreeze(fs FreezeState) error {
	b, _ := json.Marshal(fs)
	tmp := filepath.Join(st.dir, freezeFile+".tmp")
	if err := os.WriteFile(tmp, b, 0o600); err != nil {
		return fmt.Errorf("freeze state: %w", err)
	}
	if err := os.Rename(tmp, filepath.Join(st.dir, freezeFile)); err != nil {
		return fmt.Errorf("freeze state: %w", err)
	}
	st.Freeze = fs
	return nil
}

const idFile = "sender-id"

// loadID reads this sender's id, making one the first time.
func (st *Dir) loadID() error {
	path := filepath.Join(st.dir, idFile)
	b, err := os.ReadFile(path)
	if err == nil && len(strings.TrimSpace(string(b))) > 0 {
		st.ID = strings.TrimSpace(string(b))
		return nil
	}
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	r := make([]byte, 8)
	rand.Read(r)
	st.ID = "sender-" + hex.EncodeToString(r)
	return os.WriteFile(path, []byte(st.ID+"\n"), 0o600)
}
