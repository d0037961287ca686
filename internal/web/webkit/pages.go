package webkit

import (
	"net/http"

	"github.com/tocsin/tocsin"
	"github.com/tocsin/tocsin/internal/auth"
)

// forbidden answers an action the operator's role does not allow with a
// console page in the operator's language that says who may do it.
func (s *Kit) Forbidden(w http.ResponseWriter, r *http.Request, a auth.Action) {
	p := s.ConsolePage(r, "forbidden.title")
	switch a {
	case auth.TriageReports:
		p.Data = p.T("forbidden.triage")
	case auth.ComposeAlert:
		p.Data = p.T("forbidden.compose")
	case auth.Freeze:
		p.Data = p.T("forbidden.freeze")
	case auth.ManageOperators:
		p.Data = p.T("forbidden.admin")
	default:
		p.Data = p.T("forbidden.other")
	}
	s.Render(w, r, http.StatusForbidden, "forbidden", p)
}

// formError shows a page again with the error next to its field.
func (s *Kit) FormError(w http.ResponseWriter, r *http.Request, p *Page, name string, err error) {
	if tocsin.ErrorCode(err) == tocsin.EINTERNAL {
		s.Log.Error("form", "page", name, "err", err)
	}
	if f := tocsin.ErrorField(err); f != "" {
		p.Errors[f] = tocsin.ErrorMessage(err)
		p.Error = p.T("form.fix")
	} else {
		p.Error = tocsin.ErrorMessage(err)
	}
	s.Render(w, r, StatusOf(tocsin.ErrorCode(err)), name, p)
}

// NotFound answers with the not-found page.
func (s *Kit) NotFound(w http.ResponseWriter, r *http.Request) {
	p := s.NewPage(r, "notfound.title")
	s.Render(w, r, http.StatusNotFound, "notfound", p)
}
