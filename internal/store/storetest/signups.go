package storetest

import (
	"bytes"
	"slices"
	"testing"
	"time"

	"github.com/tocsin/tocsin"
	"github.com/tocsin/tocsin/internal/store"
)

// newSignup returns a pending sign-up created ago before now.
func newSignup(id string, ago time.Duration) *tocsin.Signup {
	at := now.Add(-ago)
	return &tocsin.Signup{
		ID:       id,
		Sealed:   []byte("sealed number and code " + id),
		CodeHash: hash("code " + id),
		Lang:     tocsin.Spanish,
		Area: tocsin.Area{
			ZIPs:   []string{"90013", "90012"},
			Circle: &tocsin.Circle{Lat: 34.0407, Lon: -118.2468, RadiusM: 1200},
		},
		State:     tocsin.SignupPending,
		CreatedAt: at,
		ExpiresAt: at.Add(tocsin.SignupTTL),
	}
}

func signupID(s tocsin.Signup) string { return s.ID }

func wantSignup(t *testing.T, got, want *tocsin.Signup) {
	t.Helper()
	if got.ID != want.ID || !bytes.Equal(got.Sealed, want.Sealed) || !bytes.Equal(got.CodeHash, want.CodeHash) ||
		got.Lang != want.Lang || got.State != want.State || got.Attempts != want.Attempts {
		t.Errorf("sign-up =\n%+v\nwant\n%+v", got, want)
	}
	if !slices.Equal(got.Area.ZIPs, want.Area.ZIPs) || (got.Area.Circle == nil) != (want.Area.Circle == nil) ||
		(got.Area.Circle != nil && *got.Area.Circle != *want.Area.Circle) {
		t.Errorf("area = %+v, want %+v", got.Area, want.Area)
	}
	wantTime(t, "CreatedAt", got.CreatedAt, want.CreatedAt)
	wantTime(t, "ExpiresAt", got.ExpiresAt, want.ExpiresAt)
}

