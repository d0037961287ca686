package web_test

import (
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/tocsin/tocsin"
	"github.com/tocsin/tocsin/internal/geo"
	"github.com/tocsin/tocsin/internal/store"
	"github.com/tocsin/tocsin/internal/tlog"
	"github.com/tocsin/tocsin/internal/trust"
	"github.com/tocsin/tocsin/internal/web"
)

// testTrust is what `tocsin init` and `tocsin key new` make: a root key
// kept offline, and each operator's own keys, held by the operator. The
// server only ever sees public keys.
type testTrust struct {
	root   ed25519.PrivateKey
	keys   map[string]ed25519.PrivateKey // by key name: "ana", "ana#2", "ned", …
	roster *trust.Roster                 // version 1
}

// Key names in the test roster (version 1, signed by the root key):
//
//	ana   admin       two keys: "ana" and "ana#2"
//	ned   dispatcher
//	dee   dispatcher
//	vic   viewer      (signs nothing that counts)
//
// and "mal", a key that is in no roster.
var testMembers = []struct{ name, role string }{
	{"ana", trust.RoleAdmin},
	{"ned", trust.RoleDispatcher},
	{"dee", trust.RoleDispatcher},
	{"vic", trust.RoleViewer},
}

func newKey(t *testing.T) ed25519.PrivateKey {
	t.Helper()
	_, priv, err := ed25519.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	return priv
}

func pub(k ed25519.PrivateKey) ed25519.PublicKey { return k.Public().(ed25519.PublicKey) }

func newTestTrust(t *testing.T) *testTrust {
	t.Helper()
	tr := &testTrust{root: newKey(t), keys: map[string]ed25519.PrivateKey{}}
	r := &trust.Roster{Version: 1, IssuedAt: t0}
	for _, m := range testMembers {
		tr.keys[m.name] = newKey(t)
		mem := trust.Member{Name: m.name, Role: m.role, Keys: []ed25519.PublicKey{pub(tr.keys[m.name])}}
		if m.name == "ana" {
			tr.keys["ana#2"] = newKey(t)
			mem.Keys = append(mem.Keys, pub(tr.keys["ana#2"]))
		}
		r.Members = append(r.Members, mem)
	}
	tr.keys["mal"] = newKey(t)
	tr.roster = r
	return tr
}

// withAnchor configures the web tier with the trust anchor of tr.
func withAnchor(tr *testTrust) func(*web.Config) {
	return func(c *web.Config) { c.TrustAnchor = pub(tr.root) }
}

// setupSigned is setup with a trust anchor and roster version 1, signed by
// the root key, in the database.
func setupSigned(t *testing.T, opts ...func(*web.Config)) *bundle {
	t.Helper()
	tr := newTestTrust(t)
	b := setup(t, append([]func(*web.Config){withAnchor(tr)}, opts...)...)
	b.trust = tr
	b.putRoster(tr.roster, tr.root)
	return b
}

// putRoster encodes r and stores it with a signature by each of signers, as
// `tocsin init` (or an attacker with database access) would.
func (b *bundle) putRoster(r *trust.Roster, signers ...ed25519.PrivateKey) {
	b.t.Helper()
	ctx := context.Background()
	body, err := r.Encode()
	if err != nil {
		b.t.Fatalf("roster: %v", err)
	}
	if err := b.st.PutRosterVersion(ctx, int64(r.Version), body); err != nil {
		b.t.Fatalf("PutRosterVersion: %v", err)
	}
	for _, k := range signers {
		s := trust.SignRoster(k, body)
		if err := b.st.AddRosterSig(ctx, int64(r.Version), store.Sig{KeyID: string(s.KeyID), Signature: s.Signature}); err != nil {
			b.t.Fatalf("AddRosterSig: %v", err)
		}
	}
}

// key is the private key of a key name in b.trust.
func (b *bundle) key(name string) ed25519.PrivateKey {
	b.t.Helper()
	if b.trust == nil || b.trust.keys[name] == nil {
		b.t.Fatalf("no test key %q", name)
	}
	return b.trust.keys[name]
}

