package consoleadmin

import (
	"net/http"
	"slices"

	"github.com/tocsin/tocsin"
	"github.com/tocsin/tocsin/internal/auth"
	"github.com/tocsin/tocsin/internal/web/webkit"
)

// canariesData is the console's view of the bait: never a canary key
// itself (shown once, at creation), and no canary subscriber (only the
// sender knows them).
type canariesData struct {
	Keys      []tocsin.APIKey
	Operators []tocsin.Operator
	Decoys    []decoyHits
	NewKey    string // a key just created, shown once
	CanWrite  bool
}

type decoyHits struct {
	Path string
	Hits int
}

// Canaries lists the bait and, for administrators, creates more.
func (s *Handler) Canaries(w http.ResponseWriter, r *http.Request) {
	s.renderCanaries(w, r, s.ConsolePage(r, "canaries.title"), "")
}

func (s *Handler) renderCanaries(w http.ResponseWriter, r *http.Request, p *webkit.Page, newKey string) {
	if !webkit.Can(r, auth.ManageOperators) {
		s.Forbidden(w, r, auth.ManageOperators)
		return
	}
	ctx := r.Context()
	d := canariesData{NewKey: newKey, CanWrite: true}
	keys, err := s.st.ListAPIKeys(ctx)
	if err != nil {
		s.Log.Error("list API keys", "err", err)
		http.Error(w, "The canaries could not be read; try again.", http.StatusInternalServerError)
		return
	}
	for _, k := range keys {
		if k.Canary {
			d.Keys = append(d.Keys, k)
		}
	}
	ops, err := s.st.ListOperators(ctx)
	if err != nil {
		s.Log.Error("list operators", "err", err)
		http.Error(w, "The canaries could not be read; try again.", http.StatusInternalServerError)
		return
	}
	for _, o := range ops {
		if o.Canary {
			d.Operators = append(d.Operators, o)
		}
	}
	hits := map[string]int{}
	if evs, err := s.st.ListSecurityEvents(ctx, 1000); err == nil {
		for _, e := range evs {
			if e.Kind == "canary.url" {
				hits[e.Subject]++
			}
		}
	}
	paths := slices.Clone(s.decoys)
	slices.Sort(paths)
	for _, path := range paths {
		d.Decoys = append(d.Decoys, decoyHits{path, hits[path]})
	}
	p.Data = d
	s.Render(w, r, http.StatusOK, "canaries", p)
}

// CreateCanary makes a canary API key or operator account from the console.
func (s *Handler) CreateCanary(w http.ResponseWriter, r *http.Request) {
	p := s.ConsolePage(r, "canaries.title")
	if !webkit.Can(r, auth.ManageOperators) {
		s.Forbidden(w, r, auth.ManageOperators)
		return
	}
	actor := webkit.CurrentOperator(r).Username
	switch r.PostFormValue("kind") {
	case "apikey":
		key, err := NewAPIKey(r.Context(), s.st, actor, r.PostFormValue("name"), true, s.Now())
		if err != nil {
			p.Error = tocsin.ErrorMessage(err)
			s.renderCanaries(w, r, p, "")
			return
		}
		s.renderCanaries(w, r, p, key)
	case "operator":
		role := r.PostFormValue("role")
		if role == "" {
			role = "admin"
		}
		if err := NewCanaryOperator(r.Context(), s.st, actor, r.PostFormValue("name"), role, s.Now()); err != nil {
			p.Error = tocsin.ErrorMessage(err)
			s.renderCanaries(w, r, p, "")
			return
		}
		http.Redirect(w, r, "/console/canaries", http.StatusSeeOther)
	default:
		p.Error = "Choose what to create: an API key or an operator account."
		s.renderCanaries(w, r, p, "")
	}
}
