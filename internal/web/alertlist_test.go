package web_test

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/tocsin/tocsin"
	"github.com/tocsin/tocsin/internal/trust"
)

// readRequestJSON is the body tocsin alert list posts: what, signed at at
// by the key named keyName.
func (b *bundle) readRequestJSON(what string, at time.Time, keyName string) string {
	b.t.Helper()
	body, err := trust.ReadRequest{What: what, At: at}.Encode()
	if err != nil {
		b.t.Fatal(err)
	}
	sig := trust.SignReadRequest(b.key(keyName), body)
	out, _ := json.Marshal(map[string]string{"request": base64.StdEncoding.EncodeToString(body), "key_id": string(sig.KeyID),
		"signature": base64.StdEncoding.EncodeToString(sig.Signature)})
	return string(out)
}

type listedAlerts struct {
	Alerts []struct {
		ID, Ref, State, Text string
		Signers              []string
		Need                 int
	}
}

// TestAlertListSigned: an admin or dispatcher of the roster, with no
// console account, lists the alerts waiting for signatures by a request
// signed with their roster key, and sees who has signed so far.
func TestAlertListSigned(t *testing.T) {
	b := setupSigned(t)
	waiting := b.signedDraft("Checkpoint at Main and 3rd", 100)
	b.storedAlert("Already out", tocsin.AlertSent, 100)
	b.signedDraft("Old news", 100)
	decodeApproval(t, b.approve(waiting, "ana"))
	b.clock.Advance(59 * time.Minute)
	fresh := b.signedDraft("Raid on 5th street", 5)
	b.clock.Advance(2 * time.Minute) // the first two drafts have expired: nothing waits on them
	r := b.postJSON("/api/v1/alerts/list", b.readRequestJSON("alerts pending", b.clock.Now(), "ned"))
	wantStatus(t, r, http.StatusOK)
	if r.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("Cache-Control %q", r.Header.Get("Cache-Control"))
	}
	var got listedAlerts
	if err := json.Unmarshal([]byte(r.body), &got); err != nil {
		t.Fatal(err)
	}
	if len(got.Alerts) != 1 || got.Alerts[0].ID != fresh || !strings.Contains(got.Alerts[0].Text, "Raid on 5th street") || got.Alerts[0].Ref == "" {
		t.Fatalf("pending alerts: %s", r.body)
	}
	b.clock.Advance(-2 * time.Minute)
	r = b.postJSON("/api/v1/alerts/list", b.readRequestJSON("alerts pending", b.clock.Now(), "ana#2"))
	wantStatus(t, r, http.StatusOK)
	got = listedAlerts{}
	json.Unmarshal([]byte(r.body), &got)
	if len(got.Alerts) != 3 {
		t.Fatalf("pending alerts before they expire: %s", r.body)
	}
	for _, a := range got.Alerts {
		if a.ID == waiting && (len(a.Signers) != 1 || a.Signers[0] != "ana" || a.Need != 2) {
			t.Errorf("alert %s: signers %v of %d, want [ana] of 2", a.ID, a.Signers, a.Need)
		}
	}
	r = b.postJSON("/api/v1/alerts/list", b.readRequestJSON("alerts sent", b.clock.Now(), "ned"))
	wantStatus(t, r, http.StatusOK)
	if !strings.Contains(r.body, "Already out") || strings.Contains(r.body, "Raid") {
		t.Errorf("sent alerts: %s", r.body)
	}
}

// TestAlertListRefused plays who is not an approver: the list of pending
// alerts opens to no unsigned request, no key outside the roster, no
// viewer, no stale or future request, no signature moved to another
// request and no signature of another kind; a stranger's key raises a
// security event. The public alert API never lists drafts.
func TestAlertListRefused(t *testing.T) {
	b := setupSigned(t)
	b.signedDraft("Secret draft text", 100)
	now := b.clock.Now()
	moved := func() string {
		var v map[string]string
		json.Unmarshal([]byte(b.readRequestJSON("alerts sent", now, "ned")), &v)
		body, _ := trust.ReadRequest{What: "alerts pending", At: now}.Encode()
		v["request"] = base64.StdEncoding.EncodeToString(body)
		out, _ := json.Marshal(v)
		return string(out)
	}
	approvalSig := func() string {
		body, _ := trust.ReadRequest{What: "alerts pending", At: now}.Encode()
		sig := trust.SignRoster(b.key("ned"), body)
		out, _ := json.Marshal(map[string]string{"request": base64.StdEncoding.EncodeToString(body), "key_id": string(sig.KeyID), "signature": base64.StdEncoding.EncodeToString(sig.Signature)})
		return string(out)
	}
	tests := []struct {
		name, body string
		status     int
		event      bool
	}{
		{"no signature", `{"request":"` + base64.StdEncoding.EncodeToString([]byte("tocsin read-request v1\nwhat alerts pending\nat "+now.UTC().Format(time.RFC3339)+"\nend\n")) + `","key_id":"x","signature":""}`, http.StatusBadRequest, false},
		{"a key in no roster", b.readRequestJSON("alerts pending", now, "mal"), http.StatusForbidden, true},
		{"a viewer", b.readRequestJSON("alerts pending", now, "vic"), http.StatusForbidden, true},
		{"signed ten minutes ago", b.readRequestJSON("alerts pending", now.Add(-10*time.Minute), "ned"), http.StatusBadRequest, false},
		{"signed for the future", b.readRequestJSON("alerts pending", now.Add(10*time.Minute), "ned"), http.StatusBadRequest, false},
		{"a signature moved to another request", moved(), http.StatusForbidden, true},
		{"a roster signature", approvalSig(), http.StatusForbidden, true},
		{"an unknown state", b.readRequestJSON("alerts cancelled", now, "ned"), http.StatusBadRequest, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := len(b.securityEvents("alertlist.refused"))
			r := b.postJSON("/api/v1/alerts/list", tt.body)
			wantStatus(t, r, tt.status)
			if strings.Contains(r.body, "Secret draft") {
				t.Errorf("the refused request read the draft: %s", r.body)
			}
			if got := len(b.securityEvents("alertlist.refused")) - before; got != map[bool]int{true: 1, false: 0}[tt.event] {
				t.Errorf("%d alertlist.refused events, want event %v", got, tt.event)
			}
		})
	}
	if r := b.get(nil, "/api/v1/alerts"); strings.Contains(r.body, "Secret draft") {
		t.Errorf("the public alert API lists a draft: %s", r.body)
	}
}