// statement fetches and decodes what an approval of alert id signs, as
// `tocsin alert show` does.
func (b *bundle) statement(id string) *trust.Statement {
	b.t.Helper()
	r := b.get(nil, "/api/v1/alerts/"+id+"/statement")
	wantStatus(b.t, r, http.StatusOK)
	st, err := trust.DecodeStatement([]byte(r.body))
	if err != nil {
		b.t.Fatalf("the statement of %s does not decode: %v\n%s", id, err, r.body)
	}
	return st
}

// approvalJSON is the body `tocsin alert approve` posts.
func approvalJSON(ap *trust.Approval) string {
	v := map[string]any{
		"kind":      string(ap.Kind),
		"key_id":    string(ap.KeyID),
		"digest":    hex.EncodeToString(ap.Digest[:]),
		"signature": base64.StdEncoding.EncodeToString(ap.Signature),
		"signed_at": ap.SignedAt.Format(time.RFC3339),
	}
	out, _ := json.Marshal(v)
	return string(out)
}

// signApproval signs st with the key named keyName.
func (b *bundle) signApproval(keyName string, st *trust.Statement) *trust.Approval {
	b.t.Helper()
	ap, err := trust.SignStatement(b.key(keyName), st, b.clock.Now())
	if err != nil {
		b.t.Fatalf("SignStatement: %v", err)
	}
	return ap
}

// approve fetches alert id's statement, signs it with the key named
// keyName and submits the approval, as `tocsin alert approve` does.
func (b *bundle) approve(id, keyName string) resp {
	b.t.Helper()
	ap := b.signApproval(keyName, b.statement(id))
	return b.postJSON("/api/v1/alerts/"+id+"/approvals", approvalJSON(ap))
}

// approvalResult is the body of a 201 from POST …/approvals.
type approvalResult struct {
	Signers      []string `json:"signers"`
	Need         int      `json:"need"`
	Approved     bool     `json:"approved"`
	Frozen       bool     `json:"frozen"`
	UnfreezeNeed int      `json:"unfreeze_need"`
}

