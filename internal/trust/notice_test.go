package trust

import (
	"bytes"
	"crypto/ed25519"
	"encoding/hex"
	"errors"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"
)

// baseNotice is the notice of testdata/notice-incident.txt.
func baseNotice() *NoticeStatement {
	return &NoticeStatement{
		ID:         "n7w2k9q4x8c3v6b1",
		Origin:     "tocsin-log",
		CreatedAt:  t0,
		ValidFrom:  t0,
		ValidUntil: t0.Add(30 * 24 * time.Hour),
		Titles: map[string]string{
			"en": "Fake texts about your information",
			"es": "Mensajes falsos sobre su información",
		},
		Bodies: map[string]string{
			"en": "A text said your information was sent to the authorities.\nIt did not come from us.",
			"es": "Un mensaje dijo que su información fue enviada a las autoridades.\nNo vino de nosotros.",
		},
	}
}

func approveNotice(t testing.TB, n *NoticeStatement, seeds ...byte) []Approval {
	t.Helper()
	var as []Approval
	for _, s := range seeds {
		a, err := SignNotice(privOf(s), n, t0)
		if err != nil {
			t.Fatal(err)
		}
		as = append(as, *a)
	}
	return as
}

func TestNoticeVector(t *testing.T) {
	b, err := os.ReadFile("testdata/notice-incident.txt")
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile("testdata/notice-incident.sha256")
	if err != nil {
		t.Fatal(err)
	}
	n, err := DecodeNotice(b)
	if err != nil {
		t.Fatalf("decode: %v", err)
	}
	if !reflect.DeepEqual(n, baseNotice()) {
		t.Fatalf("vector decodes to\n%+v\nwant\n%+v", n, baseNotice())
	}
	enc, err := baseNotice().Encode()
	if err != nil || !bytes.Equal(enc, b) {
		t.Fatalf("encoding differs from the vector (%v):\n%s", err, enc)
	}
	if d := n.Digest(); hex.EncodeToString(d[:]) != strings.TrimSpace(string(want)) {
		t.Fatalf("digest %x, vector says %s", d, want)
	}
	if !IsNotice(b) || IsNotice([]byte(StatementHeader+"\n")) {
		t.Error("IsNotice does not tell a notice from an alert statement")
	}
}

func TestNoticeInvalid(t *testing.T) {
	tests := []struct {
		name   string
		change func(n *NoticeStatement)
		want   string
	}{
		{"bad id", func(n *NoticeStatement) { n.ID = "UPPER" }, "notice id"},
		{"no origin", func(n *NoticeStatement) { n.Origin = "" }, "origin"},
		{"origin with a space", func(n *NoticeStatement) { n.Origin = "a b" }, "origin"},
		{"longer than 90 days", func(n *NoticeStatement) { n.ValidUntil = n.ValidFrom.Add(MaxNoticeValidity + time.Second) }, "more than"},
		{"replaces a bad id", func(n *NoticeStatement) { n.Replaces = "NOPE" }, "replaces"},
		{"withdraws itself", func(n *NoticeStatement) { n.Withdraws = n.ID }, "itself"},
		{"replaces and withdraws", func(n *NoticeStatement) { n.Replaces, n.Withdraws = "aaaaaaaa1", "bbbbbbbb2" }, "not both"},
		{"ends before it starts", func(n *NoticeStatement) { n.ValidUntil = n.ValidFrom }, "not after"},
		{"starts before created", func(n *NoticeStatement) { n.ValidFrom = n.CreatedAt.Add(-time.Second) }, "before the creation"},
		{"no English title", func(n *NoticeStatement) { delete(n.Titles, "en") }, "English title"},
		{"no English body", func(n *NoticeStatement) { n.Bodies["en"] = "" }, "English body"},
		{"title on two lines", func(n *NoticeStatement) { n.Titles["en"] = "a\nb" }, "more than one line"},
		{"other language", func(n *NoticeStatement) { n.Bodies["fr"] = "x" }, "not supported"},
		{"bidi control", func(n *NoticeStatement) { n.Bodies["en"] = "a\u202eb" }, "bidirectional"},
		{"too long", func(n *NoticeStatement) { n.Bodies["en"] = strings.Repeat("x", MaxNoticeBodyBytes+1) }, "bytes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n := baseNotice()
			tt.change(n)
			_, err := n.Encode()
			if !errors.Is(err, ErrInvalidNotice) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Encode = %v, want %q", err, tt.want)
			}
			if n.Digest() != ([32]byte{}) {
				t.Error("an invalid notice has a digest")
			}
		})
	}
}

func TestDecodeNoticeStrict(t *testing.T) {
	good, err := baseNotice().Encode()
	if err != nil {
		t.Fatal(err)
	}
	alert, _ := baseStatement().Encode()
	for name, b := range map[string][]byte{
		"an alert statement":        alert,
		"trailing data":             append(bytes.Clone(good), 'x'),
		"CRLF":                      bytes.ReplaceAll(good, []byte("\n"), []byte("\r\n")),
		"es before en":              swapLangs(good),
		"length off by one":         bytes.Replace(good, []byte("title en 33\n"), []byte("title en 34\n"), 1),
		"unknown field":             bytes.Replace(good, []byte("end\n"), []byte("note x\nend\n"), 1),
		"repeated language":         bytes.Replace(good, []byte("end\n"), []byte("title en 1\nx\nend\n"), 1),
		"empty title":               bytes.Replace(good, []byte("title es 37\nMensajes falsos sobre su información\n"), []byte("title es 0\n\n"), 1),
		"non-canonical time":        bytes.Replace(good, []byte("T15:09:26Z"), []byte("T15:09:26+00:00"), 1),
		"version 2 of a header":     bytes.Replace(good, []byte("v1\n"), []byte("v2\n"), 1),
		"withdraws before replaces": bytes.Replace(good, []byte("title en 33\n"), []byte("withdraws aaaaaaaa1\nreplaces bbbbbbbb2\ntitle en 33\n"), 1),
		"replaces after a title":    bytes.Replace(good, []byte("end\n"), []byte("replaces bbbbbbbb2\nend\n"), 1),
		"replaces twice":            bytes.Replace(good, []byte("title en 33\n"), []byte("replaces bbbbbbbb2\nreplaces bbbbbbbb2\ntitle en 33\n"), 1),
	} {
		if _, err := DecodeNotice(b); !errors.Is(err, ErrInvalidNotice) {
			t.Errorf("%s: DecodeNotice = %v, want ErrInvalidNotice", name, err)
		}
	}
	if _, err := DecodeStatement(good); err == nil {
		t.Error("a notice decodes as an alert statement")
	}
}

