package sender

import (
	"bufio"
	"context"
	"crypto/ed25519"
	"database/sql"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tocsin/tocsin"
	"github.com/tocsin/tocsin/internal/geo"
	"github.com/tocsin/tocsin/internal/phone"
	"github.com/tocsin/tocsin/internal/sender/vault"
	"github.com/tocsin/tocsin/internal/sms/outbox"
	"github.com/tocsin/tocsin/internal/store"
	"github.com/tocsin/tocsin/internal/store/sqlite"
	"github.com/tocsin/tocsin/internal/trust"
)

// bundle is what a sender test needs: a real SQLite store, real keys, the
// outbox provider and a clock the test moves.
type bundle struct {
	ctx    context.Context
	root   ed25519.PrivateKey            // the offline root key
	ops    map[string]ed25519.PrivateKey // operator keys in roster v1: root-admin, ana, bob (dispatchers), cy (viewer)
	state  string                        // the sender's state directory
	dbPath string                        // the SQLite file, for tests that play an attacker with database access
	r1     *trust.Roster
	sender *Sender
	store  *sqlite.DB
	keys   *vault.Keys
	sealer *phone.Sealer
	zips   *geo.ZIPs
	outbox string
	now    time.Time
}

func setup(t testing.TB) *bundle {
	t.Helper()
	dir := t.TempDir()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(dir, "t.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	keys, err := vault.Generate()
	if err != nil {
		t.Fatal(err)
	}
	zips, err := geo.LoadZIPs()
	if err != nil {
		t.Fatal(err)
	}
	b := &bundle{ctx: ctx, store: st, keys: keys, sealer: phone.NewSealer(keys.Public()), zips: zips,
		outbox: filepath.Join(dir, "outbox.jsonl"), now: time.Date(2026, 11, 25, 14, 0, 0, 0, time.UTC)}
	ob, err := outbox.Open(b.outbox, func() time.Time { return b.now })
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ob.Close() })
	rootPub, root, _ := ed25519.GenerateKey(nil)
	b.root, b.ops, b.state, b.dbPath = root, map[string]ed25519.PrivateKey{}, filepath.Join(dir, "sender-state"), filepath.Join(dir, "t.db")
	roster := &trust.Roster{Version: 1, IssuedAt: b.now.Add(-time.Hour), Policy: trust.DefaultPolicy()}
	for _, m := range []struct{ name, role string }{{"root-admin", "admin"}, {"ana", "dispatcher"}, {"bob", "dispatcher"}, {"cy", "viewer"}} {
		pub, priv, _ := ed25519.GenerateKey(nil)
		b.ops[m.name] = priv
		roster.Members = append(roster.Members, trust.Member{Name: m.name, Role: m.role, Keys: []ed25519.PublicKey{pub}})
	}
	b.putRoster(t, roster, root)
	b.r1 = roster
	b.sender = b.newSender(t, ob, rootPub)
	return b
}

func (b *bundle) newSender(t testing.TB, ob *outbox.Provider, anchor ed25519.PublicKey) *Sender {
	t.Helper()
	s, err := New(Config{Store: b.store, Keys: b.keys, Provider: ob, ZIPs: b.zips, Now: func() time.Time { return b.now },
		TrustAnchor: anchor, StateDir: b.state})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// putRoster stores a roster version signed by signers.
func (b *bundle) putRoster(t testing.TB, r *trust.Roster, signers ...ed25519.PrivateKey) {
	t.Helper()
	body, err := r.Encode()
	if err != nil {
		t.Fatal(err)
	}
	if err := b.store.PutRosterVersion(b.ctx, int64(r.Version), body); err != nil {
		t.Fatal(err)
	}
	for _, k := range signers {
		sig := trust.SignRoster(k, body)
		if err := b.store.AddRosterSig(b.ctx, int64(r.Version), store.Sig{KeyID: string(sig.KeyID), Signature: sig.Signature}); err != nil {
			t.Fatal(err)
		}
	}
}

// text delivers an inbound text from number, runs the sender once and
// returns the replies that number got.
func (b *bundle) text(t *testing.T, number, body string) []string {
	t.Helper()
	before := len(b.sent(t, number))
	n, err := phone.Parse(number, "US")
	if err != nil {
		t.Fatal(err)
	}
	sealed, err := b.sealer.Seal(n)
	if err != nil {
		t.Fatal(err)
	}
	if err := b.store.AddInbound(b.ctx, &tocsin.Inbound{Provider: "dev", FromSealed: sealed, Body: body, ReceivedAt: b.now}); err != nil {
		t.Fatal(err)
	}
	b.sender.Tick(b.ctx)
	return b.sent(t, number)[before:]
}

// lines returns every line of the outbox, in order.
func (b *bundle) lines(t *testing.T) []outbox.Line {
	t.Helper()
	return outboxLines(t, b.outbox)
}

// outboxLines returns every line of the outbox file at path, in order (none
// when there is no file yet).
func outboxLines(t *testing.T, path string) []outbox.Line {
	t.Helper()
	f, err := os.Open(path)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []outbox.Line
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var l outbox.Line
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			t.Fatal(err)
		}
		out = append(out, l)
	}
	return out
}

// sent returns every body the outbox holds for number.
func (b *bundle) sent(t *testing.T, number string) []string {
	t.Helper()
	var out []string
	for _, l := range b.lines(t) {
		if l.To == number {
			out = append(out, l.Body)
		}
	}
	return out
}

