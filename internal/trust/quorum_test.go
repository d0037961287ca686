package trust

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func approve(t testing.TB, st *Statement, seeds ...byte) []Approval {
	t.Helper()
	var as []Approval
	for _, s := range seeds {
		a, err := SignStatement(privOf(s), st, t0)
		if err != nil {
			t.Fatal(err)
		}
		as = append(as, *a)
	}
	return as
}

func TestCheckApprovals(t *testing.T) {
	r := verifiedRoster(t)
	st := baseStatement() // MaxRecipients 500: needs 2 under the default policy
	small := baseStatement()
	small.MaxRecipients = 25 // needs 1
	otherText := baseStatement()
	otherText.Texts["en"] = "Your information was sent to the authorities."
	otherArea := baseStatement()
	otherArea.Cells = append(otherArea.Cells, 0x80c2c7f000000000)
	otherValidity := baseStatement()
	otherValidity.ValidUntil = otherValidity.ValidUntil.Add(22 * time.Hour)
	tampered := approve(t, st, kBob)
	tampered[0].Signature[0] ^= 0x80
	mixed := append(approve(t, st, kAlice), approve(t, otherText, kBob)...)
	relabelled := approve(t, st, kBob)
	relabelled[0].AlertID = "zzzzzzzzzzzz"

	tests := []struct {
		name        string
		st          *Statement
		recipients  int
		as          []Approval
		wantSigners string // comma-separated
		wantNeed    int
		wantErr     string
		problems    []string // one substring per expected problem line
	}{
		{"k valid", st, 300, approve(t, st, kAlice, kDave), "alice,dave", 2, "", nil},
		{"k+1 valid", st, 300, approve(t, st, kAlice, kBob, kDave), "alice,bob,dave", 2, "", nil},
		{"k-1", st, 300, approve(t, st, kAlice), "alice", 2, "need 2 signatures from distinct operators, have 1", nil},
		{"none", st, 300, nil, "", 2, "have 0", nil},
		{"small audience needs one", small, 20, approve(t, small, kDave), "dave", 1, "", nil},
		{"the bound decides, not the resolved audience", st, 3, approve(t, st, kDave), "dave", 2, "have 1", nil},
		{"audience beyond the bound", small, 26, approve(t, small, kAlice, kBob), "alice,bob", 2, "26 recipients resolved, more than the 25", nil},
		{"duplicate signer", st, 300, approve(t, st, kAlice, kAlice), "alice", 2, "have 1", []string{"alice already approved"}},
		{"one operator, two keys", st, 300, approve(t, st, kCarol1, kCarol2), "carol", 2, "have 1", []string{"carol already approved"}},
		{"signature over other text", st, 300, mixed, "alice", 2, "have 1", []string{"approval 2 by bob: approval refused: signed a different statement"}},
		{"signature over other area", st, 300, append(approve(t, st, kAlice), approve(t, otherArea, kBob)...), "alice", 2, "have 1", []string{"different statement"}},
		{"signature over other validity", st, 300, append(approve(t, st, kAlice), approve(t, otherValidity, kBob)...), "alice", 2, "have 1", []string{"different statement"}},
		{"signer not in roster", st, 300, approve(t, st, kAlice, kMallory), "alice", 2, "have 1", []string{"not in the verified roster"}},
		{"root key is not an operator", st, 300, approve(t, st, kAlice, kRoot), "alice", 2, "have 1", []string{"not in the verified roster"}},
		{"viewer", st, 300, approve(t, st, kAlice, kErin), "alice", 2, "have 1", []string{"erin is a viewer"}},
		{"tampered signature", st, 300, append(approve(t, st, kAlice), tampered...), "alice", 2, "have 1", []string{"approval 2 by bob: approval refused: bad signature"}},
		{"approval labelled for another alert", st, 300, append(approve(t, st, kAlice), relabelled...), "alice", 2, "have 1", []string{"labelled for alert"}},
		{"all problems at once", st, 300, append(approve(t, st, kErin, kMallory), mixed...), "alice", 2, "have 1",
			[]string{"viewer", "not in the verified roster", "different statement"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v, err := CheckApprovals(r, tc.st, tc.recipients, tc.as)
			if tc.wantErr == "" && err != nil {
				t.Fatalf("refused: %v (%v)", err, v.Problems)
			}
			if tc.wantErr != "" && (!errors.Is(err, ErrQuorum) || !strings.Contains(err.Error(), tc.wantErr)) {
				t.Fatalf("err = %v, want ErrQuorum mentioning %q", err, tc.wantErr)
			}
			if got := strings.Join(v.Signers, ","); got != tc.wantSigners {
				t.Errorf("signers %q, want %q", got, tc.wantSigners)
			}
			if v.Need != tc.wantNeed {
				t.Errorf("need %d, want %d", v.Need, tc.wantNeed)
			}
			all := strings.Join(v.Problems, "\n")
			if len(v.Problems) != len(tc.problems) {
				t.Errorf("problems %q, want %d lines", v.Problems, len(tc.problems))
			}
			for _, p := range tc.problems {
				if !strings.Contains(all, p) {
					t.Errorf("problems %q lack %q", v.Problems, p)
				}
			}
		})
	}
}

func TestCheckApprovalsRefusesBadInput(t *testing.T) {
	r := verifiedRoster(t)
	bad := baseStatement()
	bad.ZIPs, bad.Circle = nil, nil
	tests := []struct {
		name       string
		r          *Roster
		st         *Statement
		recipients int
		want       error
	}{
		{"no roster", nil, baseStatement(), 1, ErrQuorum},
		{"invalid statement", r, bad, 1, ErrInvalidStatement},
		{"negative audience", r, baseStatement(), -1, ErrQuorum},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := CheckApprovals(tc.r, tc.st, tc.recipients, approve(t, baseStatement(), kAlice, kBob)); !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
		})
	}
}
