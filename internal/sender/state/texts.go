package state

import (
	"bufio"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// textsFile records the queued texts the sender handed over, in its state
// directory: a copy of a queued text that a database writer puts back is
// not sent again, whatever the database says and across restarts.
const textsFile = "sent-texts.log"

// TextsTTL is how long a queued text may wait: an older one is stale
// and not sent (its time is under its MAC), so the record of sent texts
// keeps each one only this long.
const TextsTTL = 48 * time.Hour

// Texts is the record of queued texts handed over, by MAC (hex), with
// the time each was queued.
type Texts struct {
	dir      string
	Queued   map[string]time.Time
	Reported map[string]bool // replays raised as an event already (this process)
	pruned   time.Time
}

// loadTexts reads lines "MAC-HEX UNIX-SECONDS", keeping those queued
// after notBefore, and rewrites the file when it dropped any.
func loadTexts(dir string, notBefore time.Time) (*Texts, error) {
	t := &Texts{dir: dir, Queued: map[string]time.Time{}, Reported: map[string]bool{}, pruned: notBefore}
	f, err := os.Open(filepath.Join(dir, textsFile))
	if errors.Is(err, fs.ErrNotExist) {
		return t, nil
	}
	if err != nil {
		return nil, fmt.Errorf("sent texts: %w", err)
	}
	defer f.Close()
	lines, dropped := 0, false
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		lines++
		fields := strings.Fields(sc.Text())
		if len(fields) != 2 {
			dropped = true
			continue // a torn last line from a crash
		}
		sec, err := strconv.ParseInt(fields[1], 10, 64)
		if _, herr := hex.DecodeString(fields[0]); err != nil || herr != nil {
			dropped = true
			continue
		}
		if at := time.Unix(sec, 0); at.After(notBefore) {
			t.Queued[fields[0]] = at
		} else {
			dropped = true
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("sent texts: %w", err)
	}
	if dropped {
		return t, t.rewrite()
	}
	return t, nil
}

// sent reports whether the text with this MAC was handed over.
func (t *Texts) Sent(mac []byte) bool {
	_, ok := t.Queued[hex.EncodeToString(mac)]
	return ok
}

// record appends a text handed over and syncs it to disk, before its row
// is deleted.
func (t *Texts) Record(mac []byte, queued time.Time) error {
	k := hex.EncodeToString(mac)
	f, err := os.OpenFile(filepath.Join(t.dir, textsFile), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return fmt.Errorf("sent texts: %w", err)
	}
	defer f.Close()
	if _, err := fmt.Fprintf(f, "%s %d\n", k, queued.Unix()); err != nil {
		return fmt.Errorf("sent texts: %w", err)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("sent texts: %w", err)
	}
	t.Queued[k] = queued
	return nil
}

// prune forgets, at most once an hour, the texts queued before notBefore:
// they are stale, and refused for that.
func (t *Texts) Prune(notBefore time.Time) error {
	if notBefore.Sub(t.pruned) < time.Hour {
		return nil
	}
	t.pruned = notBefore
	n := len(t.Queued)
	for k, at := range t.Queued {
		if !at.After(notBefore) {
			delete(t.Queued, k)
			delete(t.Reported, k)
		}
	}
	if len(t.Queued) == n {
		return nil
	}
	return t.rewrite()
}

// rewrite writes the record again, atomically, with what it holds now.
func (t *Texts) rewrite() error {
	var b strings.Builder
	for k, at := range t.Queued {
		fmt.Fprintf(&b, "%s %d\n", k, at.Unix())
	}
	tmp := filepath.Join(t.dir, textsFile+".tmp")
	f, err := os.OpenFile(tmp, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
	if err != nil {
		return fmt.Errorf("sent texts: %w", err)
	}
	_, err = f.WriteString(b.String())
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("sent texts: %w", err)
	}
	if err := os.Rename(tmp, filepath.Join(t.dir, textsFile)); err != nil {
		return fmt.Errorf("sent texts: %w", err)
	}
	return nil
}
