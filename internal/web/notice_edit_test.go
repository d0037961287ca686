package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/tocsin/tocsin/internal/trust"
)

// publishedNotice drafts a notice, has ana and ned sign it and the sender
// publish it, and returns its id.
func (b *bundle) publishedNotice(oc *operatorClient, form url.Values) string {
	b.t.Helper()
	id := b.draftNotice(oc, form)
	b.approveNotice(id, "ana")
	b.approveNotice(id, "ned")
	b.senderPublishes(id)
	return id
}

func (b *bundle) statementOf(id string) *trust.NoticeStatement {
	b.t.Helper()
	st, err := trust.DecodeNotice(b.notice(id).Statement)
	if err != nil {
		b.t.Fatal(err)
	}
	return st
}

// An administrator chooses how long a notice heads the home page, 1 to 90
// days, and it is in the signed statement.
func TestNoticeDuration(t *testing.T) {
	b := setupSigned(t, b0withLog)
	admin := b.login("ana", "admin")
	form := url.Values{"title_en": {"Short notice"}, "body_en": {"It lasts a week."}, "days": {"7"}}
	id := b.publishedNotice(admin, form)
	if st := b.statementOf(id); !st.ValidUntil.Equal(t0.Add(7 * 24 * time.Hour)) {
		t.Errorf("valid until %s, want 7 days after %s", st.ValidUntil, t0)
	}
	if !strings.Contains(b.get(nil, "/").body, `id="incident-notice"`) {
		t.Error("the notice does not head the home page")
	}
	b.clock.Advance(7*24*time.Hour + time.Second)
	if strings.Contains(b.get(nil, "/").body, `id="incident-notice"`) {
		t.Error("a 7-day notice heads the home page on day 8")
	}
	admin = b.loginAs(admin.op) // the session of a week ago has expired
	long := b.draftNotice(admin, url.Values{"title_en": {"Long"}, "body_en": {"x"}, "days": {"90"}})
	if st := b.statementOf(long); st.ValidUntil.Sub(st.ValidFrom) != 90*24*time.Hour {
		t.Errorf("90 days: %s", st.ValidUntil.Sub(st.ValidFrom))
	}
	for _, days := range []string{"0", "91", "-3", "seven", "1.5"} {
		r := admin.post("/console/notices", url.Values{"title_en": {"Bad days"}, "body_en": {"x"}, "days": {days}})
		wantStatus(t, r, http.StatusBadRequest)
		if !strings.Contains(r.text(), "from 1 to 90") || !strings.Contains(r.body, `value="Bad days"`) {
			t.Errorf("days %q: %.1500s", days, r.text())
		}
	}
}

// An edit is a new version that needs the signatures again; the old one
// stays shown until the new one is published.
func TestNoticeEdit(t *testing.T) {
	b := setupSigned(t, b0withLog)
	admin := b.login("ana", "admin")
	old := b.publishedNotice(admin, url.Values{"title_en": {"Fake texts"}, "body_en": {"We did not send them."}})

	// The edit form carries the notice's text and what it replaces.
	form := admin.get("/console/notices?edit=" + old)
	if !strings.Contains(form.body, `name="replaces" value="`+old+`"`) || !strings.Contains(form.body, "We did not send them.") {
		t.Fatalf("the edit form: %.3000s", form.body)
	}
	edit := b.draftNotice(admin, url.Values{"title_en": {"Fake texts (updated)"}, "body_en": {"We did not send them. Check any text at /verify."}, "replaces": {old}, "days": {"14"}})
	if st := b.statementOf(edit); st.Replaces != old {
		t.Fatalf("the new version's statement replaces %q", st.Replaces)
	}
	if !b.noticeShown(old) || b.noticeShown(edit) {
		t.Fatal("before the new version is published, the old one must be shown and the new one not")
	}
	// One operator's signatures (two keys) change nothing.
	b.approveNotice(edit, "ana")
	b.approveNotice(edit, "ana#2")
	if !b.noticeShown(old) {
		t.Fatal("the old version left after one operator signed the new one")
	}
	b.approveNotice(edit, "ned")
	b.senderPublishes(edit)
	if b.noticeShown(old) || !b.noticeShown(edit) {
		t.Error("after the new version is published, only it must be shown")
	}
	if r := b.get(nil, "/notices/"+old); r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/notices/"+edit {
		t.Errorf("the old notice's page: %d %s", r.StatusCode, r.Header.Get("Location"))
	}
	if home := b.get(nil, "/"); !strings.Contains(home.body, "/notices/"+edit) {
		t.Error("the new version does not head the home page")
	}
	if seen := b.auditCount(); seen["notice.edit"] != 1 {
		t.Errorf("audit %v", seen)
	}
	// The replaced notice cannot be edited again; a draft cannot be edited.
	r := admin.post("/console/notices", url.Values{"title_en": {"x"}, "body_en": {"y"}, "replaces": {old}})
	wantStatus(t, r, http.StatusBadRequest)
	if !strings.Contains(r.text(), "already replaced or withdrew it: edit that one") {
		t.Errorf("editing a replaced notice: %.2000s", r.text())
	}
	draft := b.draftNotice(admin, url.Values{"title_en": {"draft"}, "body_en": {"y"}})
	wantStatus(t, admin.post("/console/notices", url.Values{"title_en": {"x"}, "body_en": {"y"}, "replaces": {draft}}), http.StatusBadRequest)
	// Only an administrator edits.
	disp := b.login("bo", "dispatcher")
	wantStatus(t, disp.post("/console/notices", url.Values{"title_en": {"x"}, "body_en": {"y"}, "replaces": {edit}}), http.StatusForbidden)
}

