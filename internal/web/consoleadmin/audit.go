package consoleadmin

import (
	"net/http"
	"strings"

	"github.com/tocsin/tocsin"
	"github.com/tocsin/tocsin/internal/auth"
	"github.com/tocsin/tocsin/internal/web/webkit"
)

type auditData struct {
	Entries []tocsin.AuditEntry
	Filter  string
	LogSize uint64
	LogText string // the latest checkpoint as signed
}

// AuditTrail shows the audit trail, newest first, filtered by action or
// actor, and the state of the transparency log.
func (s *Handler) AuditTrail(w http.ResponseWriter, r *http.Request) {
	p := s.ConsolePage(r, "audit.title")
	if !webkit.Can(r, auth.ViewQueue) {
		s.Forbidden(w, r, auth.ViewQueue)
		return
	}
	ctx := r.Context()
	all, err := s.st.ListAudit(ctx, 1000)
	if err != nil {
		s.FormError(w, r, p, "audit", err)
		return
	}
	d := auditData{Filter: strings.TrimSpace(r.URL.Query().Get("q"))}
	for _, e := range all {
		if d.Filter == "" || strings.Contains(e.Action, d.Filter) || strings.Contains(e.Actor, d.Filter) || strings.Contains(e.Subject, d.Filter) {
			d.Entries = append(d.Entries, e)
		}
		if len(d.Entries) == 300 {
			break
		}
	}
	if size, signed, err := s.st.LatestCheckpoint(ctx); err == nil {
		d.LogSize, d.LogText = size, string(signed)
	}
	p.Data = d
	s.Render(w, r, http.StatusOK, "audit", p)
}
