package consoleadmin

import (
	"net/http"
	"time"

	"github.com/tocsin/tocsin/internal/web/abuse"
)

// limitKinds are the kinds of refusal the console explains, in its order.
var limitKinds = []struct{ kind, what string }{
	{"signup:global", "limits.signup.global"},
	{"signup:cell", "limits.signup.cell"},
	{"signup:prefix", "limits.signup.prefix"},
	{"report:global", "limits.report.global"},
	{"report:cell", "limits.report.cell"},
	{"code:global", "limits.code.global"},
	{"code:cell", "limits.code.cell"},
	{abuse.RefusedAPIKey, "limits.apikey"},
	{abuse.RefusedPoWBad, "limits.pow.refused"},
	{abuse.RefusedPoWReplay, "limits.pow.replayed"},
}

// limitRow is one kind of limit and what it held back.
type limitRow struct {
	Kind, What     string
	LastHour, Last int64 // the current hour; the last 24 hours
}

type limitsData struct {
	Rows   []limitRow
	Limits abuse.Limits
	Load   []string // kinds for which this replica asks a proof of work now
}

// Limits shows what the abuse limits held back: nothing over a limit
// is dropped without a count here.
func (s *Handler) Limits(w http.ResponseWriter, r *http.Request) {
	p := s.ConsolePage(r, "limits.title")
	now := s.Now()
	s.limits.FlushRefusals(r.Context(), now)
	counts, err := s.st.Refusals(r.Context(), now.Add(-23*time.Hour))
	if err != nil {
		s.FormError(w, r, p, "limits", err)
		return
	}
	d := limitsData{Limits: s.limits.Limits()}
	index := map[string]int{}
	for _, k := range limitKinds {
		index[k.kind] = len(d.Rows)
		d.Rows = append(d.Rows, limitRow{Kind: k.kind, What: p.T(k.what)})
	}
	for _, c := range counts {
		i, ok := index[c.Kind]
		if !ok {
			index[c.Kind] = len(d.Rows)
			i = len(d.Rows)
			d.Rows = append(d.Rows, limitRow{Kind: c.Kind})
		}
		d.Rows[i].Last += c.N
		if c.Hour.Equal(now.Truncate(time.Hour)) {
			d.Rows[i].LastHour += c.N
		}
	}
	for _, k := range []string{abuse.KindSignup, abuse.KindReport, abuse.KindCode} {
		if s.limits.UnderLoad(k) {
			d.Load = append(d.Load, k)
		}
	}
	p.Data = d
	s.Render(w, r, http.StatusOK, "limits", p)
}