var noticeLocRE = regexp.MustCompile(`^/console/notices#notice-([a-z0-9]+)$`)

// A withdrawal is a signed notice in the log: one phished administrator
// cannot take a genuine notice down, a database writer cannot either, and
// every operator is alarmed when one is drafted.
func TestNoticeWithdrawal(t *testing.T) {
	b := setupSigned(t, b0withLog)
	admin := b.login("ana", "admin")
	id := b.publishedNotice(admin, url.Values{"title_en": {"Fake texts"}, "title_es": {"Mensajes falsos"}, "body_en": {"We did not send them."}})

	// Only administrators.
	disp := b.login("bo", "dispatcher")
	wantStatus(t, disp.get("/console/notices/"+id+"/withdraw"), http.StatusForbidden)
	wantStatus(t, disp.post("/console/notices/"+id+"/withdraw", url.Values{"reason_en": {"x"}}), http.StatusForbidden)

	page := admin.get("/console/notices/" + id + "/withdraw")
	wantStatus(t, page, http.StatusOK)
	if !strings.Contains(page.body, `id="withdraw-form"`) {
		t.Fatalf("no withdrawal form: %.2000s", page.body)
	}
	wantStatus(t, admin.post("/console/notices/"+id+"/withdraw", url.Values{"reason_en": {""}}), http.StatusBadRequest)

	r := admin.post("/console/notices/"+id+"/withdraw", url.Values{"reason_en": {"It named the wrong date."}, "reason_es": {"Tenía la fecha equivocada."}})
	m := noticeLocRE.FindStringSubmatch(r.Header.Get("Location"))
	if r.StatusCode != http.StatusSeeOther || m == nil {
		t.Fatalf("withdraw: %s", describe(r))
	}
	w := m[1]
	st := b.statementOf(w)
	if st.Withdraws != id || st.Titles["en"] != "Withdrawn: Fake texts" || st.Bodies["en"] != "It named the wrong date." {
		t.Errorf("withdrawal statement %+v", st)
	}
	if ev := b.securityEvents("notice.withdrawal"); len(ev) != 1 || ev[0].Severity != "high" || ev[0].Subject != id {
		t.Errorf("notice.withdrawal events %+v", ev)
	}
	if seen := b.auditCount(); seen["notice.withdraw"] != 1 {
		t.Errorf("audit %v", seen)
	}

	// One phished administrator, with both of their keys: still shown.
	b.approveNotice(w, "ana")
	b.approveNotice(w, "ana#2")
	if !b.noticeShown(id) {
		t.Fatal("one administrator's signatures took the notice down")
	}
	// A database writer who marks the withdrawal published (and even gets
	// it into the log): still shown, and the forgery raises notice.tampered.
	b.forcePublish(w)
	if !b.noticeShown(id) {
		t.Fatal("a withdrawal forced into the database took the notice down")
	}
	if len(b.securityEvents("notice.tampered")) == 0 {
		t.Error("the forced withdrawal raised no notice.tampered")
	}

	// A genuine withdrawal, signed by two operators and in the log.
	b2 := setupSigned(t, b0withLog)
	admin2 := b2.login("ana", "admin")
	id2 := b2.publishedNotice(admin2, url.Values{"title_en": {"Fake texts"}, "body_en": {"We did not send them."}})
	r = admin2.post("/console/notices/"+id2+"/withdraw", url.Values{"reason_en": {"It named the wrong date."}})
	w2 := noticeLocRE.FindStringSubmatch(r.Header.Get("Location"))[1]
	b2.approveNotice(w2, "ana")
	b2.approveNotice(w2, "ned")
	b2.senderPublishes(w2)
	if b2.noticeShown(id2) {
		t.Error("a published withdrawal left the notice shown")
	}
	list := b2.get(nil, "/notices")
	if !strings.Contains(list.text(), "Withdrawn: Fake texts") || !strings.Contains(list.text(), "It named the wrong date.") {
		t.Error("the withdrawal itself is not public")
	}
	if strings.Contains(b2.get(nil, "/").body, `id="incident-notice"`) {
		t.Error("a withdrawal heads the home page")
	}
	// Nothing withdrawn is offered for editing.
	if page := admin2.get("/console/notices"); strings.Contains(page.body, "/console/notices/"+id2+"/withdraw") || strings.Contains(page.body, "/console/notices/"+w2+"/withdraw") {
		t.Error("a withdrawn notice or a withdrawal is offered for withdrawal")
	}
}
