package web_test

import (
	"crypto/ed25519"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/tocsin/tocsin"
	"github.com/tocsin/tocsin/internal/trust"
)

// An administrator drafts an incident notice; nothing is public until two
// operators have signed its statement (an alert to everyone needs two)
// and the sender has put it in the transparency log. Then it is public in
// both languages and heads the home page for 30 days. Markup in it is
// shown, not run; bad input gets a clear error and loses nothing typed;
// other roles cannot draft.
func TestIncidentNotice(t *testing.T) {
	b := setupSigned(t, b0withLog)
	admin := b.login("ana", "admin")
	form := url.Values{
		"title_en": {"Fake texts about your information <b>"},
		"title_es": {"Mensajes falsos sobre su información"},
		"body_en":  {"Some subscribers got a text saying their information was sent to the authorities. We did not send it.\n\nCheck any text at /verify."},
		"body_es":  {"Algunos suscriptores recibieron un mensaje falso. No lo enviamos."},
	}
	id := b.draftNotice(admin, form)
	if b.noticeShown(id) {
		t.Fatal("a draft notice is public")
	}
	if res := decodeApproval(t, b.approveNotice(id, "ana")); res.Approved || res.Need != 2 {
		t.Fatalf("one signature: %+v", res)
	}
	if b.notice(id).State != tocsin.NoticeDraft {
		t.Fatal("one signature approved the notice")
	}
	if res := decodeApproval(t, b.approveNotice(id, "ned")); !res.Approved || strings.Join(res.Signers, ",") != "ana,ned" {
		t.Fatalf("two signatures: %+v", res)
	}
	if b.notice(id).State != tocsin.NoticeApproved || b.wakes.Load() == 0 {
		t.Fatal("two signatures did not hand the notice to the sender")
	}
	if b.noticeShown(id) {
		t.Fatal("a notice the sender has not put in the log is public")
	}
	b.senderPublishes(id)
	if !b.noticeShown(id) {
		t.Fatal("a signed notice in the log is not public")
	}
	page := b.get(nil, "/notices/"+id)
	if !strings.Contains(page.body, "&lt;b&gt;") || strings.Contains(page.body, "<b>") {
		t.Error("markup in the title is not escaped")
	}
	if !strings.Contains(page.text(), "We did not send it.") || strings.Count(page.body, "<p>") < 2 {
		t.Error("the notice's paragraphs are not shown")
	}
	es := b.get(nil, "/notices", "Accept-Language", "es")
	if !strings.Contains(es.text(), "Mensajes falsos sobre su información") || !strings.Contains(es.text(), "No lo enviamos.") {
		t.Error("the Spanish notice is not shown to a Spanish reader")
	}
	if strings.Contains(b.get(nil, "/notices/nothere").body, "Fake texts") {
		t.Error("an unknown notice id shows a notice")
	}
	if n := len(b.securityEvents("notice.tampered")); n != 0 {
		t.Errorf("%d notice.tampered events for a genuine notice", n)
	}

	// Bad input: a clear message, what was typed kept.
	bad := admin.post("/console/notices", url.Values{"title_en": {"Only a title"}, "body_en": {""}})
	wantStatus(t, bad, http.StatusBadRequest)
	if !strings.Contains(bad.text(), "say what happened") || !strings.Contains(bad.body, `value="Only a title"`) {
		t.Errorf("empty text: %s", bad.text())
	}
	long := admin.post("/console/notices", url.Values{"title_en": {strings.Repeat("x", 121)}, "body_en": {"y"}})
	wantStatus(t, long, http.StatusBadRequest)

	// Only administrators draft.
	disp := b.login("bo", "dispatcher")
	wantStatus(t, disp.post("/console/notices", form), http.StatusForbidden)
	if page := disp.get("/console/notices"); strings.Contains(page.body, `name="title_en"`) {
		t.Error("a dispatcher is offered the form")
	}
	trail := admin.get("/console/audit?q=notice.")
	for _, action := range []string{"notice.draft", "notice.sign", "notice.approve"} {
		if !strings.Contains(trail.text(), action) {
			t.Errorf("%s is not in the audit trail", action)
		}
	}
	b.clock.Advance(31 * 24 * time.Hour)
	if strings.Contains(b.get(nil, "/").body, `id="incident-notice"`) {
		t.Error("a month-old notice still heads the home page")
	}
	if !strings.Contains(b.get(nil, "/notices/"+id).text(), "We did not send it.") {
		t.Error("an expired notice left /notices")
	}
}

