// Package tlog is the core of tocsin's public transparency log: an
// append-only RFC 6962 Merkle tree of every signed alert statement (and of
// roster versions, freezes, unfreezes, public incident notices and audit-chain
// heads), with inclusion and consistency proofs and checkpoints in the C2SP
// tlog-checkpoint format, signed as notes (golang.org/x/mod/sumdb/note).
//
// It exists so that anyone holding a text message can check, without trusting
// the server's word, that tocsin sent it, and so that anyone who saw an
// earlier checkpoint can check that the log has only grown since.
//
// Hashing and proof shapes come from github.com/transparency-dev/merkle, so
// the trees, proofs and checkpoints are the ones the Go transparency
// ecosystem's tools and witnesses verify.
//
// What this package, and every caller of it, must never do:
//
//   - never rewrite or drop a leaf: a [Leaves] store only appends, and an
//     index once assigned keeps its leaf hash forever;
//   - never sign a checkpoint that does not extend the previous one: before
//     calling [Sign] for a new size, the signer must hold the previous signed
//     checkpoint and check, with [ConsistencyProof] and [VerifyConsistency],
//     that the new tree extends it (same origin, size not smaller, consistent
//     roots). A log that signs two inconsistent checkpoints has forked, and
//     that is exactly what witnesses and `tocsin verify` are there to catch.
//
// The proof and root functions here read leaf hashes and compute interior
// node hashes on demand, so they cost O(n) hashes for a tree of n leaves.
// That is simple and obviously correct; a store of interior nodes or tiles
// (C2SP tlog-tiles) can be layered on later without changing the results.
package tlog

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"sync"

	"github.com/transparency-dev/merkle/compact"
	"github.com/transparency-dev/merkle/proof"
	"github.com/transparency-dev/merkle/rfc6962"
)

// HashSize is the size in bytes of every hash in the log (SHA-256).
const HashSize = sha256.Size

// Leaves is the storage of the log's leaves, as RFC 6962 leaf hashes. The
// caller implements it on its database; [MemLeaves] is an in-memory one.
//
// An implementation must be append-only: Append stores the hash at index
// Size and returns that index, and Get of an index below Size returns the
// same hash for ever after.
type Leaves interface {
	// Size returns the number of leaves stored.
	Size(ctx context.Context) (uint64, error)
	// Append stores leafHash at index Size and returns that index.
	Append(ctx context.Context, leafHash [32]byte) (index uint64, err error)
	// Get returns the leaf hash at index, which must be below Size.
	Get(ctx context.Context, index uint64) ([32]byte, error)
}

// MemLeaves is an in-memory [Leaves], for tests and tools. The zero value is
// an empty log, ready to use. It is safe for concurrent use.
type MemLeaves struct {
	mu     sync.RWMutex
	hashes [][32]byte
}

// Size returns the number of leaves stored.
func (m *MemLeaves) Size(ctx context.Context) (uint64, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	m.mu.RLock()
	defer m.mu.RUnlock()
	return uint64(len(m.hashes)), nil
}

// Append stores leafHash at the next index and returns that index.
func (m *MemLeaves) Append(ctx context.Context, leafHash [32]byte) (uint64, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.hashes = append(m.hashes, leafHash)
	return uint64(len(m.hashes) - 1), nil
}

// Get returns the leaf hash at index.
func (m *MemLeaves) Get(ctx context.Context, index uint64) ([32]byte, error) {
	if err := ctx.Err(); err != nil {
		return [32]byte{}, err
	}
	m.mu.RLock()
	defer m.mu.RUnlock()
	if index >= uint64(len(m.hashes)) {
		return [32]byte{}, fmt.Errorf("tlog: leaf %d out of range (size %d)", index, len(m.hashes))
	}
	return m.hashes[index], nil
}

// LeafHash returns the RFC 6962 leaf hash of entry: SHA-256(0x00 || entry).
func LeafHash(entry []byte) [32]byte {
	return to32(rfc6962.DefaultHasher.HashLeaf(entry))
}

// EmptyRoot returns the root hash of the empty tree: SHA-256 of the empty
// string.
func EmptyRoot() [32]byte {
	return to32(rfc6962.DefaultHasher.EmptyRoot())
}

func to32(b []byte) [32]byte {
	var h [32]byte
	if copy(h[:], b) != HashSize {
		panic("tlog: hash of unexpected size") // only reachable if rfc6962 stops being SHA-256
	}
	return h
}

func newFactory() *compact.RangeFactory {
	return &compact.RangeFactory{Hash: rfc6962.DefaultHasher.HashChildren}
}

// checkSize returns an error unless size leaves are stored in l.
func checkSize(ctx context.Context, l Leaves, size uint64) error {
	n, err := l.Size(ctx)
	if err != nil {
		return fmt.Errorf("tlog: reading log size: %w", err)
	}
	if size > n {
		return fmt.Errorf("tlog: tree size %d beyond log size %d", size, n)
	}
	return nil
}

// appendLeaves appends the leaf hashes of [begin, end) to r, which must end
// at begin.
func appendLeaves(ctx context.Context, l Leaves, r *compact.Range, begin, end uint64) error {
	for i := begin; i < end; i++ {
		h, err := l.Get(ctx, i)
		if err != nil {
			return fmt.Errorf("tlog: reading leaf %d: %w", i, err)
		}
		if err := r.Append(h[:], nil); err != nil {
			return fmt.Errorf("tlog: appending leaf %d: %w", i, err)
		}
	}
	return nil
}

