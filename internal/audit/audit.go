// Package audit makes the audit trail tamper-evident: every entry's hash
// covers its content and the hash of the entry before it, so an entry that
// is edited, deleted, reordered or inserted breaks the chain where it
// happened, and Verify names the first such entry.
//
// It must never be given a key: the chain proves order and integrity only
// together with its head committed outside the database (the transparency
// log); a writer who rewrites the whole chain from some entry on is caught
// only there.
package audit

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"

	"github.com/tocsin/tocsin"
)

// Hash is the chain hash of an entry given the hash of the one before:
// SHA-256 over a domain-separated, length-prefixed encoding of the entry's
// time, actor, action, subject and detail, and prev. The id is left out:
// order is what the chain itself proves, so a moved entry shows as moved.
func Hash(prev [32]byte, e *tocsin.AuditEntry) [32]byte {
	h := sha256.New()
	h.Write([]byte("tocsin/audit/v1\x00"))
	h.Write(prev[:])
	var n [8]byte
	binary.BigEndian.PutUint64(n[:], uint64(e.At.Unix()))
	h.Write(n[:])
	for _, f := range []string{e.Actor, e.Action, e.Subject, e.Detail} {
		binary.BigEndian.PutUint64(n[:], uint64(len(f)))
		h.Write(n[:])
		h.Write([]byte(f))
	}
	var out [32]byte
	copy(out[:], h.Sum(nil))
	return out
}

// Genesis returns the previous hash of the first entry (all zeros).
func Genesis() [32]byte { return [32]byte{} }

// Link is an entry as stored with its chain fields.
type Link struct {
	Entry    tocsin.AuditEntry
	PrevHash [32]byte
	Hash     [32]byte
}

// Break is where the chain breaks: the first entry that is not where and
// what the chain says.
type Break struct {
	ID   int64
	Kind string // "edited", "deleted", "reordered", "inserted"
	Why  string
}

func (b *Break) Error() string {
	return fmt.Sprintf("audit entry %d: %s: %s", b.ID, b.Kind, b.Why)
}

// Verify walks the chain in id order and returns the first break, or nil.
// It also returns the head: the last entry's hash, to be compared with the
// one committed to the transparency log.
func Verify(links []Link) (head [32]byte, brk *Break) {
	prev, prevID := Genesis(), int64(0)
	byHash := make(map[[32]byte]int64, len(links))
	for _, l := range links {
		byHash[l.Hash] = l.Entry.ID
	}
	for _, l := range links {
		e := l.Entry
		switch {
		case Hash(l.PrevHash, &e) != l.Hash:
			return prev, &Break{e.ID, "edited", "its content does not match its hash"}
		case l.PrevHash == prev && e.ID == prevID+1:
		case e.ID != prevID+1 && l.PrevHash != prev:
			return prev, &Break{e.ID, "deleted", fmt.Sprintf("entries between %d and %d are missing", prevID, e.ID)}
		case l.PrevHash != prev:
			if id, ok := byHash[l.PrevHash]; ok {
				return prev, &Break{e.ID, "reordered", fmt.Sprintf("it followed entry %d when it was written", id)}
			}
			return prev, &Break{e.ID, "inserted", "it does not follow the entry before it"}
		default:
			return prev, &Break{e.ID, "inserted", fmt.Sprintf("it carries id %d after entry %d", e.ID, prevID)}
		}
		prev, prevID = l.Hash, e.ID
	}
	return prev, nil
}

// HeadEntry is the transparency-log entry that commits the trail's first n
// entries: "tocsin audit head v1", n and the hash of entry n.
func HeadEntry(n int, head [32]byte) []byte {
	return []byte(fmt.Sprintf("tocsin audit head v1\n%d\n%x\n", n, head))
}

// ParseHeadEntry reads a HeadEntry; ok is false for any other entry.
func ParseHeadEntry(b []byte) (n int, head [32]byte, ok bool) {
	var hx string
	if _, err := fmt.Sscanf(string(b), "tocsin audit head v1\n%d\n%64s\n", &n, &hx); err != nil {
		return 0, head, false
	}
	d, err := hex.DecodeString(hx)
	if err != nil || len(d) != 32 || !bytes.Equal(b, HeadEntry(n, [32]byte(d))) {
		return 0, head, false
	}
	return n, [32]byte(d), true
}
