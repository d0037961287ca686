package trust

import (
	"bytes"
	"crypto/ed25519"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestRosterRoundTrip(t *testing.T) {
	r := baseRoster()
	// Unsorted members and keys, a repeated key and zero policy fields are
	// normalised by Encode.
	r.Members[0], r.Members[4] = r.Members[4], r.Members[0]
	r.Members[2].Keys = []ed25519.PublicKey{pubOf(kCarol2), pubOf(kCarol1), pubOf(kCarol2)}
	r.Policy = Policy{}
	enc := mustEncodeRoster(t, r)
	got, err := DecodeRoster(enc)
	if err != nil {
		t.Fatalf("decode: %v\n%s", err, enc)
	}
	want := baseRoster()
	want.Members[2].Keys = sortedKeys(want.Members[2].Keys)
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %+v\nwant %+v", got, want)
	}
	if !bytes.Equal(mustEncodeRoster(t, got), enc) || got.Digest() != r.Digest() {
		t.Fatal("re-encoding differs")
	}
	for _, line := range []string{"tocsin roster v1\nversion 1\nprev " + strings.Repeat("0", 64) + "\n",
		"roster-threshold 2\nalert-rule 0 1\nalert-rule 26 2\nunfreeze-threshold 2\nmax-alerts-per-hour 10\nmax-segments 4\nmax-validity 86400\nmember alice admin\nkey ",
		"member erin viewer\nkey ", "\nend\n"} {
		if !bytes.Contains(enc, []byte(line)) {
			t.Errorf("encoding lacks %q:\n%s", line, enc)
		}
	}
}

func sortedKeys(ks []ed25519.PublicKey) []ed25519.PublicKey {
	out := append([]ed25519.PublicKey(nil), ks...)
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if bytes.Compare(out[j], out[i]) < 0 {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out
}

func TestRosterInvalid(t *testing.T) {
	tests := []struct {
		name, want string
		edit       func(*Roster)
	}{
		{"version 0", "versions start", func(r *Roster) { r.Version = 0 }},
		{"v1 with prev", "prev must be zero", func(r *Roster) { r.Prev[0] = 1 }},
		{"v2 without prev", "prev must be zero", func(r *Roster) { r.Version = 2 }},
		{"no issued time", "issued time", func(r *Roster) { r.IssuedAt = time.Time{} }},
		{"no members", "members", func(r *Roster) { r.Members = nil }},
		{"no admin", "no admin", func(r *Roster) { r.Members = r.Members[3:] }},
		{"duplicate name", "two members", func(r *Roster) { r.Members[1].Name = "alice" }},
		{"bad name", "member name", func(r *Roster) { r.Members[1].Name = "bob smith" }},
		{"unknown role", "unknown role", func(r *Roster) { r.Members[1].Role = "root" }},
		{"no keys", "0 keys", func(r *Roster) { r.Members[1].Keys = nil }},
		{"short key", "32-byte", func(r *Roster) { r.Members[1].Keys[0] = r.Members[1].Keys[0][:31] }},
		{"shared key", "held by both", func(r *Roster) { r.Members[3].Keys = append(r.Members[3].Keys, pubOf(kAlice)) }},
		{"rule not from 0", "first alert rule", func(r *Roster) { r.Policy.AlertRules = []AlertRule{{1, 1}} }},
		{"rules unsorted", "strictly increasing", func(r *Roster) { r.Policy.AlertRules = []AlertRule{{0, 1}, {26, 2}, {10, 2}} }},
		{"fewer for more", "fewer signatures", func(r *Roster) { r.Policy.AlertRules = []AlertRule{{0, 2}, {26, 1}} }},
		{"zero signatures", "signatures", func(r *Roster) { r.Policy.AlertRules = []AlertRule{{0, 0}} }},
		{"negative threshold", "roster-threshold", func(r *Roster) { r.Policy.RosterThreshold = -1 }},
		{"sub-second validity", "max-validity", func(r *Roster) { r.Policy.MaxValidity = 1500 * time.Millisecond }},
		{"validity too long", "max-validity", func(r *Roster) { r.Policy.MaxValidity = 8 * 24 * time.Hour }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := baseRoster()
			tc.edit(r)
			_, err := r.Encode()
			if !errors.Is(err, ErrRoster) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want ErrRoster mentioning %q", err, tc.want)
			}
		})
	}
}

