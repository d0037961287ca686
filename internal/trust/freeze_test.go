package trust

import (
	"bytes"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
)

// order encodes a freeze order and signs it with the given key seeds.
func order(t testing.TB, seq int64, freeze bool, at time.Time, seeds ...byte) SignedOrder {
	t.Helper()
	o := &FreezeOrder{Seq: seq, Freeze: freeze, At: at, Reason: "canary number received an unlogged text"}
	body, err := o.Encode()
	if err != nil {
		t.Fatal(err)
	}
	so := SignedOrder{Body: body}
	for _, s := range seeds {
		so.Approvals = append(so.Approvals, SignOrder(privOf(s), body))
	}
	return so
}

func TestFreezeOrderEncoding(t *testing.T) {
	o := &FreezeOrder{Seq: 3, Freeze: true, At: t0.Add(300 * time.Millisecond), Reason: "Twilio credentials leaked.\nRotate them."}
	enc, err := o.Encode()
	if err != nil {
		t.Fatal(err)
	}
	want := "tocsin freeze order v1\nseq 3\naction freeze\nat 2026-03-14T15:09:26Z\nreason 39\nTwilio credentials leaked.\nRotate them.\nend\n"
	if string(enc) != want {
		t.Fatalf("encoding\n%q\nwant\n%q", enc, want)
	}
	got, err := DecodeFreezeOrder(enc)
	if err != nil {
		t.Fatal(err)
	}
	o.At = t0
	if !reflect.DeepEqual(got, o) || got.Digest() != o.Digest() {
		t.Fatalf("round trip: %+v", got)
	}
	if d := o.Describe(); !strings.Contains(d, "FREEZE: stop all outbound messaging") || !strings.Contains(d, "Rotate them.") {
		t.Fatalf("Describe:\n%s", d)
	}
	bad := []struct{ name, in string }{
		{"trailing data", want + "x"},
		{"CRLF", strings.ReplaceAll(want, "\n", "\r\n")},
		{"other action", strings.Replace(want, "action freeze", "action thaw", 1)},
		{"seq 0", strings.Replace(want, "seq 3", "seq 0", 1)},
		{"seq 03", strings.Replace(want, "seq 3", "seq 03", 1)},
		{"reason length wrong", strings.Replace(want, "reason 39", "reason 38", 1)},
		{"escape in reason", strings.Replace(want, "Rotate", "\x1b[2J!!", 1)},
		{"missing end", strings.TrimSuffix(want, "end\n")},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := DecodeFreezeOrder([]byte(tc.in)); !errors.Is(err, ErrFreeze) {
				t.Fatalf("err = %v, want ErrFreeze", err)
			}
		})
	}
}

func TestVerifyFreezeState(t *testing.T) {
	r := verifiedRoster(t) // UnfreezeThreshold 2
	at := func(m int) time.Time { return t0.Add(time.Duration(m) * time.Minute) }
	forged := order(t, 2, false, at(1), kAlice, kBob)
	forged.Body = bytes.Replace(forged.Body, []byte("canary"), []byte("CANARY"), 1)

	tests := []struct {
		name       string
		orders     []SignedOrder
		wantFrozen bool
		wantErr    string
	}{
		{"no orders", nil, false, ""},
		{"freeze by one dispatcher", []SignedOrder{order(t, 1, true, at(0), kDave)}, true, ""},
		{"freeze by one admin", []SignedOrder{order(t, 1, true, at(0), kAlice)}, true, ""},
		{"freeze by a viewer", []SignedOrder{order(t, 1, true, at(0), kErin)}, true, "no valid signature"},
		{"freeze by an outsider", []SignedOrder{order(t, 1, true, at(0), kMallory)}, true, "no valid signature"},
		{"unsigned freeze", []SignedOrder{order(t, 1, true, at(0))}, true, "no valid signature"},
		{"unfreeze with k-1", []SignedOrder{order(t, 1, true, at(0), kDave), order(t, 2, false, at(5), kAlice)}, true, "needs 2 signatures from distinct operators, has 1 (alice)"},
		{"unfreeze with k", []SignedOrder{order(t, 1, true, at(0), kDave), order(t, 2, false, at(5), kAlice, kDave)}, false, ""},
		{"unfreeze by one operator's two keys", []SignedOrder{order(t, 1, true, at(0), kDave), order(t, 2, false, at(5), kCarol1, kCarol2)}, true, "has 1 (carol)"},
		{"unfreeze with a viewer", []SignedOrder{order(t, 1, true, at(0), kDave), order(t, 2, false, at(5), kAlice, kErin)}, true, "has 1"},
		{"refreeze", []SignedOrder{order(t, 1, true, at(0), kDave), order(t, 2, false, at(5), kAlice, kBob), order(t, 3, true, at(9), kBob)}, true, ""},
		{"orders given out of order", []SignedOrder{order(t, 2, false, at(5), kAlice, kBob), order(t, 1, true, at(0), kDave)}, false, ""},
		{"bad seq: starts at 2", []SignedOrder{order(t, 2, true, at(0), kDave)}, true, "order 1 is missing"},
		{"bad seq: gap", []SignedOrder{order(t, 1, true, at(0), kDave), order(t, 3, false, at(5), kAlice, kBob)}, true, "order 2 is missing"},
		{"bad seq: repeated", []SignedOrder{order(t, 1, true, at(0), kDave), order(t, 1, false, at(5), kAlice, kBob)}, true, "appears twice"},
		{"time goes back", []SignedOrder{order(t, 1, true, at(5), kDave), order(t, 2, false, at(0), kAlice, kBob)}, true, "before order 1"},
		{"body edited after signing", []SignedOrder{order(t, 1, true, at(0), kDave), forged}, true, "has 0"},
		{"garbage body", []SignedOrder{{Body: []byte("unfreeze please")}}, true, "entry 1"},
		{"freeze signature reused from a roster signature", []SignedOrder{func() SignedOrder {
			so := order(t, 1, true, at(0))
			so.Approvals = []RosterSignature{SignRoster(privOf(kDave), so.Body)}
			return so
		}()}, true, "no valid signature"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			frozen, err := VerifyFreezeState(r, tc.orders)
			if frozen != tc.wantFrozen {
				t.Errorf("frozen = %v, want %v", frozen, tc.wantFrozen)
			}
			if tc.wantErr == "" && err != nil {
				t.Fatalf("refused: %v", err)
			}
			if tc.wantErr != "" && (!errors.Is(err, ErrFreeze) || !strings.Contains(err.Error(), tc.wantErr)) {
				t.Fatalf("err = %v, want ErrFreeze mentioning %q", err, tc.wantErr)
			}
		})
	}
	if frozen, err := VerifyFreezeState(nil, nil); !frozen || !errors.Is(err, ErrFreeze) {
		t.Fatalf("no roster: frozen=%v err=%v", frozen, err)
	}
	st, err := ReplayFreeze(r, []SignedOrder{order(t, 1, true, at(0), kDave), order(t, 2, false, at(5), kAlice, kBob)})
	if err != nil || st.Frozen || st.Seq != 2 || !st.At.Equal(at(5)) {
		t.Fatalf("ReplayFreeze = %+v, %v", st, err)
	}
}
