package web_test

import (
	"context"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tocsin/tocsin/internal/store"
	"github.com/tocsin/tocsin/internal/trust"
)

func TestConsoleFreeze(t *testing.T) {
	b := setupSigned(t)
	ctx := context.Background()
	viewer := b.login("vic", "viewer")

	// Without a valid CSRF token nothing is frozen.
	for _, csrf := range [][]string{nil, {""}, {"garbage"}} {
		v := url.Values{}
		if csrf != nil {
			v["csrf"] = csrf
		}
		wantStatus(t, b.postForm(viewer.c, "/console/freeze", v), http.StatusForbidden)
	}
	// Nor without a session.
	wantRedirect(t, b.postForm(nil, "/console/freeze", url.Values{"csrf": {viewer.csrf}}), "/console/login")
	if orders, _ := b.st.FreezeOrders(ctx, 0); len(orders) != 0 {
		t.Fatalf("%d freeze orders after refused posts", len(orders))
	}
	if b.wakes.Load() != 0 {
		t.Error("a refused freeze woke the sender")
	}
	page := viewer.get("/console/security")
	wantStatus(t, page, http.StatusOK)
	if !strings.Contains(page.text(), "Outbound messaging is running.") {
		t.Error("the security page does not say messaging is running")
	}

	// A viewer's role has no freeze; a dispatcher's and an admin's do,
	// without a key at hand: stopping is always safe.
	wantStatus(t, viewer.post("/console/freeze", url.Values{"confirm": {"yes"}, "reason": {"x"}}), http.StatusForbidden)
	admin := b.login("ana", "admin")
	wantRedirect(t, admin.post("/console/freeze", url.Values{"confirm": {"yes"}, "reason": {"canary tripped"}}), "/console/security")
	b.clock.Advance(time.Minute)
	// Another signed unfreeze later, a dispatcher freezes again.
	unfreeze := freezeBody(t, 2, false, t0.Add(time.Minute), "checked")
	decodeOrders(t, b.postJSON("/api/v1/freeze-orders", freezeJSON(unfreeze, b.key("dee"))), http.StatusCreated)
	decodeOrders(t, b.postJSON("/api/v1/freeze-orders", freezeJSON(unfreeze, b.key("ned"))), http.StatusCreated)
	disp := b.login("ned", "dispatcher")
	wantRedirect(t, disp.post("/console/freeze", url.Values{"confirm": {"yes"}, "reason": {"odd texts"}}), "/console/security")

	orders, err := b.st.FreezeOrders(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(orders) != 3 {
		t.Fatalf("%d freeze orders, want 3", len(orders))
	}
	for i, who := range []string{"ana: canary tripped", "", "ned: odd texts"} {
		if who == "" {
			continue
		}
		o := orders[i]
		fo, err := trust.DecodeFreezeOrder(o.Body)
		if err != nil {
			t.Fatalf("order %d does not decode: %v", i+1, err)
		}
		if o.Seq != int64(i+1) || fo.Seq != o.Seq || !fo.Freeze || fo.Reason != "console: frozen by "+who || !fo.At.Equal(t0.Add(time.Duration(i/2)*time.Minute)) {
			t.Errorf("order %d: %+v", i+1, fo)
		}
		if len(o.Sigs) != 0 {
			t.Errorf("order %d is signed: the server holds no operator key", i+1)
		}
	}
	if b.wakes.Load() != 4 {
		t.Errorf("the sender was woken %d times, want 4", b.wakes.Load())
	}
	if seen := b.auditCount(); seen["freeze.freeze"] != 2 {
		t.Errorf("audit actions %v", seen)
	}

	page = viewer.get("/console/security")
	wantStatus(t, page, http.StatusOK)
	text := page.text()
	for _, want := range []string{"Outbound messaging is FROZEN", "freeze: console: frozen by ana: canary tripped", "freeze: console: frozen by ned: odd texts", "tocsin unfreeze"} {
		if !strings.Contains(text, want) {
			t.Errorf("the security page lacks %q", want)
		}
	}
	// The API lists the same orders, unsigned.
	api := decodeOrders(t, b.get(nil, "/api/v1/freeze-orders"), http.StatusOK)
	if len(api) != 3 || api[0].Seq != 1 || !api[0].Freeze || len(api[0].Signers) != 0 || api[2].Reason != "console: frozen by ned: odd texts" {
		t.Errorf("API orders %+v", api)
	}
	if raw, _ := base64.StdEncoding.DecodeString(api[0].Body); string(raw) != string(orders[0].Body) {
		t.Error("the API does not show the order body a signer signs")
	}
}

func TestFreezeOrdersAPI(t *testing.T) {
	b := setupSigned(t)
	ctx := context.Background()
	post := func(body []byte, key string) resp {
		t.Helper()
		return b.postJSON("/api/v1/freeze-orders", freezeJSON(body, b.key(key)))
	}

	// A dispatcher freezes.
	freeze := freezeBody(t, 1, true, t0, "canary tripped")
	orders := decodeOrders(t, post(freeze, "ned"), http.StatusCreated)
	if len(orders) != 1 || orders[0].Seq != 1 || !orders[0].Freeze || orders[0].Reason != "canary tripped" || !slices.Equal(orders[0].Signers, []string{"ned"}) {
		t.Errorf("orders %+v", orders)
	}
	if b.wakes.Load() != 1 {
		t.Errorf("the sender was woken %d times, want 1", b.wakes.Load())
	}

	// An unfreeze, co-signed by two operators.
	unfreeze := freezeBody(t, 2, false, t0.Add(time.Hour), "false alarm")
	orders = decodeOrders(t, post(unfreeze, "dee"), http.StatusCreated)
	if len(orders) != 2 || orders[1].Freeze || !slices.Equal(orders[1].Signers, []string{"dee"}) {
		t.Errorf("orders after one unfreeze signature %+v", orders)
	}
	oc := b.login("vic", "viewer")
	if page := oc.get("/console/security"); !strings.Contains(page.text(), "Outbound messaging is FROZEN") {
		t.Error("one signature on an unfreeze shows messaging running")
	}
	decodeOrders(t, post(unfreeze, "dee"), http.StatusCreated)   // the same signature again
	decodeOrders(t, post(unfreeze, "ana#2"), http.StatusCreated) // the admin's second key
	orders = decodeOrders(t, b.get(nil, "/api/v1/freeze-orders"), http.StatusOK)
	if len(orders) != 2 || !slices.Equal(orders[1].Signers, []string{"ana", "dee"}) {
		t.Errorf("orders after two unfreeze signatures %+v", orders)
	}
	page := oc.get("/console/security")
	if text := page.text(); !strings.Contains(text, "Outbound messaging is running.") || !strings.Contains(text, "unfreeze: false alarm") || !strings.Contains(text, "ana, dee") {
		t.Errorf("the security page after the unfreeze: %.3000s", text)
	}
	stored, _ := b.st.FreezeOrders(ctx, 0)
	if len(stored) != 2 || len(stored[1].Sigs) != 2 {
		t.Errorf("stored orders %+v", stored)
	}
	if seen := b.auditCount(); seen["freeze.freeze"] != 1 || seen["freeze.unfreeze"] != 3 {
		t.Errorf("audit actions %v", seen)
	}
	if ev, _ := b.st.ListSecurityEvents(ctx, 10); len(ev) != 0 {
		t.Errorf("valid orders raised security events %+v", ev)
	}

	t.Run("signature refused", func(t *testing.T) {
		next := freezeBody(t, 3, true, t0.Add(2*time.Hour), "by whom?")
		other := freezeBody(t, 3, true, t0.Add(2*time.Hour), "something else")
		tests := []struct {
			name string
			json string
		}{
			{"a key in no roster", freezeJSON(next, b.key("mal"))},
			{"a viewer's key", freezeJSON(next, b.key("vic"))},
			{"the root key", freezeJSON(next, b.trust.root)},
			{"a signature over another order", strings.Replace(freezeJSON(other, b.key("ned")), base64.StdEncoding.EncodeToString(other), base64.StdEncoding.EncodeToString(next), 1)},
			{"a signature under another key id", strings.Replace(freezeJSON(next, b.key("ned")), string(trust.KeyIDOf(pub(b.key("ned")))), string(trust.KeyIDOf(pub(b.key("dee")))), 1)},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				before := len(b.securityEvents("freeze.refused"))
				r := b.postJSON("/api/v1/freeze-orders", tt.json)
				wantStatus(t, r, http.StatusForbidden)
				if ev := b.securityEvents("freeze.refused"); len(ev) != before+1 || ev[0].Detail == "" {
					t.Errorf("%d freeze.refused events, want %d", len(ev), before+1)
				}
				if stored, _ := b.st.FreezeOrders(ctx, 2); len(stored) != 0 {
					t.Errorf("a refused order was stored: %+v", stored)
				}
			})
		}
	})

	t.Run("malformed", func(t *testing.T) {
		k := b.key("ned")
		tests := []struct {
			name, json string
			status     int
			field      string
		}{
			{"a sequence gap", freezeJSON(freezeBody(t, 4, true, t0.Add(2*time.Hour), ""), k), http.StatusBadRequest, "body"},
			{"far ahead", freezeJSON(freezeBody(t, 1000, true, t0.Add(2*time.Hour), ""), k), http.StatusBadRequest, "body"},
			{"another order at a taken number", freezeJSON(freezeBody(t, 2, true, t0.Add(2*time.Hour), "replace the unfreeze"), k), http.StatusConflict, ""},
			{"not JSON", "freeze please", http.StatusBadRequest, ""},
			{"empty", "", http.StatusBadRequest, ""},
			{"unknown field", `{"body":"","key_id":"","signature":"","seq":3}`, http.StatusBadRequest, ""},
			{"body not base64", `{"body":"%%%","key_id":"x","signature":""}`, http.StatusBadRequest, "body"},
			{"body not an order", fmt.Sprintf(`{"body":%q,"key_id":"x","signature":""}`, base64.StdEncoding.EncodeToString([]byte("freeze everything\n"))), http.StatusBadRequest, "body"},
			{"order not canonical", fmt.Sprintf(`{"body":%q,"key_id":"x","signature":""}`,
				base64.StdEncoding.EncodeToString([]byte(strings.ReplaceAll(string(freezeBody(t, 3, true, t0.Add(2*time.Hour), "x")), "\n", "\r\n")))), http.StatusBadRequest, "body"},
			{"signature too short", strings.Replace(freezeJSON(freezeBody(t, 3, true, t0.Add(2*time.Hour), ""), k), `"signature":"`, `"signature":"AAAA`, 1), http.StatusBadRequest, "signature"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				r := b.postJSON("/api/v1/freeze-orders", tt.json)
				wantStatus(t, r, tt.status)
				if _, _, field := jsonError(t, r); field != tt.field {
					t.Errorf("field %q, want %q", field, tt.field)
				}
			})
		}
		stored, _ := b.st.FreezeOrders(ctx, 0)
		if len(stored) != 2 {
			t.Errorf("%d orders after malformed posts, want 2", len(stored))
		}
		// The next number is still free.
		orders := decodeOrders(t, b.postJSON("/api/v1/freeze-orders", freezeJSON(freezeBody(t, 3, true, t0.Add(2*time.Hour), "again"), k)), http.StatusCreated)
		if len(orders) != 3 || !orders[2].Freeze {
			t.Errorf("orders %+v", orders)
		}
	})
}

