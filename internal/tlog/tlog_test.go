package tlog

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"testing"
)

// mth is a brute-force RFC 6962 Merkle Tree Hash over leaf hashes
// (RFC 6962 section 2.1), independent of the merkle module.
func mth(leaves [][32]byte) [32]byte {
	switch n := len(leaves); n {
	case 0:
		return sha256.Sum256(nil)
	case 1:
		return leaves[0]
	default:
		k := 1
		for k*2 < n {
			k *= 2
		}
		l, r := mth(leaves[:k]), mth(leaves[k:])
		return sha256.Sum256(append(append([]byte{1}, l[:]...), r[:]...))
	}
}

func entry(i int) []byte { return fmt.Appendf(nil, "tocsin alert statement #%d", i) }

// newLog returns an in-memory log of n entries and their leaf hashes.
func newLog(t testing.TB, n int) (*MemLeaves, [][32]byte) {
	t.Helper()
	ctx := context.Background()
	l := &MemLeaves{}
	hashes := make([][32]byte, n)
	for i := range n {
		hashes[i] = LeafHash(entry(i))
		idx, err := l.Append(ctx, hashes[i])
		if err != nil || idx != uint64(i) {
			t.Fatalf("Append #%d = %d, %v", i, idx, err)
		}
	}
	return l, hashes
}

func mustHex(t *testing.T, s string) [32]byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil || len(b) != 32 {
		t.Fatalf("bad hex %q", s)
	}
	return [32]byte(b)
}

func TestKnownAnswers(t *testing.T) {
	tests := []struct {
		name string
		got  [32]byte
		want string
	}{
		{"empty root = sha256(\"\")", EmptyRoot(), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
		{"LeafHash(\"\") = sha256(0x00)", LeafHash(nil), "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"},
		{"LeafHash(\"\") computed", LeafHash([]byte{}), hex.EncodeToString(func() []byte { h := sha256.Sum256([]byte{0}); return h[:] }())},
		{"LeafHash(\"abc\") = sha256(0x00 'abc')", LeafHash([]byte("abc")), hex.EncodeToString(func() []byte { h := sha256.Sum256([]byte("\x00abc")); return h[:] }())},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if want := mustHex(t, tc.want); tc.got != want {
				t.Errorf("got %x, want %x", tc.got, want)
			}
		})
	}
}

// TestRFC6962Vector checks the 8-leaf test tree used across RFC 6962
// implementations (Certificate Transparency, transparency-dev).
func TestRFC6962Vector(t *testing.T) {
	ctx := context.Background()
	inputs := []string{"", "00", "10", "2021", "3031", "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f"}
	l := &MemLeaves{}
	for _, in := range inputs {
		b, _ := hex.DecodeString(in)
		if _, err := l.Append(ctx, LeafHash(b)); err != nil {
			t.Fatal(err)
		}
	}
	got, err := Root(ctx, l, 8)
	if err != nil {
		t.Fatal(err)
	}
	if want := mustHex(t, "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"); got != want {
		t.Errorf("root of RFC 6962 test tree = %x, want %x", got, want)
	}
}

var sizes = func() []int {
	var s []int
	for n := 0; n <= 70; n++ {
		s = append(s, n)
	}
	return append(s, 127, 128, 129, 257, 1000)
}()

func TestRoot(t *testing.T) {
	ctx := context.Background()
	l, hashes := newLog(t, 1000)
	for _, n := range sizes {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			got, err := Root(ctx, l, uint64(n))
			if err != nil {
				t.Fatal(err)
			}
			if want := mth(hashes[:n]); got != want {
				t.Errorf("Root(%d) = %x, want %x", n, got, want)
			}
		})
	}
}

func TestRangeErrors(t *testing.T) {
	ctx := context.Background()
	l, _ := newLog(t, 10)
	tests := []struct {
		name string
		call func() error
	}{
		{"root beyond size", func() error { _, err := Root(ctx, l, 11); return err }},
		{"inclusion index = size", func() error { _, err := InclusionProof(ctx, l, 5, 5); return err }},
		{"inclusion index > size", func() error { _, err := InclusionProof(ctx, l, 7, 5); return err }},
		{"inclusion size beyond log", func() error { _, err := InclusionProof(ctx, l, 0, 11); return err }},
		{"inclusion in empty tree", func() error { _, err := InclusionProof(ctx, l, 0, 0); return err }},
		{"consistency size1 > size2", func() error { _, err := ConsistencyProof(ctx, l, 6, 5); return err }},
		{"consistency size2 beyond log", func() error { _, err := ConsistencyProof(ctx, l, 5, 11); return err }},
		{"get beyond size", func() error { _, err := l.Get(ctx, 10); return err }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.call(); err == nil {
				t.Error("no error")
			}
		})
	}
}