func TestDecodeRosterStrict(t *testing.T) {
	canon := string(mustEncodeRoster(t, baseRoster()))
	rep := func(old, new string) string {
		if !strings.Contains(canon, old) {
			t.Fatalf("fixture lacks %q", old)
		}
		return strings.Replace(canon, old, new, 1)
	}
	tests := []struct{ name, in string }{
		{"CRLF", strings.ReplaceAll(canon, "\n", "\r\n")},
		{"missing end", strings.TrimSuffix(canon, "end\n")},
		{"trailing data", canon + "member x admin\n"},
		{"members unsorted", rep("member alice admin", "member zed admin")},
		{"upper-case prev", rep("prev 0000", "prev 000A")},
		{"extra space", rep("version 1", "version  1")},
		{"missing policy line", rep("max-segments 4\n", "")},
		{"member without key", rep("member erin viewer\n", "member erin viewer\nmember erin2 viewer\n")},
		{"key outside member", rep("roster-threshold 2\n", "roster-threshold 2\nkey "+strings.Repeat("ab", 32)+"\n")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := DecodeRoster([]byte(tc.in)); !errors.Is(err, ErrRoster) {
				t.Fatalf("err = %v, want ErrRoster", err)
			}
		})
	}
}

func TestSignaturesFor(t *testing.T) {
	three := Policy{AlertRules: []AlertRule{{0, 1}, {26, 2}, {1000, 3}}}
	tests := []struct {
		name       string
		p          Policy
		recipients int
		want       int
	}{
		{"default, 0", DefaultPolicy(), 0, 1},
		{"default, 25", DefaultPolicy(), 25, 1},
		{"default, 26", DefaultPolicy(), 26, 2},
		{"default, a million", DefaultPolicy(), 1_000_000, 2},
		{"no rules uses defaults", Policy{}, 26, 2},
		{"negative fails closed", three, -1, 3},
		{"three rules, 999", three, 999, 2},
		{"three rules, 1000", three, 1000, 3},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.p.SignaturesFor(tc.recipients); got != tc.want {
				t.Fatalf("SignaturesFor(%d) = %d, want %d", tc.recipients, got, tc.want)
			}
		})
	}
	if got := DefaultPolicy().withDefaults().UnfreezeThreshold; got != 2 {
		t.Fatalf("default unfreeze threshold %d", got)
	}
	if got := three.withDefaults().UnfreezeThreshold; got != 3 {
		t.Fatalf("unfreeze threshold defaults to %d, want the largest alert threshold 3", got)
	}
}

func TestCheckWindow(t *testing.T) {
	st := baseStatement() // valid for 2 hours from t0
	tests := []struct {
		name string
		p    Policy
		now  time.Time
		want string
	}{
		{"at start", DefaultPolicy(), t0, ""},
		{"inside", DefaultPolicy(), t0.Add(time.Hour), ""},
		{"before", DefaultPolicy(), t0.Add(-time.Second), "not valid before"},
		{"at end", DefaultPolicy(), t0.Add(2 * time.Hour), "expired"},
		{"replayed a day later", DefaultPolicy(), t0.Add(24 * time.Hour), "expired"},
		{"window too long", Policy{MaxValidity: time.Hour}, t0, "at most 1h0m0s"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.p.CheckWindow(st, tc.now)
			if tc.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if !errors.Is(err, ErrPolicy) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want ErrPolicy mentioning %q", err, tc.want)
			}
		})
	}
}

