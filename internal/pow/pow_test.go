package pow

import (
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"
)

var t0 = time.Date(2026, 12, 8, 1, 0, 0, 0, time.UTC)

func setup(t *testing.T) (Issuer, Challenge) {
	t.Helper()
	is := Issuer{Key: []byte("0123456789abcdef0123456789abcdef"), MaxNumber: 5000, TTL: 5 * time.Minute}
	c, err := is.New(t0)
	if err != nil {
		t.Fatal(err)
	}
	return is, c
}

func TestSolveAndCheck(t *testing.T) {
	is, c := setup(t)
	s, ok := Solve(c)
	if !ok {
		t.Fatal("no solution found")
	}
	id, exp, err := is.Check(s.Encode(), t0.Add(time.Minute))
	if err != nil || id != c.Challenge || !exp.Equal(t0.Add(5*time.Minute)) {
		t.Fatalf("Check = %q %v %v", id, exp, err)
	}
}

// TestForgedSolutions plays a client that answers without doing the work,
// or makes its own challenges, or answers late.
func TestForgedSolutions(t *testing.T) {
	is, c := setup(t)
	good, _ := Solve(c)
	other := Issuer{Key: []byte("another key of 32 bytes, not ours"), MaxNumber: 10, TTL: time.Hour}
	own, _ := other.New(t0)
	ownSol, _ := Solve(own)
	cases := []struct {
		name    string
		payload string
		at      time.Time
		want    error
	}{
		{"wrong number", func() string { s := good; s.Number = (s.Number + 1) % (c.MaxNumber + 1); return s.Encode() }(), t0, ErrWrong},
		{"own challenge, own key", ownSol.Encode(), t0, ErrForged},
		{"signature copied onto an easier challenge", func() string {
			s := ownSol
			s.Signature = c.Signature
			return s.Encode()
		}(), t0, ErrForged},
		{"expiry moved in the salt", func() string {
			s := good
			s.Salt = strings.Split(s.Salt, "?")[0] + "?expires=9999999999"
			return s.Encode()
		}(), t0.Add(time.Hour), ErrExpired}, // later than any challenge lives
		{"late", good.Encode(), t0.Add(5 * time.Minute), ErrExpired},
		// The hash is of salt ‖ n and the signature covers the hash only: the
		// number's leading digits moved into the salt give the same hash, and
		// with them a later expiry (found by an attack run on the server).
		{"digits of the number moved into the salt's expiry", shifted(t, is).Encode(), t0.Add(10 * time.Minute), ErrMalformed},
		{"digits moved, still within the time to live", shifted(t, is).Encode(), t0.Add(time.Minute), ErrMalformed},
		{"not base64", "%%%", t0, ErrMalformed},
		{"empty", "", t0, ErrMalformed},
		{"other algorithm", func() string { s := good; s.Algorithm = "SHA-1"; return s.Encode() }(), t0, ErrMalformed},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if _, _, err := is.Check(tc.payload, tc.at); !errors.Is(err, tc.want) {
				t.Errorf("Check = %v, want %v", err, tc.want)
			}
		})
	}
}

func TestNewNeedsAKey(t *testing.T) {
	if _, err := (Issuer{Key: []byte("short"), MaxNumber: 1, TTL: time.Minute}).New(t0); err == nil {
		t.Error("a short key was taken")
	}
}

// shifted solves a challenge whose number has two digits or more and moves
// all but its last digit to the end of the salt: the same hash.
func shifted(t *testing.T, is Issuer) Solution {
	t.Helper()
	for range 1000 {
		c, err := is.New(t0)
		if err != nil {
			t.Fatal(err)
		}
		s, ok := Solve(c)
		d := strconv.Itoa(s.Number)
		if !ok || len(d) < 2 {
			continue
		}
		s.Salt += d[:len(d)-1]
		s.Number = int(d[len(d)-1] - '0')
		if hash(s.Salt, s.Number) != s.Challenge {
			t.Fatal("the shift changed the hash")
		}
		return s
	}
	t.Fatal("no challenge with a number of two digits in 1000")
	return Solution{}
}
