package trust

import (
	"bytes"
	"crypto/ed25519"
	"testing"
	"time"
)

// t0 is the fixed "now" of the tests.
var t0 = time.Date(2026, 3, 14, 15, 9, 26, 0, time.UTC)

// testKey returns a deterministic key pair for seed byte b.
func testKey(b byte) (ed25519.PublicKey, ed25519.PrivateKey) {
	priv := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{b}, ed25519.SeedSize))
	return priv.Public().(ed25519.PublicKey), priv
}

func pubOf(b byte) ed25519.PublicKey { p, _ := testKey(b); return p }
func privOf(b byte) ed25519.PrivateKey {
	_, k := testKey(b)
	return k
}

// Key seeds of the test cast.
const (
	kRoot    = 1
	kAlice   = 2 // admin
	kBob     = 3 // admin
	kCarol1  = 4 // admin, first key
	kCarol2  = 5 // admin, second key
	kDave    = 6 // dispatcher
	kErin    = 7 // viewer
	kMallory = 8 // in no roster
	kFrank   = 9 // dispatcher, added in later versions
)

// baseStatement returns a valid statement using every field.
func baseStatement() *Statement {
	return &Statement{
		AlertID:    "k3q9x2m7c4v8b1n6",
		CreatedAt:  t0,
		ValidFrom:  t0,
		ValidUntil: t0.Add(2 * time.Hour),
		Texts: map[string]string{
			"en": "ICE checkpoint at Main St & 5th Ave. Avoid the area.\nRef ACD347",
			"es": "Retén de ICE en Main St y 5th Ave. Evite la zona.\nRef ACD347",
		},
		ZIPs:          []string{"90210", "90211"},
		Circle:        &Circle{LatE6: 34052235, LonE6: -118243683, RadiusM: 2000},
		Cells:         []uint64{0x80c2c7b000000000, 0x80c2c7d000000000},
		MaxRecipients: 500,
		Confirmed:     true,
	}
}

// baseRoster returns roster version 1 of the cast.
func baseRoster() *Roster {
	return &Roster{
		Version:  1,
		IssuedAt: t0.Add(-48 * time.Hour),
		Members: []Member{
			{Name: "alice", Role: RoleAdmin, Keys: []ed25519.PublicKey{pubOf(kAlice)}},
			{Name: "bob", Role: RoleAdmin, Keys: []ed25519.PublicKey{pubOf(kBob)}},
			{Name: "carol", Role: RoleAdmin, Keys: []ed25519.PublicKey{pubOf(kCarol1), pubOf(kCarol2)}},
			{Name: "dave", Role: RoleDispatcher, Keys: []ed25519.PublicKey{pubOf(kDave)}},
			{Name: "erin", Role: RoleViewer, Keys: []ed25519.PublicKey{pubOf(kErin)}},
		},
		Policy: DefaultPolicy(),
	}
}

func mustEncodeRoster(t testing.TB, r *Roster) []byte {
	t.Helper()
	b, err := r.Encode()
	if err != nil {
		t.Fatalf("encode roster: %v", err)
	}
	return b
}

// signed encodes r and signs it with the given key seeds.
func signed(t testing.TB, r *Roster, seeds ...byte) SignedRoster {
	t.Helper()
	body := mustEncodeRoster(t, r)
	sr := SignedRoster{Body: body}
	for _, s := range seeds {
		sr.Signatures = append(sr.Signatures, SignRoster(privOf(s), body))
	}
	return sr
}

// next returns a copy of r as the following version.
func next(t testing.TB, r *Roster) *Roster {
	t.Helper()
	n := *r
	n.Version = r.Version + 1
	n.Prev = r.Digest()
	n.IssuedAt = r.IssuedAt.Add(time.Hour)
	n.Members = append([]Member(nil), r.Members...)
	return &n
}

// verifiedRoster returns version 1 as VerifyChain returns it.
func verifiedRoster(t testing.TB) *Roster {
	t.Helper()
	r, err := VerifyChain(pubOf(kRoot), []SignedRoster{signed(t, baseRoster(), kRoot)})
	if err != nil {
		t.Fatal(err)
	}
	return r
}