// subscriber returns the subscriber of number, or nil.
func (b *bundle) subscriber(t *testing.T, number string) *tocsin.Subscriber {
	t.Helper()
	n, _ := phone.Parse(number, "US")
	s, err := b.store.GetSubscriberByHash(b.ctx, b.keys.Hash(n))
	if tocsin.ErrorCode(err) == tocsin.ENOTFOUND {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// draft creates a draft alert with its statement.
func (b *bundle) draft(t testing.TB, area tocsin.Area, en, es string) *tocsin.Alert {
	t.Helper()
	return b.draftFor(t, area, en, es, 1000)
}

// draftFor creates a draft whose statement bounds the audience at bound.
func (b *bundle) draftFor(t testing.TB, area tocsin.Area, en, es string, bound int) *tocsin.Alert {
	t.Helper()
	a := &tocsin.Alert{ID: tocsin.NewID(), Ref: tocsin.NewAlertRef(), State: tocsin.AlertDraft, BodyEN: en, BodyES: es, Area: area,
		CreatedBy: "ana", CreatedAt: b.now, ValidUntil: b.now.Add(time.Hour)}
	st := trust.StatementOf(a, nil, bound)
	var err error
	if a.Statement, err = st.Encode(); err != nil {
		t.Fatal(err)
	}
	if err := b.store.CreateAlert(b.ctx, a); err != nil {
		t.Fatal(err)
	}
	return a
}

// sign adds the approvals of the named operators over the alert's statement.
func (b *bundle) sign(t testing.TB, a *tocsin.Alert, names ...string) {
	t.Helper()
	st, err := trust.DecodeStatement(a.Statement)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range names {
		k, ok := b.ops[n]
		if !ok {
			_, k, _ = ed25519.GenerateKey(nil) // a key nobody put in the roster
		}
		ap, err := trust.SignStatement(k, st, b.now)
		if err != nil {
			t.Fatal(err)
		}
		if err := b.store.AddApproval(b.ctx, &store.Approval{AlertID: a.ID, Kind: string(ap.Kind), KeyID: string(ap.KeyID),
			Digest: ap.Digest[:], Signature: ap.Signature, SignedAt: ap.SignedAt}); err != nil {
			t.Fatal(err)
		}
	}
}

// alert creates an alert signed by ana and bob and marks it approved.
func (b *bundle) alert(t *testing.T, area tocsin.Area, en, es string) *tocsin.Alert {
	t.Helper()
	a := b.draft(t, area, en, es)
	b.sign(t, a, "ana", "bob")
	if err := b.store.ApproveAlert(b.ctx, a.ID, "ana", b.now); err != nil {
		t.Fatal(err)
	}
	return a
}

func contains(t *testing.T, got []string, want string) {
	t.Helper()
	for _, g := range got {
		if strings.Contains(g, want) {
			return
		}
	}
	t.Errorf("no message contains %q; got %q", want, got)
}

// events returns the security events, newest first, as "kind: detail".
func (b *bundle) events(t *testing.T) []string {
	t.Helper()
	es, err := b.store.ListSecurityEvents(b.ctx, 100)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range es {
		out = append(out, e.Kind+": "+e.Detail)
	}
	return out
}

// attack runs SQL straight against the database file, as an attacker with
// write access to the database would.
func (b *bundle) attack(t *testing.T, query string, args ...any) {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+b.dbPath+"?_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.ExecContext(b.ctx, query, args...); err != nil {
		t.Fatalf("attack %q: %v", query, err)
	}
}

// gotAlert reports whether number received the alert with this Ref.
func (b *bundle) gotAlert(t *testing.T, number, ref string) bool {
	t.Helper()
	for _, m := range b.sent(t, number) {
		if strings.Contains(m, "Ref "+ref) {
			return true
		}
	}
	return false
}

type ed25519PublicKey = ed25519.PublicKey

func phoneParse(s string) (phone.Number, error) { return phone.Parse(s, "US") }

func (b *bundle) rosterV1(t *testing.T) *trust.Roster { return b.r1 }

// newKey makes an operator key that no verified roster holds.
func (b *bundle) newKey(t *testing.T, name string) ed25519.PrivateKey {
	t.Helper()
	_, k, err := ed25519.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	b.ops[name] = k
	return k
}

// count is how many outbox messages carry the Ref.
func (b *bundle) count(t *testing.T, ref string) int {
	t.Helper()
	n := 0
	for _, l := range b.lines(t) {
		if strings.Contains(l.Body, "Ref "+ref) {
			n++
		}
	}
	return n
}

// order stores freeze order seq, signed by the named operators.
func (b *bundle) order(t *testing.T, seq int64, freeze bool, signers ...string) {
	t.Helper()
	o := &trust.FreezeOrder{Seq: seq, Freeze: freeze, At: b.now, Reason: "test"}
	body, err := o.Encode()
	if err != nil {
		t.Fatal(err)
	}
	if err := b.store.PutFreezeOrder(b.ctx, seq, body); err != nil {
		t.Fatal(err)
	}
	b.signOrder(t, seq, signers...)
}

func (b *bundle) signOrder(t *testing.T, seq int64, signers ...string) {
	t.Helper()
	orders, err := b.store.FreezeOrders(b.ctx, seq-1)
	if err != nil || len(orders) == 0 {
		t.Fatalf("order %d: %v", seq, err)
	}
	for _, n := range signers {
		sig := trust.SignOrder(b.ops[n], orders[0].Body)
		if err := b.store.AddFreezeSig(b.ctx, seq, store.Sig{KeyID: string(sig.KeyID), Signature: sig.Signature}); err != nil {
			t.Fatal(err)
		}
	}
}

type (
	outboxProvider = outbox.Provider
	outboxLine     = outbox.Line
)

func trustDecode(b []byte) (*trust.Statement, error) { return trust.DecodeStatement(b) }
