package web_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/tocsin/tocsin"
)

func TestAuditPage(t *testing.T) {
	b := setup(t)
	for _, a := range []string{"alert.approve", "report.state", "login.fail"} {
		if err := b.st.AppendAudit(t.Context(), &tocsin.AuditEntry{At: time.Now(), Actor: "ana", Action: a, Detail: "<b>x</b>"}); err != nil {
			t.Fatal(err)
		}
	}
	wantRedirect(t, b.get(nil, "/console/audit"), "/console/login")
	c := b.login("vic", "viewer")
	r := c.get("/console/audit")
	wantStatus(t, r, http.StatusOK)
	if strings.Count(r.body, `class="audit-entry"`) < 3 || strings.Contains(r.body, "<b>x</b>") {
		t.Errorf("audit page lists %d entries or does not escape", strings.Count(r.body, `class="audit-entry"`))
	}
	r = c.get("/console/audit?q=report.state")
	if n := strings.Count(r.body, `class="audit-entry"`); n != 1 {
		t.Errorf("filtered page lists %d entries, want 1", n)
	}
}