func flip(h [32]byte, i int) [32]byte {
	h[i] ^= 0x01
	return h
}

func cloneProof(p [][32]byte) [][32]byte { return append([][32]byte(nil), p...) }

func TestInclusion(t *testing.T) {
	ctx := context.Background()
	l, hashes := newLog(t, 1000)
	for _, n := range sizes {
		if n == 0 {
			continue
		}
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			size := uint64(n)
			root := mth(hashes[:n])
			for i := range n {
				idx := uint64(i)
				p, err := InclusionProof(ctx, l, idx, size)
				if err != nil {
					t.Fatalf("InclusionProof(%d, %d): %v", i, n, err)
				}
				if err := VerifyInclusion(hashes[i], idx, size, root, p); err != nil {
					t.Fatalf("VerifyInclusion(%d, %d): %v", i, n, err)
				}
				// Tampering is checked exhaustively for small trees and for
				// a sample of leaves in the large ones.
				if n > 70 && i%37 != 0 && i != n-1 {
					continue
				}
				type tamper struct {
					what      string
					leaf      [32]byte
					idx, size uint64
					root      [32]byte
					proof     [][32]byte
				}
				var cases []tamper
				base := tamper{"", hashes[i], idx, size, root, p}
				for b := range 32 {
					c := base
					c.what, c.leaf = fmt.Sprintf("leaf byte %d", b), flip(hashes[i], b)
					cases = append(cases, c)
					c = base
					c.what, c.root = fmt.Sprintf("root byte %d", b), flip(root, b)
					cases = append(cases, c)
					for k := range p {
						c = base
						c.what, c.proof = fmt.Sprintf("proof node %d byte %d", k, b), cloneProof(p)
						c.proof[k] = flip(p[k], b)
						cases = append(cases, c)
					}
				}
				for _, d := range []int64{-1, 1, 2} {
					c := base
					c.what, c.idx = fmt.Sprintf("index %+d", d), uint64(int64(idx)+d)
					if c.idx != idx && c.idx < size && (c.idx < uint64(n) && hashes[c.idx] != hashes[i]) {
						cases = append(cases, c)
					}
					// A root does not commit to its tree size (see
					// TestSizeNotBoundByRoot); the checkpoint signature binds
					// them. So a changed size comes with that size's real root,
					// as it would from a genuine checkpoint of that size.
					c = base
					c.what, c.size = fmt.Sprintf("size %+d", d), uint64(int64(size)+d)
					if c.size <= uint64(len(hashes)) {
						c.root = mth(hashes[:c.size])
						cases = append(cases, c)
					}
				}
				c := base
				c.what, c.proof = "proof node dropped", nil
				if len(p) > 0 {
					c.proof = cloneProof(p[:len(p)-1])
					cases = append(cases, c)
				}
				c = base
				c.what, c.proof = "proof node added", append(cloneProof(p), root)
				cases = append(cases, c)
				if len(p) > 1 {
					c = base
					c.what, c.proof = "proof nodes swapped", cloneProof(p)
					c.proof[0], c.proof[1] = c.proof[1], c.proof[0]
					if c.proof[0] != c.proof[1] {
						cases = append(cases, c)
					}
				}
				for _, c := range cases {
					if err := VerifyInclusion(c.leaf, c.idx, c.size, c.root, c.proof); err == nil {
						t.Errorf("leaf %d of %d: tampered (%s) proof verified", i, n, c.what)
					}
				}
			}
		})
	}
}