func testSignups(t *testing.T, open func(t *testing.T) store.Store) {
	t.Run("CreateGet", func(t *testing.T) {
		b := setup(t, open)
		su := newSignup("s1", 0)
		su.Attempts = 2
		must(t, b.s.CreateSignup(b.ctx, su))
		got, err := b.s.GetSignup(b.ctx, "s1")
		must(t, err)
		wantSignup(t, got, su)

		zipOnly := newSignup("s2", 0)
		zipOnly.Area = tocsin.Area{ZIPs: []string{"90001"}}
		must(t, b.s.CreateSignup(b.ctx, zipOnly))
		got, err = b.s.GetSignup(b.ctx, "s2")
		must(t, err)
		wantSignup(t, got, zipOnly)
	})

	t.Run("GetNotFound", func(t *testing.T) {
		b := setup(t, open)
		_, err := b.s.GetSignup(b.ctx, "nope")
		wantCode(t, err, tocsin.ENOTFOUND)
	})

	t.Run("List", func(t *testing.T) {
		b := setup(t, open)
		for _, su := range []*tocsin.Signup{newSignup("mid", 5*time.Minute), newSignup("new", time.Minute), newSignup("old", 10*time.Minute)} {
			must(t, b.s.CreateSignup(b.ctx, su))
		}
		sent := newSignup("sent", 3*time.Minute)
		sent.State = tocsin.SignupCodeSent
		must(t, b.s.CreateSignup(b.ctx, sent))

		tests := []struct {
			name  string
			state tocsin.SignupState
			limit int
			want  []string
		}{
			{"OldestFirst", tocsin.SignupPending, 10, []string{"old", "mid", "new"}},
			{"Limit", tocsin.SignupPending, 2, []string{"old", "mid"}},
			{"OtherState", tocsin.SignupCodeSent, 10, []string{"sent"}},
			{"NoneInState", tocsin.SignupConfirmed, 10, nil},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				got, err := b.s.ListSignups(b.ctx, tt.state, tt.limit)
				must(t, err)
				if g := ids(got, signupID); !slices.Equal(g, tt.want) {
					t.Errorf("ListSignups(%q, %d) = %v, want %v", tt.state, tt.limit, g, tt.want)
				}
			})
		}
	})

	t.Run("Update", func(t *testing.T) {
		tests := []struct {
			state tocsin.SignupState
			wiped bool
		}{
			{tocsin.SignupCodeSent, false},
			{tocsin.SignupConfirmed, false},
			{tocsin.SignupDone, true},
			{tocsin.SignupExpired, true},
		}
		for _, tt := range tests {
			t.Run(string(tt.state), func(t *testing.T) {
				b := setup(t, open)
				su := newSignup("s1", 0)
				must(t, b.s.CreateSignup(b.ctx, su))
				must(t, b.s.UpdateSignup(b.ctx, "s1", tt.state, 3))
				got, err := b.s.GetSignup(b.ctx, "s1")
				must(t, err)
				if got.State != tt.state || got.Attempts != 3 {
					t.Errorf("state, attempts = %q, %d; want %q, 3", got.State, got.Attempts, tt.state)
				}
				if tt.wiped {
					if len(got.Sealed) != 0 || len(got.CodeHash) != 0 {
						t.Errorf("%s sign-up keeps sealed %q, code hash %q; want both wiped", tt.state, got.Sealed, got.CodeHash)
					}
				} else if !bytes.Equal(got.Sealed, su.Sealed) || !bytes.Equal(got.CodeHash, su.CodeHash) {
					t.Errorf("%s sign-up lost its sealed number or code hash", tt.state)
				}
			})
		}
	})

	t.Run("UpdateNotFound", func(t *testing.T) {
		b := setup(t, open)
		wantCode(t, b.s.UpdateSignup(b.ctx, "nope", tocsin.SignupCodeSent, 0), tocsin.ENOTFOUND)
	})

	t.Run("CountSince", func(t *testing.T) {
		b := setup(t, open)
		for i, ago := range []time.Duration{2 * time.Hour, time.Hour, 30 * time.Minute, 0} {
			su := newSignup("s"+itoa(int64(i)), ago)
			must(t, b.s.CreateSignup(b.ctx, su))
		}
		must(t, b.s.UpdateSignup(b.ctx, "s3", tocsin.SignupDone, 0)) // still counts
		tests := []struct {
			since time.Time
			want  int
		}{
			{now.Add(-3 * time.Hour), 4},
			{now.Add(-time.Hour), 3}, // inclusive
			{now.Add(-59 * time.Minute), 2},
			{now.Add(time.Minute), 0},
		}
		for _, tt := range tests {
			n, err := b.s.CountSignupsSince(b.ctx, tt.since)
			must(t, err)
			if n != tt.want {
				t.Errorf("CountSignupsSince(%v) = %d, want %d", tt.since, n, tt.want)
			}
		}
	})

	t.Run("CountSignupAttempt", func(t *testing.T) {
		b := setup(t, open)
		must(t, b.s.CreateSignup(b.ctx, newSignup("s1", 0)))
		for i := 1; i <= 3; i++ {
			su, err := b.s.CountSignupAttempt(b.ctx, "s1", now, 3)
			must(t, err)
			if su.Attempts != i {
				t.Errorf("attempt %d: Attempts = %d", i, su.Attempts)
			}
		}
		if _, err := b.s.CountSignupAttempt(b.ctx, "s1", now, 3); tocsin.ErrorCode(err) != tocsin.ECONFLICT {
			t.Errorf("out of attempts: %v, want ECONFLICT", err)
		}
		must(t, b.s.CreateSignup(b.ctx, newSignup("s2", 0)))
		if _, err := b.s.CountSignupAttempt(b.ctx, "s2", now.Add(tocsin.SignupTTL), 3); tocsin.ErrorCode(err) != tocsin.ECONFLICT {
			t.Errorf("expired: %v, want ECONFLICT", err)
		}
		must(t, b.s.UpdateSignup(b.ctx, "s2", tocsin.SignupConfirmed, 0))
		if _, err := b.s.CountSignupAttempt(b.ctx, "s2", now, 3); tocsin.ErrorCode(err) != tocsin.ECONFLICT {
			t.Errorf("confirmed: %v, want ECONFLICT", err)
		}
		if _, err := b.s.CountSignupAttempt(b.ctx, "nope", now, 3); tocsin.ErrorCode(err) != tocsin.ENOTFOUND {
			t.Errorf("missing: %v, want ENOTFOUND", err)
		}
	})

	t.Run("CodeSends", func(t *testing.T) {
		b := setup(t, open)
		for _, ago := range []time.Duration{2 * time.Hour, 10 * time.Minute, 0} {
			must(t, b.s.RecordCodeSend(b.ctx, hash("a"), now.Add(-ago)))
		}
		must(t, b.s.RecordCodeSend(b.ctx, hash("b"), now))
		tests := []struct {
			who   string
			since time.Time
			want  int
		}{
			{"a", now.Add(-time.Hour), 2},
			{"a", now.Add(-3 * time.Hour), 3},
			{"a", now.Add(-10 * time.Minute), 2}, // inclusive
			{"a", now.Add(time.Second), 0},
			{"b", now.Add(-time.Hour), 1},
			{"c", now.Add(-time.Hour), 0},
		}
		for _, tt := range tests {
			n, err := b.s.CountCodeSends(b.ctx, hash(tt.who), tt.since)
			must(t, err)
			if n != tt.want {
				t.Errorf("CountCodeSends(%s, %v) = %d, want %d", tt.who, tt.since, n, tt.want)
			}
		}
		must(t, b.s.PurgeCodeSends(b.ctx, now.Add(-time.Hour)))
		if n, _ := b.s.CountCodeSends(b.ctx, hash("a"), now.Add(-3*time.Hour)); n != 2 {
			t.Errorf("after purge: %d code sends, want the 2 of the last hour", n)
		}
	})

	t.Run("OptOuts", func(t *testing.T) {
		b := setup(t, open)
		if _, err := b.s.GetOptOut(b.ctx, hash("a")); tocsin.ErrorCode(err) != tocsin.ENOTFOUND {
			t.Fatalf("never opted out: %v, want ENOTFOUND", err)
		}
		must(t, b.s.SetOptOut(b.ctx, hash("a"), now.Add(-time.Hour)))
		must(t, b.s.SetOptOut(b.ctx, hash("a"), now)) // STOP again: keeps the first time
		must(t, b.s.SetOptOut(b.ctx, hash("b"), now))
		at, err := b.s.GetOptOut(b.ctx, hash("a"))
		must(t, err)
		wantTime(t, "opted out", at, now.Add(-time.Hour))
		// No retention purge forgets an opt-out, however old.
		later := now.AddDate(10, 0, 0)
		must(t, b.s.PurgeCodeSends(b.ctx, later))
		must(t, b.s.PurgeHooksSeen(b.ctx, later))
		must(t, b.s.PurgeSent(b.ctx, later))
		must(t, b.s.PurgeSecurityEvents(b.ctx, later, later))
		if _, err := b.s.ExpireReports(b.ctx, later); err != nil {
			t.Fatal(err)
		}
		must(t, b.s.DeleteExpiredSessions(b.ctx, later))
		if _, err := b.s.GetOptOut(b.ctx, hash("a")); err != nil {
			t.Fatalf("after the purges: %v, want the opt-out kept", err)
		}
		// Opting back in forgets it, for that number only; clearing twice
		// is no error.
		must(t, b.s.ClearOptOut(b.ctx, hash("a")))
		must(t, b.s.ClearOptOut(b.ctx, hash("a")))
		if _, err := b.s.GetOptOut(b.ctx, hash("a")); tocsin.ErrorCode(err) != tocsin.ENOTFOUND {
			t.Errorf("after opting back in: %v, want ENOTFOUND", err)
		}
		if _, err := b.s.GetOptOut(b.ctx, hash("b")); err != nil {
			t.Errorf("another number's opt-out: %v, want kept", err)
		}
		// In a transaction, as the sender records a STOP with its reply.
		must(t, b.s.InTx(b.ctx, func(q store.Querier) error { return q.SetOptOut(b.ctx, hash("c"), now) }))
		if _, err := b.s.GetOptOut(b.ctx, hash("c")); err != nil {
			t.Errorf("opt-out recorded in a transaction: %v", err)
		}
	})

	t.Run("BlockCodes", func(t *testing.T) {
		b := setup(t, open)
		for _, c := range []struct {
			ago     time.Duration
			refused bool
		}{{2 * time.Hour, false}, {10 * time.Minute, false}, {5 * time.Minute, true}, {0, false}, {0, true}} {
			must(t, b.s.RecordBlockCode(b.ctx, hash("block a"), now.Add(-c.ago), c.refused))
		}
		must(t, b.s.RecordBlockCode(b.ctx, hash("block b"), now, false))
		tests := []struct {
			who           string
			since         time.Time
			sent, refused int
		}{
			{"block a", now.Add(-time.Hour), 2, 2},
			{"block a", now.Add(-3 * time.Hour), 3, 2},
			{"block a", now.Add(-5 * time.Minute), 1, 2}, // inclusive
			{"block a", now.Add(time.Second), 0, 0},
			{"block b", now.Add(-time.Hour), 1, 0},
			{"block c", now.Add(-time.Hour), 0, 0},
		}
		for _, tt := range tests {
			sent, refused, err := b.s.CountBlockCodes(b.ctx, hash(tt.who), tt.since)
			must(t, err)
			if sent != tt.sent || refused != tt.refused {
				t.Errorf("CountBlockCodes(%s, %v) = %d sent, %d refused; want %d, %d", tt.who, tt.since, sent, refused, tt.sent, tt.refused)
			}
		}
		// Blocks are forgotten with the numbers.
		must(t, b.s.PurgeCodeSends(b.ctx, now.Add(-time.Hour)))
		if sent, refused, _ := b.s.CountBlockCodes(b.ctx, hash("block a"), now.Add(-3*time.Hour)); sent != 2 || refused != 2 {
			t.Errorf("after purge: %d sent, %d refused; want the 2 and 2 of the last hour", sent, refused)
		}
	})
}
