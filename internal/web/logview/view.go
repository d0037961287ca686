package logview

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/tocsin/tocsin"
	"github.com/tocsin/tocsin/internal/tlog"
	"github.com/tocsin/tocsin/internal/trust"
)

// View is the web tier's own checked copy of the transparency log: the
// newest checkpoint that opened with the log's public key (log.pub), and
// the leaf hash of every entry under it, each recomputed from the entry's
// bytes (a stored hash is never trusted) and together hashing to the
// checkpoint's root. It only grows: a newer checkpoint is taken only if the
// leaves it adds, after those already checked, give its root, so a log that
// was rewritten, rolled back or forked is refused and the view stays at the
// last good checkpoint.
//
// An alert is genuine, for the public pages, only if its statement's leaf
// is in this view. What is not in it is not shown as sent by this service,
// whatever the alerts table says.
type View struct {
	key, origin string

	mu     sync.Mutex
	signed []byte     // the checkpoint the view is at, as signed
	root   [32]byte   // its root
	leaves [][32]byte // the leaf hashes under it; len is its size
	index  map[[32]byte]uint64
	texts  map[string]uint64 // normalised alert text, with and without its label and reference line → entry
	refs   map[string]uint64 // reference code → entry
	stmts  map[uint64]*trust.Statement
	// refused is the digest of the last checkpoint refused, so that each
	// bad checkpoint raises one event, not one per page view.
	refused [32]byte
}

// NewView returns an empty view of the log whose note verifier key is key.
func NewView(key string) *View {
	origin, _, _ := strings.Cut(key, "+") // a note key is named after the log's origin
	return &View{key: key, origin: origin, index: map[[32]byte]uint64{}, texts: map[string]uint64{}, refs: map[string]uint64{}, stmts: map[uint64]*trust.Statement{}}
}

// Source is what the view reads: the newest checkpoint and the entries.
type Source interface {
	LatestCheckpoint(ctx context.Context) (uint64, []byte, error)
	LogEntry(ctx context.Context, index uint64) ([]byte, error)
}

// errLogRefused: the newest checkpoint in the database was refused.
type errLogRefused struct{ why string }

func (e errLogRefused) Error() string { return e.why }

// Refresh brings the view up to the newest checkpoint in the database. It
// returns an errLogRefused, once per bad checkpoint, when that checkpoint
// does not open with the key or the log does not hold what it signed; the
// view then stays where it was.
func (v *View) Refresh(ctx context.Context, src Source) error {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.key == "" {
		return nil
	}
	size, signed, err := src.LatestCheckpoint(ctx)
	if tocsin.ErrorCode(err) == tocsin.ENOTFOUND {
		if len(v.leaves) == 0 {
			return nil
		}
		return v.refuse(nil, fmt.Sprintf("no checkpoint in the database; this site checked one of %d entries: the log was rolled back", len(v.leaves)))
	}
	if err != nil || string(signed) == string(v.signed) || sha256.Sum256(signed) == v.refused {
		return err
	}
	cp, err := tlog.Open(signed, v.key, v.origin)
	switch {
	case err != nil || cp.Size != size:
		return v.refuse(signed, fmt.Sprintf("the newest checkpoint in the database (size %d) does not verify with the log's public key", size))
	case cp.Size < uint64(len(v.leaves)):
		return v.refuse(signed, fmt.Sprintf("the newest checkpoint has %d entries; this site checked one of %d: the log was rolled back", cp.Size, len(v.leaves)))
	}
	return v.extend(ctx, src, signed, cp)
}

// extend reads the entries the checkpoint adds, hashes them and takes the
// checkpoint only if the whole tree gives its root.
func (v *View) extend(ctx context.Context, src Source, signed []byte, cp tlog.Checkpoint) error {
	from := uint64(len(v.leaves))
	added := make([][]byte, 0, cp.Size-from)
	leaves := v.leaves
	for i := from; i < cp.Size; i++ {
		e, err := src.LogEntry(ctx, i)
		if err != nil {
			if tocsin.ErrorCode(err) == tocsin.ENOTFOUND {
				return v.refuse(signed, fmt.Sprintf("the log lacks entry %d of the newest checkpoint", i))
			}
			return err
		}
		added = append(added, e)
		leaves = append(leaves, tlog.LeafHash(e)) // writes past len(v.leaves) only
	}
	root, err := tlog.Root(ctx, hashList(leaves), cp.Size)
	if err != nil {
		return err
	}
	if root != cp.Root {
		return v.refuse(signed, fmt.Sprintf("the log no longer holds what its newest checkpoint (size %d) signed, or does not extend the one this site checked", cp.Size))
	}
	for k, e := range added {
		v.add(from+uint64(k), leaves[from+uint64(k)], e)
	}
	v.leaves, v.root, v.signed = leaves, cp.Root, signed
	return nil
}