func TestSecurityPage(t *testing.T) {
	b := setupSigned(t)
	ctx := context.Background()
	wantRedirect(t, b.get(nil, "/console/security"), "/console/login")

	oc := b.login("vic", "viewer")
	page := oc.get("/console/security")
	wantStatus(t, page, http.StatusOK)
	if !strings.Contains(page.text(), "No security events.") {
		t.Error("the empty security page does not say so")
	}
	events := []store.SecurityEvent{
		{At: t0, Kind: "canary.used", Subject: "api-key-7", Detail: `a canary API key was used <script>alert(1)</script>`},
		{At: t0.Add(time.Minute), Kind: "alert.refused", Subject: "abcdefgh12345678", Detail: "need 2 signatures from distinct operators, have 1"},
	}
	for i := range events {
		if err := b.st.AddSecurityEvent(ctx, &events[i]); err != nil {
			t.Fatal(err)
		}
	}
	// A refused approval adds one through the web tier itself.
	id := b.signedDraft("refused", 5)
	wantStatus(t, b.approve(id, "mal"), http.StatusForbidden)

	page = oc.get("/console/security")
	wantStatus(t, page, http.StatusOK)
	if n := strings.Count(page.body, `<tr class="event `); n != 3 {
		t.Errorf("%d event rows, want 3", n)
	}
	text := page.text()
	for _, want := range []string{"canary.used", "api-key-7", "alert.refused", "need 2 signatures from distinct operators, have 1", "approval.refused", id, string(trust.KeyIDOf(pub(b.key("mal"))))} {
		if !strings.Contains(text, want) {
			t.Errorf("the security page lacks %q", want)
		}
	}
	if strings.Contains(page.body, "<script>alert(1)") {
		t.Error("an event's detail is not escaped")
	}
	// Pending and logged-out sessions see nothing.
	op := b.newOperator("pending", "admin")
	c, _ := b.passwordStep(op.Username, testPassword)
	wantRedirect(t, b.get(c, "/console/security"), "/console/login")
	wantRedirect(t, oc.post("/console/logout", nil), "/")
	wantRedirect(t, oc.get("/console/security"), "/console/login")
}