func TestConsistency(t *testing.T) {
	ctx := context.Background()
	const maxSize = 40
	l, hashes := newLog(t, 1000)
	pairs := [][2]int{{1, 1000}, {257, 1000}, {512, 1000}, {999, 1000}, {70, 257}}
	for s2 := 0; s2 <= maxSize; s2++ {
		for s1 := 0; s1 <= s2; s1++ {
			pairs = append(pairs, [2]int{s1, s2})
		}
	}
	for _, pr := range pairs {
		s1, s2 := pr[0], pr[1]
		size1, size2 := uint64(s1), uint64(s2)
		root1, root2 := mth(hashes[:s1]), mth(hashes[:s2])
		p, err := ConsistencyProof(ctx, l, size1, size2)
		if err != nil {
			t.Fatalf("ConsistencyProof(%d, %d): %v", s1, s2, err)
		}
		if err := VerifyConsistency(size1, size2, root1, root2, p); err != nil {
			t.Fatalf("VerifyConsistency(%d, %d): %v", s1, s2, err)
		}
		if (s1 == 0 || s1 == s2) && len(p) != 0 {
			t.Errorf("ConsistencyProof(%d, %d) has %d nodes, want none", s1, s2, len(p))
		}

		type tamper struct {
			what         string
			size1, size2 uint64
			root1, root2 [32]byte
			proof        [][32]byte
		}
		base := tamper{"", size1, size2, root1, root2, p}
		var cases []tamper
		for b := range 32 {
			c := base
			c.what, c.root1 = fmt.Sprintf("root1 byte %d", b), flip(root1, b)
			cases = append(cases, c)
			// With size1 = 0 nothing binds root2: any tree extends the empty one.
			if s1 != 0 {
				c = base
				c.what, c.root2 = fmt.Sprintf("root2 byte %d", b), flip(root2, b)
				cases = append(cases, c)
			}
			for k := range p {
				c = base
				c.what, c.proof = fmt.Sprintf("proof node %d byte %d", k, b), cloneProof(p)
				c.proof[k] = flip(p[k], b)
				cases = append(cases, c)
			}
		}
		if s1 != 0 {
			// A different size, with the root of a tree of that size.
			for _, d := range []int64{-1, 1} {
				c := base
				c.what, c.size1 = fmt.Sprintf("size1 %+d", d), uint64(int64(size1)+d)
				if c.size1 <= size2 && c.size1 != 0 {
					c.root1 = mth(hashes[:c.size1])
					cases = append(cases, c)
				}
				c = base
				c.what, c.size1 = fmt.Sprintf("size1 %+d, root1 kept", d), uint64(int64(size1)+d)
				if c.size1 <= size2 && c.size1 != 0 {
					cases = append(cases, c)
				}
				c = base
				c.what, c.size2 = fmt.Sprintf("size2 %+d", d), uint64(int64(size2)+d)
				if c.size2 >= size1 && c.size2 <= uint64(len(hashes)) {
					c.root2 = mth(hashes[:c.size2]) // as from a checkpoint of that size
					cases = append(cases, c)
				}
			}
			c := base
			c.what, c.proof = "proof node added", append(cloneProof(p), root2)
			cases = append(cases, c)
			if len(p) > 0 {
				c = base
				c.what, c.proof = "proof node dropped", cloneProof(p[:len(p)-1])
				cases = append(cases, c)
			}
			if s1 != s2 {
				// The roots of a forked log: same size1, different history.
				forked := append([][32]byte(nil), hashes[:s2]...)
				forked[s1-1] = LeafHash([]byte("rewritten"))
				c = base
				c.what, c.root1 = "forked root1", mth(forked[:s1])
				cases = append(cases, c)
			}
		}
		for _, c := range cases {
			if err := VerifyConsistency(c.size1, c.size2, c.root1, c.root2, c.proof); err == nil {
				t.Errorf("%d -> %d: tampered (%s) proof verified", s1, s2, c.what)
			}
		}
	}
}

// TestSizeNotBoundByRoot records a property of RFC 6962 that callers must
// respect: a root hash does not commit to the tree size, and a proof for one
// size can have the same shape as a proof for another. Leaf 0's proof in the
// 3-leaf tree, [h1, h2], also "verifies" against the 3-leaf root claimed for
// size 4. Size and root must therefore come together from one verified
// checkpoint, never from separate sources.
func TestSizeNotBoundByRoot(t *testing.T) {
	ctx := context.Background()
	l, hashes := newLog(t, 4)
	p, err := InclusionProof(ctx, l, 0, 3)
	if err != nil {
		t.Fatal(err)
	}
	root3, root4 := mth(hashes[:3]), mth(hashes[:4])
	tests := []struct {
		name   string
		size   uint64
		root   [32]byte
		verify bool
	}{
		{"genuine size and root", 3, root3, true},
		{"size 4 with root of size 3", 4, root3, true},
		{"size 4 with root of size 4", 4, root4, false},
		{"size 3 with root of size 4", 3, root4, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := VerifyInclusion(hashes[0], 0, tc.size, tc.root, p)
			if (err == nil) != tc.verify {
				t.Errorf("VerifyInclusion: %v, want verified=%v", err, tc.verify)
			}
		})
	}
}

func TestMemLeavesCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	l := &MemLeaves{}
	if _, err := l.Append(ctx, LeafHash(nil)); err == nil {
		t.Error("Append with a cancelled context succeeded")
	}
	if n, _ := l.Size(context.Background()); n != 0 {
		t.Errorf("size after cancelled append = %d", n)
	}
}