func TestVerifyChain(t *testing.T) {
	v1 := baseRoster()
	// v2 adds frank, a dispatcher.
	v2 := next(t, v1)
	v2.Members = append(v2.Members, Member{Name: "frank", Role: RoleDispatcher, Keys: []ed25519.PublicKey{pubOf(kFrank)}})
	// v2 that gives mallory's key to dave.
	v2mallory := next(t, v1)
	v2mallory.Members[3] = Member{Name: "dave", Role: RoleDispatcher, Keys: []ed25519.PublicKey{pubOf(kDave), pubOf(kMallory)}}
	v2wrongPrev := next(t, v1)
	v2wrongPrev.Prev[0] ^= 1
	v3 := next(t, v2)
	v3.Members = v3.Members[1:] // alice leaves
	v3skip := next(t, v2)
	v3skip.Prev = v1.Digest()
	v2back := next(t, v1)
	v2back.IssuedAt = v1.IssuedAt.Add(-time.Second)
	// A roster of a single admin: the threshold 2 is capped at 1.
	solo := &Roster{Version: 1, IssuedAt: t0, Members: []Member{{Name: "alice", Role: RoleAdmin, Keys: []ed25519.PublicKey{pubOf(kAlice)}}}}
	solo2 := next(t, solo)
	solo2.Members = append(solo2.Members, Member{Name: "bob", Role: RoleAdmin, Keys: []ed25519.PublicKey{pubOf(kBob)}})

	garbage := signed(t, v2, kAlice, kBob)
	garbage.Body = append(garbage.Body, '\n')

	tests := []struct {
		name        string
		chain       []SignedRoster
		wantVersion int    // version returned (0: nil)
		wantErr     string // "" for success
		wantKey     byte   // a key that must (or must not, see keyCan) be able to approve
		keyCan      bool
	}{
		{"v1 by root", []SignedRoster{signed(t, v1, kRoot)}, 1, "", kDave, true},
		{"v1 by root among junk", []SignedRoster{signed(t, v1, kMallory, kAlice, kRoot)}, 1, "", kAlice, true},
		{"v1 by an admin, not root", []SignedRoster{signed(t, v1, kAlice, kBob)}, 0, "not signed by the root", 0, false},
		{"v1 unsigned", []SignedRoster{signed(t, v1)}, 0, "not signed by the root", 0, false},
		{"chain starting at v2", []SignedRoster{signed(t, v2, kRoot)}, 0, "starts at version 2", 0, false},
		{"empty", nil, 0, "empty chain", 0, false},
		{"v2 by two admins", []SignedRoster{signed(t, v1, kRoot), signed(t, v2, kAlice, kBob)}, 2, "", kFrank, true},
		{"v2 by admin and dispatcher", []SignedRoster{signed(t, v1, kRoot), signed(t, v2, kAlice, kDave)}, 1, "needs signatures by 2 distinct admins of version 1, has 1 (alice)", kFrank, false},
		{"v2 by one admin", []SignedRoster{signed(t, v1, kRoot), signed(t, v2, kAlice)}, 1, "has 1", kFrank, false},
		{"v2 by one admin twice", []SignedRoster{signed(t, v1, kRoot), signed(t, v2, kAlice, kAlice)}, 1, "has 1", kFrank, false},
		{"v2 by one admin with two keys", []SignedRoster{signed(t, v1, kRoot), signed(t, v2, kCarol1, kCarol2)}, 1, "has 1 (carol)", kFrank, false},
		{"v2 by root only", []SignedRoster{signed(t, v1, kRoot), signed(t, v2, kRoot)}, 1, "has 0", kFrank, false},
		{"v2 by the new member itself and one admin", []SignedRoster{signed(t, v1, kRoot), signed(t, v2, kFrank, kBob)}, 1, "has 1", kFrank, false},
		{"key added without threshold is ignored", []SignedRoster{signed(t, v1, kRoot), signed(t, v2mallory, kDave)}, 1, "has 0", kMallory, false},
		{"key added with threshold", []SignedRoster{signed(t, v1, kRoot), signed(t, v2mallory, kBob, kCarol2)}, 2, "", kMallory, true},
		{"wrong prev", []SignedRoster{signed(t, v1, kRoot), signed(t, v2wrongPrev, kAlice, kBob)}, 1, "prev does not match", 0, false},
		{"skipped version", []SignedRoster{signed(t, v1, kRoot), signed(t, v3skip, kAlice, kBob)}, 1, "version 3 follows version 1", 0, false},
		{"repeated version", []SignedRoster{signed(t, v1, kRoot), signed(t, v1, kAlice, kBob)}, 1, "version 1 follows version 1", 0, false},
		{"issued earlier", []SignedRoster{signed(t, v1, kRoot), signed(t, v2back, kAlice, kBob)}, 1, "issued before", 0, false},
		{"non-canonical body", []SignedRoster{signed(t, v1, kRoot), garbage}, 1, "roster entry 2", 0, false},
		{"v3 after v2", []SignedRoster{signed(t, v1, kRoot), signed(t, v2, kAlice, kBob), signed(t, v3, kAlice, kCarol1)}, 3, "", kAlice, false},
		{"v3 by frank (dispatcher) and bob", []SignedRoster{signed(t, v1, kRoot), signed(t, v2, kAlice, kBob), signed(t, v3, kFrank, kBob)}, 2, "version 3: needs", kAlice, true},
		{"single admin: threshold capped at 1", []SignedRoster{signed(t, solo, kRoot), signed(t, solo2, kAlice)}, 2, "", kBob, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, err := VerifyChain(pubOf(kRoot), tc.chain)
			if tc.wantErr == "" && err != nil {
				t.Fatalf("refused: %v", err)
			}
			if tc.wantErr != "" && (!errors.Is(err, ErrRoster) || !strings.Contains(err.Error(), tc.wantErr)) {
				t.Fatalf("err = %v, want ErrRoster mentioning %q", err, tc.wantErr)
			}
			switch {
			case tc.wantVersion == 0 && r != nil:
				t.Fatalf("returned version %d", r.Version)
			case tc.wantVersion != 0 && (r == nil || r.Version != tc.wantVersion):
				t.Fatalf("returned %+v, want version %d", r, tc.wantVersion)
			}
			if tc.wantKey != 0 {
				if got := r.CanApprove(KeyIDOf(pubOf(tc.wantKey))); got != tc.keyCan {
					t.Fatalf("CanApprove(key %d) = %v, want %v", tc.wantKey, got, tc.keyCan)
				}
			}
		})
	}
	if _, err := VerifyChain(pubOf(kRoot)[:5], []SignedRoster{signed(t, v1, kRoot)}); !errors.Is(err, ErrRoster) {
		t.Fatalf("short root: %v", err)
	}
}

func TestRosterMember(t *testing.T) {
	r := verifiedRoster(t)
	tests := []struct {
		key      byte
		name     string
		canSign  bool
		inRoster bool
	}{
		{kAlice, "alice", true, true},
		{kCarol2, "carol", true, true},
		{kDave, "dave", true, true},
		{kErin, "erin", false, true},
		{kMallory, "", false, false},
		{kRoot, "", false, false},
	}
	for _, tc := range tests {
		id := KeyIDOf(pubOf(tc.key))
		m, ok := r.Member(id)
		if ok != tc.inRoster || (ok && m.Name != tc.name) {
			t.Errorf("Member(key %d) = %v, %v", tc.key, m, ok)
		}
		if got := r.CanApprove(id); got != tc.canSign {
			t.Errorf("CanApprove(key %d) = %v", tc.key, got)
		}
	}
	var nilRoster *Roster
	if nilRoster.CanApprove(KeyIDOf(pubOf(kAlice))) {
		t.Error("a nil roster approves")
	}
}