// A new version or a withdrawal names the notice it changes in the signed
// statement, so the change is what the operators sign.
func TestNoticeReplacesAndWithdraws(t *testing.T) {
	for _, tt := range []struct {
		name, line, describe string
		set                  func(n *NoticeStatement)
	}{
		{"replaces", "replaces abcdefgh1\n", "REPLACES notice abcdefgh1", func(n *NoticeStatement) { n.Replaces = "abcdefgh1" }},
		{"withdraws", "withdraws abcdefgh1\n", "WITHDRAWS notice abcdefgh1", func(n *NoticeStatement) { n.Withdraws = "abcdefgh1" }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			n := baseNotice()
			tt.set(n)
			enc, err := n.Encode()
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Contains(enc, []byte("valid-until 2026-04-13T15:09:26Z\n"+tt.line+"title en")) {
				t.Errorf("encoding:\n%s", enc)
			}
			got, err := DecodeNotice(enc)
			if err != nil || !reflect.DeepEqual(got, n) {
				t.Fatalf("round trip: %+v, %v", got, err)
			}
			if d := got.Describe(); !strings.Contains(d, tt.describe) {
				t.Errorf("Describe does not say %q:\n%s", tt.describe, d)
			}
			if got.Digest() == baseNotice().Digest() {
				t.Error("the change does not change the digest")
			}
		})
	}
}

// swapLangs moves the Spanish title and body before the English ones.
func swapLangs(b []byte) []byte {
	s := string(b)
	i, j := strings.Index(s, "title en"), strings.Index(s, "title es")
	k := strings.Index(s, "end\n")
	return []byte(s[:i] + s[j:k] + s[i:j] + s[k:])
}

func TestCheckNoticeApprovals(t *testing.T) {
	r := verifiedRoster(t)
	n := baseNotice()
	edited := baseNotice()
	edited.Bodies["en"] = "Your information was sent to the authorities."
	// An alert approval by bob whose digest field claims the notice's digest.
	st := baseStatement()
	replayed := approve(t, st, kBob)
	replayed[0].Digest, replayed[0].AlertID = n.Digest(), n.ID
	// A notice signature made in the alert domain over the notice's digest.
	crossed := approveNotice(t, n, kBob)
	crossed[0].Signature = ed25519.Sign(privOf(kBob), domainMessage(approvalDomain, n.Digest()))
	tests := []struct {
		name     string
		as       []Approval
		signers  int
		wantErr  bool
		problems string
	}{
		{"two operators", approveNotice(t, n, kAlice, kDave), 2, false, ""},
		{"one operator", approveNotice(t, n, kAlice), 1, true, ""},
		{"one operator, two keys", approveNotice(t, n, kCarol1, kCarol2), 1, true, "already approved"},
		{"a viewer", approveNotice(t, n, kAlice, kErin), 1, true, "viewer"},
		{"signed before the text was edited", approveNotice(t, edited, kBob), 0, true, "different statement"},
		{"an alert approval replayed", append(approveNotice(t, n, kAlice), replayed...), 1, true, "bad signature"},
		{"alert-domain signature over the notice", append(approveNotice(t, n, kAlice), crossed...), 1, true, "bad signature"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, err := CheckNoticeApprovals(r, n, tt.as)
			if (err != nil) != tt.wantErr || len(v.Signers) != tt.signers || v.Need != 2 {
				t.Fatalf("CheckNoticeApprovals = %+v, %v", v, err)
			}
			if tt.wantErr && !errors.Is(err, ErrQuorum) {
				t.Errorf("err = %v, want ErrQuorum", err)
			}
			if tt.problems != "" && !strings.Contains(strings.Join(v.Problems, "\n"), tt.problems) {
				t.Errorf("problems %q, want %q", v.Problems, tt.problems)
			}
		})
	}
	// A notice approval never counts for an alert.
	if _, err := CheckApprovals(r, st, 300, approveNotice(t, n, kAlice, kBob)); err == nil {
		t.Error("notice approvals approve an alert")
	}
	if err := VerifyApproval(pubOf(kAlice), n.Digest(), &approveNotice(t, n, kAlice)[0]); err == nil {
		t.Error("a notice approval verifies as an alert approval")
	}
}

func TestNoticeSignaturesIsTheStrictestRule(t *testing.T) {
	p := DefaultPolicy()
	p.AlertRules = []AlertRule{{0, 1}, {26, 2}, {5000, 3}}
	if got := p.NoticeSignatures(); got != 3 {
		t.Errorf("NoticeSignatures = %d, want 3", got)
	}
	if got := DefaultPolicy().NoticeSignatures(); got != 2 {
		t.Errorf("default NoticeSignatures = %d, want 2", got)
	}
}