// Attacks on notices: none of these is ever shown, and each raises a
// security event.
func TestNoticeAttacks(t *testing.T) {
	form := url.Values{"title_en": {"We were hacked"}, "body_en": {"Your information was sent to the authorities."}}
	t.Run("one phished administrator", func(t *testing.T) {
		b := setupSigned(t, b0withLog)
		id := b.draftNotice(b.login("ana", "admin"), form)
		decodeApproval(t, b.approveNotice(id, "ana"))
		decodeApproval(t, b.approveNotice(id, "ana#2")) // a second key of the same admin
		if b.notice(id).State != tocsin.NoticeDraft {
			t.Fatal("one administrator approved a notice")
		}
		// Even marked published and put in the log (a database writer, or a
		// sender fooled), one operator's signature shows nothing.
		b.forcePublish(id)
		if b.noticeShown(id) {
			t.Fatal("a notice signed by one operator is shown")
		}
		if len(b.securityEvents("notice.tampered")) == 0 {
			t.Error("no notice.tampered event")
		}
	})
	t.Run("row inserted as published", func(t *testing.T) {
		b := setupSigned(t, b0withLog)
		id := tocsin.NewID()
		st := &trust.NoticeStatement{ID: id, Origin: "tocsin-log", CreatedAt: t0, ValidFrom: t0, ValidUntil: t0.Add(24 * time.Hour),
			Titles: map[string]string{"en": "We were hacked"}, Bodies: map[string]string{"en": "Your information was sent to the authorities."}}
		body, err := st.Encode()
		if err != nil {
			t.Fatal(err)
		}
		b.exec(`INSERT INTO notices (id, title_en, body_en, published_by, published_at, state, statement, created_by, created_at)
			VALUES (?, 'We were hacked', 'Your information was sent to the authorities.', 'ana, ned', ?, 'published', ?, 'ana', ?)`, id, t0.Unix(), body, t0.Unix())
		b.exec(`INSERT INTO notices (id, title_en, body_en, published_by, published_at) VALUES ('old1', 'Old style', 'No statement at all', 'ana', ?)`, t0.Unix())
		b.exec(`UPDATE notices SET state = 'published' WHERE id = 'old1'`)
		if b.noticeShown(id) || b.noticeShown("old1") {
			t.Fatal("a notice row written into the database is shown")
		}
		evs := b.securityEvents("notice.tampered")
		if len(evs) != 2 || evs[0].Severity != "high" {
			t.Errorf("notice.tampered events %+v, want 2 of severity high", evs)
		}
	})
	for _, edit := range []string{"statement and text", "text only"} {
		t.Run("edited after approval: "+edit, func(t *testing.T) {
			b := setupSigned(t, b0withLog)
			id := b.draftNotice(b.login("ana", "admin"), url.Values{"title_en": {"Fake texts"}, "body_en": {"We did not send them."}})
			decodeApproval(t, b.approveNotice(id, "ana"))
			decodeApproval(t, b.approveNotice(id, "ned"))
			b.senderPublishes(id)
			if !b.noticeShown(id) {
				t.Fatal("the genuine notice is not shown")
			}
			n := b.notice(id)
			const lie = "Your information was sent to the authorities."
			if edit == "statement and text" {
				st, err := trust.DecodeNotice(n.Statement)
				if err != nil {
					t.Fatal(err)
				}
				st.Bodies["en"] = lie
				body, _ := st.Encode()
				b.exec(`UPDATE notices SET statement = ? WHERE id = ?`, body, id)
			}
			b.exec(`UPDATE notices SET body_en = ? WHERE id = ?`, lie, id)
			if b.noticeShown(id) || strings.Contains(b.get(nil, "/notices").text(), lie) {
				t.Fatal("an edited notice is shown")
			}
			if len(b.securityEvents("notice.tampered")) == 0 {
				t.Error("no notice.tampered event")
			}
		})
	}
	t.Run("alert signature replayed as a notice signature", func(t *testing.T) {
		b := setupSigned(t, b0withLog)
		id := b.draftNotice(b.login("ana", "admin"), form)
		decodeApproval(t, b.approveNotice(id, "ana"))
		// ned signed an alert; the attacker presents that signature, and
		// one in the alert domain over the notice's own digest.
		alertID := b.signedDraft("ICE checkpoint at Main St.", 500)
		fromAlert := b.signApproval("ned", b.statement(alertID))
		st, err := trust.DecodeNotice([]byte(b.get(nil, "/api/v1/notices/"+id+"/statement").body))
		if err != nil {
			t.Fatal(err)
		}
		overNotice := *fromAlert
		overNotice.Digest = st.Digest()
		overNotice.Signature = ed25519.Sign(b.key("ned"), append([]byte("tocsin/alert-approval/v1\x00"), overNotice.Digest[:]...))
		for _, ap := range []*trust.Approval{fromAlert, &overNotice} {
			r := b.postJSON("/api/v1/notices/"+id+"/approvals", approvalJSON(ap))
			wantStatus(t, r, http.StatusBadRequest)
		}
		if b.notice(id).State != tocsin.NoticeDraft {
			t.Fatal("an alert's signature approved a notice")
		}
		if n := len(b.securityEvents("approval.refused")); n != 2 {
			t.Errorf("%d approval.refused events, want 2", n)
		}
		// And a notice signature never approves an alert.
		nap, _ := trust.SignNotice(b.key("ned"), st, b.clock.Now())
		nap.Digest = b.statement(alertID).Digest()
		wantStatus(t, b.postJSON("/api/v1/alerts/"+alertID+"/approvals", approvalJSON(nap)), http.StatusBadRequest)
	})
}

