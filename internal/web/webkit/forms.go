package webkit

import (
	"net/http"

	"github.com/tocsin/tocsin"
)

// parseForm reads r's form body, at most limit bytes, before a handler uses
// any field. When the body cannot be read it answers and returns false: 413
// for a body over the limit, 400 for one that is not a form, each with a
// page in the visitor's language. Nothing of such a body is used: a form
// read in part would look like one with empty fields (a wrong password, a
// missing CSRF token).
func (s *Kit) ParseForm(w http.ResponseWriter, r *http.Request, limit int64) bool {
	r.Body = http.MaxBytesReader(w, r.Body, limit)
	err := r.ParseForm()
	if err == nil {
		return true
	}
	status, key := http.StatusBadRequest, "formerror.unreadable"
	if tocsin.ErrorCode(BodyError(err)) == tocsin.ETOOLARGE {
		status, key = http.StatusRequestEntityTooLarge, "formerror.toolarge"
	}
	p := s.NewPage(r, key)
	p.Data = p.T(key + ".text")
	s.Render(w, r, status, "formerror", p)
	return false
}
