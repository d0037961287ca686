package web

import (
	"net/http"

	"github.com/tocsin/tocsin/internal/auth"
)

// forbidden answers an action the operator's role does not allow with a
// console page in the operator's language that says who may do it.
func (s *Server) forbidden(w http.ResponseWriter, r *http.Request, a auth.Action) {
	p := s.consolePage(r, "forbidden.title")
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
	s.render(w, r, http.StatusForbidden, "forbidden", p)
}