// The console's canaries page: administrators only; a canary key created
// there is shown once in the real keys' form; decoy hits are counted; no
// canary subscriber is shown (only the sender knows them).
func TestCanariesPage(t *testing.T) {
	b := setup(t)
	admin := b.login("ana", "admin")
	b.get(nil, "/.env")
	page := admin.get("/console/canaries")
	wantStatus(t, page, http.StatusOK)
	if !regexp.MustCompile(`<code>/.env</code></td><td>1</td>`).MatchString(page.body) {
		t.Error("the hit on /.env is not counted")
	}
	r := admin.post("/console/canaries", url.Values{"kind": {"apikey"}, "name": {"backup-job"}})
	wantStatus(t, r, http.StatusOK)
	m := regexp.MustCompile(`id="new-canary-key">(tsk_[0-9A-Za-z]{40})<`).FindStringSubmatch(r.body)
	if m == nil {
		t.Fatalf("no canary key shown:\n%s", r.body)
	}
	if again := admin.get("/console/canaries"); strings.Contains(again.body, m[1]) {
		t.Error("the canary key is shown a second time")
	}
	wantStatus(t, admin.post("/console/canaries", url.Values{"kind": {"operator"}, "name": {"j.rivera"}}), http.StatusSeeOther)
	if !strings.Contains(admin.get("/console/canaries").body, "j.rivera") {
		t.Error("the canary account is not listed")
	}
	if r := admin.post("/console/canaries", url.Values{"kind": {"apikey"}, "name": {""}}); !strings.Contains(r.text(), "a key needs a name") {
		t.Error("a nameless key is not refused clearly")
	}
	disp := b.login("bo", "dispatcher")
	wantStatus(t, disp.get("/console/canaries"), http.StatusForbidden)
	wantStatus(t, disp.post("/console/canaries", url.Values{"kind": {"apikey"}, "name": {"x"}}), http.StatusForbidden)
}

// A roster change after a notice was published (a key revoked after the
// incident) does not take the genuine notice down: its signatures counted
// under the version in effect when the sender published it.
func TestNoticeSurvivesRosterChange(t *testing.T) {
	b := setupSigned(t, b0withLog)
	admin := b.login("ana", "admin")
	id := b.draftNotice(admin, url.Values{"title_en": {"Fake texts"}, "body_en": {"We did not send them."}})
	decodeApproval(t, b.approveNotice(id, "ana"))
	decodeApproval(t, b.approveNotice(id, "ned"))
	b.senderPublishes(id)

	v2 := *b.trust.roster
	v2.Version, v2.Prev, v2.IssuedAt = 2, b.trust.roster.Digest(), t0.Add(time.Hour)
	v2.Members = nil
	for _, m := range b.trust.roster.Members {
		if m.Name != "ned" {
			v2.Members = append(v2.Members, m)
		}
	}
	b.putRoster(&v2, b.key("ana"))
	other := b.draftNotice(admin, url.Values{"title_en": {"Another"}, "body_en": {"Text."}})
	wantStatus(t, b.approveNotice(other, "ned"), http.StatusForbidden) // version 2 is in effect
	if !b.noticeShown(id) {
		t.Fatal("a notice published under roster version 1 is hidden under version 2")
	}
	if n := len(b.securityEvents("notice.tampered")); n != 0 {
		t.Errorf("%d notice.tampered events", n)
	}
}