// An order a database writer inserted out of sequence, or one that does
// not decode, is shown as frozen, as the sender takes it.
func TestSecurityPageShowsStrayOrdersAsFrozen(t *testing.T) {
	for _, tt := range []struct {
		name string
		seq  int64
		body func(t *testing.T) []byte
	}{
		{"unfreeze at max+2", 2, func(t *testing.T) []byte {
			body, err := (&trust.FreezeOrder{Seq: 2, At: t0, Reason: "mallory"}).Encode()
			if err != nil {
				t.Fatal(err)
			}
			return body
		}},
		{"garbage", 1, func(t *testing.T) []byte { return []byte("not an order") }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			b := setupSigned(t)
			if err := b.st.PutFreezeOrder(context.Background(), tt.seq, tt.body(t)); err != nil {
				t.Fatal(err)
			}
			oc := b.login("vic", "viewer")
			page := oc.get("/console/security")
			wantStatus(t, page, http.StatusOK)
			if !strings.Contains(page.text(), "Outbound messaging is FROZEN") {
				t.Error("the security page does not show a stray order as frozen")
			}
		})
	}
}

// TestUnfreezeOnlyLiftsAFreeze: a new unfreeze order must follow a freeze
// order. The sender takes an unfreeze after anything else for a freeze a
// database writer rewrote, and freezes; so the API refuses to store one
// (409), and a co-signature of a pending unfreeze is still taken.
func TestUnfreezeOnlyLiftsAFreeze(t *testing.T) {
	b := setupSigned(t)
	r := b.postJSON("/api/v1/freeze-orders", freezeJSON(freezeBody(t, 1, false, t0, "nothing to lift"), b.key("dee")))
	wantStatus(t, r, http.StatusConflict)
	if !strings.Contains(r.body, "nothing to unfreeze") {
		t.Errorf("the refusal does not say why: %s", r.body)
	}
	decodeOrders(t, b.postJSON("/api/v1/freeze-orders", freezeJSON(freezeBody(t, 1, true, t0, "canary"), b.key("dee"))), http.StatusCreated)
	unfreeze := freezeBody(t, 2, false, t0.Add(time.Minute), "checked")
	decodeOrders(t, b.postJSON("/api/v1/freeze-orders", freezeJSON(unfreeze, b.key("dee"))), http.StatusCreated)
	decodeOrders(t, b.postJSON("/api/v1/freeze-orders", freezeJSON(unfreeze, b.key("ned"))), http.StatusCreated)
	r = b.postJSON("/api/v1/freeze-orders", freezeJSON(freezeBody(t, 3, false, t0.Add(2*time.Minute), "again"), b.key("dee")))
	wantStatus(t, r, http.StatusConflict)
}
