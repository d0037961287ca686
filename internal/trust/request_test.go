package trust

import (
	"crypto/ed25519"
	"strings"
	"testing"
	"time"
)

// TestReadRequest: a read request round-trips in its one canonical form,
// verifies only as the admin's or dispatcher's who signed it, and no
// signature of another domain (an alert approval, a roster or freeze
// signature) passes for one.
func TestReadRequest(t *testing.T) {
	at := time.Date(2026, 12, 8, 1, 2, 3, 0, time.UTC)
	body, err := ReadRequest{What: "alerts pending", At: at}.Encode()
	if err != nil {
		t.Fatal(err)
	}
	if want := "tocsin read-request v1\nwhat alerts pending\nat 2026-12-08T01:02:03Z\nend\n"; string(body) != want {
		t.Fatalf("encoding %q, want %q", body, want)
	}
	q, err := DecodeReadRequest(body)
	if err != nil || q.What != "alerts pending" || !q.At.Equal(at) {
		t.Fatalf("decode: %+v, %v", q, err)
	}
	for _, bad := range []string{"", "tocsin read-request v1\nwhat alerts pending\nat 2026-12-08T01:02:03+01:00\nend\n",
		"tocsin read-request v1\nwhat Alerts\nat 2026-12-08T01:02:03Z\nend\n", strings.Replace(string(body), "end\n", "end\nx\n", 1),
		"tocsin roster v1\nwhat alerts\nat 2026-12-08T01:02:03Z\nend\n"} {
		if _, err := DecodeReadRequest([]byte(bad)); err == nil {
			t.Errorf("DecodeReadRequest(%q) accepted it", bad)
		}
	}
	if _, err := (ReadRequest{What: "alerts\npending", At: at}).Encode(); err == nil {
		t.Error("a what with a newline encoded")
	}
	keys := map[string]ed25519.PrivateKey{}
	r := &Roster{Version: 1, IssuedAt: at}
	for _, m := range []struct{ name, role string }{{"ana", RoleAdmin}, {"ned", RoleDispatcher}, {"vic", RoleViewer}} {
		_, k, _ := ed25519.GenerateKey(nil)
		keys[m.name] = k
		r.Members = append(r.Members, Member{Name: m.name, Role: m.role, Keys: []ed25519.PublicKey{k.Public().(ed25519.PublicKey)}})
	}
	_, stranger, _ := ed25519.GenerateKey(nil)
	for name, want := range map[string]bool{"ana": true, "ned": true, "vic": false} {
		got, ok := r.ReadRequestSigner(body, SignReadRequest(keys[name], body))
		if ok != want || (ok && got != name) {
			t.Errorf("signed by %s: %q, %v", name, got, ok)
		}
	}
	if _, ok := r.ReadRequestSigner(body, SignReadRequest(stranger, body)); ok {
		t.Error("a key in no roster signed a read request")
	}
	other, _ := ReadRequest{What: "alerts sent", At: at}.Encode()
	if _, ok := r.ReadRequestSigner(other, SignReadRequest(keys["ana"], body)); ok {
		t.Error("a signature over one request verified over another")
	}
	for _, s := range []RosterSignature{SignRoster(keys["ana"], body), SignOrder(keys["ana"], body)} {
		if _, ok := r.ReadRequestSigner(body, s); ok {
			t.Error("a signature of another domain verified as a read request")
		}
	}
}