// add indexes one checked entry: by leaf hash, and by text if it is an
// alert's statement.
func (v *View) add(i uint64, leaf [32]byte, entry []byte) {
	if _, dup := v.index[leaf]; !dup {
		v.index[leaf] = i
	}
	st, err := trust.DecodeStatement(entry)
	if err != nil {
		return
	}
	st.Cells = nil // not shown; the largest part
	v.stmts[i] = st
	for _, t := range st.Texts {
		for _, n := range TextVariants(t) {
			v.texts[n] = i
		}
	}
	if ref := RefOf(st); ref != "" {
		v.refs[ref] = i
	}
}

func (v *View) refuse(signed []byte, why string) error {
	d := sha256.Sum256(signed)
	if d == v.refused {
		return nil
	}
	v.refused = d
	return errLogRefused{why}
}

// Inclusion is an entry's place in the checked log.
type Inclusion struct {
	Index, Size uint64
	Root        [32]byte
	Proof       [][32]byte
	Statement   *trust.Statement
}

var ErrNotInLog = errors.New("not in the checked log")

// Find returns the place of the entry in the checked log, with an inclusion
// proof computed from the checked leaves and verified against the
// checkpoint's root.
func (v *View) Find(ctx context.Context, entry []byte) (Inclusion, error) {
	leaf := tlog.LeafHash(entry)
	v.mu.Lock()
	i, ok := v.index[leaf]
	leaves, root, st := v.leaves, v.root, v.stmts[i]
	v.mu.Unlock()
	if !ok {
		return Inclusion{}, ErrNotInLog
	}
	size := uint64(len(leaves))
	proof, err := tlog.InclusionProof(ctx, hashList(leaves), i, size)
	if err != nil {
		return Inclusion{}, err
	}
	if err := tlog.VerifyInclusion(leaf, i, size, root, proof); err != nil {
		return Inclusion{}, err
	}
	return Inclusion{Index: i, Size: size, Root: root, Proof: proof, Statement: st}, nil
}

// Match returns the logged statement whose text is the pasted, normalised
// text, with or without its reference line: its entry and leaf hash.
func (v *View) Match(pasted string) (uint64, [32]byte, *trust.Statement, bool) {
	v.mu.Lock()
	defer v.mu.Unlock()
	i, ok := v.texts[pasted]
	if !ok {
		return 0, [32]byte{}, nil, false
	}
	return i, v.leaves[i], v.stmts[i], true
}

// ByRef returns the logged statement whose texts end with the reference
// code: its entry and leaf hash.
func (v *View) ByRef(ref string) (uint64, [32]byte, *trust.Statement, bool) {
	v.mu.Lock()
	defer v.mu.Unlock()
	i, ok := v.refs[ref]
	if !ok {
		return 0, [32]byte{}, nil, false
	}
	return i, v.leaves[i], v.stmts[i], true
}

// Statement returns the alert statement with this leaf hash, if it is in
// the checked log.
func (v *View) Statement(leaf [32]byte) (*trust.Statement, bool) {
	v.mu.Lock()
	defer v.mu.Unlock()
	i, ok := v.index[leaf]
	if !ok {
		return nil, false
	}
	st, ok := v.stmts[i]
	return st, ok
}

// Size is the size of the checked checkpoint.
func (v *View) Size() uint64 {
	v.mu.Lock()
	defer v.mu.Unlock()
	return uint64(len(v.leaves))
}

// hashList is a checked, read-only list of leaf hashes as tlog.Leaves.
type hashList [][32]byte

var _ tlog.Leaves = hashList(nil)

func (h hashList) Size(context.Context) (uint64, error) { return uint64(len(h)), nil }

func (h hashList) Get(_ context.Context, i uint64) ([32]byte, error) {
	if i >= uint64(len(h)) {
		return [32]byte{}, fmt.Errorf("leaf %d out of range (size %d)", i, len(h))
	}
	return h[i], nil
}

func (h hashList) Append(context.Context, [32]byte) (uint64, error) {
	return 0, errors.New("the checked log is read-only")
}

// RefOf is the reference code at the end of a statement's texts ("Ref
// ABC123", "Verify: https://…/v/ABC123" or "Verifica: https://…/v/ABC123"),
// or "".
func RefOf(st *trust.Statement) string {
	for _, t := range st.Texts {
		last := t[strings.LastIndex(t, "\n")+1:]
		if !strings.HasPrefix(last, "Ref ") && !strings.HasPrefix(last, tocsin.VerifyWordEN) && !strings.HasPrefix(last, tocsin.VerifyWordES) || len(last) < tocsin.AlertRefLen {
			continue
		}
		ref := last[len(last)-tocsin.AlertRefLen:]
		if strings.Trim(ref, tocsin.AlertRefAlphabet) == "" {
			return ref
		}
	}
	return ""
}