func decodeApproval(t *testing.T, r resp) approvalResult {
	t.Helper()
	wantStatus(t, r, http.StatusCreated)
	var res approvalResult
	dec := json.NewDecoder(strings.NewReader(r.body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&res); err != nil {
		t.Fatalf("approval result %q: %v", r.body, err)
	}
	if res.Signers == nil {
		t.Errorf("approval result %q: signers is not a list", r.body)
	}
	return res
}

// storedAlert stores an alert for ZIP 90210 directly, with the statement
// the composer would have made for an audience bound of maxRecipients.
func (b *bundle) storedAlert(body string, state tocsin.AlertState, maxRecipients int, opts ...func(*tocsin.Alert)) *tocsin.Alert {
	b.t.Helper()
	now := b.clock.Now()
	a := &tocsin.Alert{ID: tocsin.NewID(), Ref: tocsin.NewAlertRef(), State: state, BodyEN: body,
		Area: tocsin.Area{ZIPs: []string{"90210"}}, CreatedBy: "test", CreatedAt: now, ValidUntil: now.Add(time.Hour)}
	for _, o := range opts {
		o(a)
	}
	cells := geo.Circle{Center: b.zipPoint("90210"), RadiusM: tocsin.ZIPAreaRadiusM}.Cells(8)
	var err error
	if a.Statement, err = trust.StatementOf(a, cells, maxRecipients).Encode(); err != nil {
		b.t.Fatalf("statement: %v", err)
	}
	if err := b.st.CreateAlert(context.Background(), a); err != nil {
		b.t.Fatal(err)
	}
	if state == tocsin.AlertSending || state == tocsin.AlertSent {
		b.appendLog(a.Statement) // as the sender does when it starts an alert
		b.signCheckpoint()
	}
	return a
}

// appendLog appends an entry to the transparency log, as the sender does.
func (b *bundle) appendLog(entry []byte) {
	b.t.Helper()
	ctx := context.Background()
	size, err := b.st.LogSize(ctx)
	if err != nil {
		b.t.Fatal(err)
	}
	if err := b.st.LogAppend(ctx, size, tlog.LeafHash(entry), entry); err != nil {
		b.t.Fatal(err)
	}
}

// signCheckpoint signs a checkpoint of the whole log with the log's key,
// as the sender does.
func (b *bundle) signCheckpoint() {
	b.t.Helper()
	b.putCheckpoint(b.logKey)
}

// putCheckpoint stores a checkpoint of the whole stored log signed with key.
func (b *bundle) putCheckpoint(key string) {
	b.t.Helper()
	ctx := context.Background()
	size, err := b.st.LogSize(ctx)
	if err != nil {
		b.t.Fatal(err)
	}
	root, err := tlog.Root(ctx, store.LogLeaves{Q: b.st}, size)
	if err != nil {
		b.t.Fatal(err)
	}
	signed, err := tlog.Sign(tlog.Checkpoint{Origin: "tocsin-log", Size: size, Root: root}, key)
	if err != nil {
		b.t.Fatal(err)
	}
	if err := b.st.PutCheckpoint(ctx, size, signed); err != nil {
		b.t.Fatal(err)
	}
}

// signedDraft is a draft alert with a statement; see storedAlert.
func (b *bundle) signedDraft(body string, maxRecipients int) string {
	b.t.Helper()
	return b.storedAlert(body, tocsin.AlertDraft, maxRecipients).ID
}

// alertState is the stored state of alert id.
func (b *bundle) alert(id string) *tocsin.Alert {
	b.t.Helper()
	a, err := b.st.GetAlert(context.Background(), id)
	if err != nil {
		b.t.Fatalf("GetAlert %s: %v", id, err)
	}
	return a
}

// securityEvents returns the security events of kind, oldest first or as
// the store lists them.
func (b *bundle) securityEvents(kind string) []store.SecurityEvent {
	b.t.Helper()
	all, err := b.st.ListSecurityEvents(context.Background(), 1000)
	if err != nil {
		b.t.Fatal(err)
	}
	var out []store.SecurityEvent
	for _, e := range all {
		if e.Kind == kind {
			out = append(out, e)
		}
	}
	return out
}

// auditCount counts audit entries by action.
func (b *bundle) auditCount() map[string]int {
	b.t.Helper()
	entries, err := b.st.ListAudit(context.Background(), 1000)
	if err != nil {
		b.t.Fatal(err)
	}
	seen := map[string]int{}
	for _, e := range entries {
		seen[e.Action]++
	}
	return seen
}

// freezeBody encodes a freeze order.
func freezeBody(t *testing.T, seq int64, freeze bool, at time.Time, reason string) []byte {
	t.Helper()
	body, err := (&trust.FreezeOrder{Seq: seq, Freeze: freeze, At: at, Reason: reason}).Encode()
	if err != nil {
		t.Fatal(err)
	}
	return body
}

// freezeJSON is the body `tocsin freeze` / `tocsin unfreeze` posts: the
// order and one signature over it.
func freezeJSON(body []byte, k ed25519.PrivateKey) string {
	s := trust.SignOrder(k, body)
	out, _ := json.Marshal(map[string]string{
		"body":      base64.StdEncoding.EncodeToString(body),
		"key_id":    string(s.KeyID),
		"signature": base64.StdEncoding.EncodeToString(s.Signature),
	})
	return string(out)
}

// FreezeOrderView is an order as GET/POST /api/v1/freeze-orders show it.
type FreezeOrderView struct {
	Seq     int64    `json:"seq"`
	Freeze  bool     `json:"freeze"`
	Reason  string   `json:"reason"`
	Body    string   `json:"body"`
	Signers []string `json:"signers"`
}

func decodeOrders(t *testing.T, r resp, status int) []FreezeOrderView {
	t.Helper()
	wantStatus(t, r, status)
	var out struct {
		Orders []FreezeOrderView `json:"orders"`
	}
	if err := json.NewDecoder(strings.NewReader(r.body)).Decode(&out); err != nil {
		t.Fatalf("orders %q: %v", r.body, err)
	}
	return out.Orders
}