// Root returns the RFC 6962 root hash (MTH) of the first size leaves of l.
// It reads every one of those leaves: O(size) reads and hashes.
func Root(ctx context.Context, l Leaves, size uint64) ([32]byte, error) {
	if err := checkSize(ctx, l, size); err != nil {
		return [32]byte{}, err
	}
	if size == 0 {
		return EmptyRoot(), nil
	}
	r := newFactory().NewEmptyRange(0)
	if err := appendLeaves(ctx, l, r, 0, size); err != nil {
		return [32]byte{}, err
	}
	root, err := r.GetRootHash(nil)
	if err != nil {
		return [32]byte{}, fmt.Errorf("tlog: root of %d leaves: %w", size, err)
	}
	return to32(root), nil
}

// nodeHash returns the hash of the perfect subtree with the given ID, which
// must lie wholly inside the stored leaves.
func nodeHash(ctx context.Context, l Leaves, f *compact.RangeFactory, id compact.NodeID) ([]byte, error) {
	begin, end := id.Coverage()
	r := f.NewEmptyRange(begin)
	if err := appendLeaves(ctx, l, r, begin, end); err != nil {
		return nil, err
	}
	hs := r.Hashes()
	if len(hs) != 1 {
		return nil, fmt.Errorf("tlog: node %d/%d is not a perfect subtree", id.Level, id.Index)
	}
	return hs[0], nil
}

// buildProof fetches the hashes of the nodes n names and folds its ephemeral
// node, giving the proof in RFC 6962 order.
func buildProof(ctx context.Context, l Leaves, n proof.Nodes) ([][32]byte, error) {
	f := newFactory()
	hashes := make([][]byte, len(n.IDs))
	for i, id := range n.IDs {
		h, err := nodeHash(ctx, l, f, id)
		if err != nil {
			return nil, err
		}
		hashes[i] = h
	}
	folded, err := n.Rehash(hashes, rfc6962.DefaultHasher.HashChildren)
	if err != nil {
		return nil, fmt.Errorf("tlog: rehashing proof: %w", err)
	}
	out := make([][32]byte, len(folded))
	for i, h := range folded {
		out[i] = to32(h)
	}
	return out, nil
}

// InclusionProof returns the RFC 6962 audit path for the leaf at index in
// the tree of the first size leaves of l. It requires index < size <= the
// log's size, and costs O(size) reads and hashes.
func InclusionProof(ctx context.Context, l Leaves, index, size uint64) ([][32]byte, error) {
	if index >= size {
		return nil, fmt.Errorf("tlog: leaf index %d out of range for tree size %d", index, size)
	}
	if err := checkSize(ctx, l, size); err != nil {
		return nil, err
	}
	n, err := proof.Inclusion(index, size)
	if err != nil {
		return nil, fmt.Errorf("tlog: inclusion proof: %w", err)
	}
	return buildProof(ctx, l, n)
}

// ConsistencyProof returns the RFC 6962 consistency proof between the trees
// of the first size1 and size2 leaves of l. It requires size1 <= size2 <= the
// log's size, and costs O(size2) reads and hashes. The proof is empty when
// size1 is 0 or equal to size2.
func ConsistencyProof(ctx context.Context, l Leaves, size1, size2 uint64) ([][32]byte, error) {
	if size1 > size2 {
		return nil, fmt.Errorf("tlog: consistency proof from size %d to smaller size %d", size1, size2)
	}
	if err := checkSize(ctx, l, size2); err != nil {
		return nil, err
	}
	n, err := proof.Consistency(size1, size2)
	if err != nil {
		return nil, fmt.Errorf("tlog: consistency proof: %w", err)
	}
	return buildProof(ctx, l, n)
}

func toSlices(p [][32]byte) [][]byte {
	out := make([][]byte, len(p))
	for i := range p {
		out[i] = p[i][:]
	}
	return out
}

// VerifyInclusion checks that p proves the leaf with leafHash is at index in
// the tree of the given size and root. It requires index < size.
//
// An RFC 6962 root does not commit to the tree size, and a proof for one size
// can have the same shape as one for another, so size and root must come
// together from one verified [Checkpoint]; never take them from separate
// sources.
func VerifyInclusion(leafHash [32]byte, index, size uint64, root [32]byte, p [][32]byte) error {
	if err := proof.VerifyInclusion(rfc6962.DefaultHasher, index, size, leafHash[:], toSlices(p), root[:]); err != nil {
		return fmt.Errorf("tlog: inclusion proof of leaf %d in tree of size %d: %w", index, size, err)
	}
	return nil
}

// VerifyConsistency checks that p proves the tree of size2 with root2
// extends the tree of size1 with root1. It requires size1 <= size2. As for
// [VerifyInclusion], each size must come with its root from one verified
// [Checkpoint].
//
// Unlike merkle/proof.VerifyConsistency, which accepts any root1 when size1
// is 0, this also requires root1 to be the empty tree's root in that case.
func VerifyConsistency(size1, size2 uint64, root1, root2 [32]byte, p [][32]byte) error {
	if size1 == 0 && root1 != EmptyRoot() {
		return errors.New("tlog: consistency proof from size 0: root is not the empty tree's root")
	}
	if err := proof.VerifyConsistency(rfc6962.DefaultHasher, size1, size2, toSlices(p), root1[:], root2[:]); err != nil {
		return fmt.Errorf("tlog: consistency proof from size %d to %d: %w", size1, size2, err)
	}
	return nil
}
