package public

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"

	"github.com/tocsin/tocsin"
	"github.com/tocsin/tocsin/internal/auth"
	"github.com/tocsin/tocsin/internal/geo"
	"github.com/tocsin/tocsin/internal/store"
	"github.com/tocsin/tocsin/internal/web/abuse"
	"github.com/tocsin/tocsin/internal/web/webkit"
)

// powField is the form field, and PoWHeader the API header, that carry a
// proof of work: ALTCHA's payload, base64 of JSON.
const (
	powField  = "altcha"
	PoWHeader = "X-Tocsin-PoW"
)

// gate decides whether a request may store what it brings at place p.
type gate func(ctx context.Context, p geo.Point) error

// reportGate is the gate of an anonymous report: the bucket of its area,
// then the service-wide one or a proof of work.
func (s *Handler) reportGate(solution string) gate {
	return func(ctx context.Context, p geo.Point) error {
		area := abuse.Hourly(abuse.AreaKey(abuse.KindReport, p), s.limits.Limits().ReportsPerAreaPerHour)
		return s.limits.Admit(ctx, abuse.KindReport, []store.Bucket{area}, solution)
	}
}

// keyGate is the gate of a partner API key: a bucket of the key's own,
// instead of the service-wide limit and the proof of work.
func (s *Handler) keyGate(k *tocsin.APIKey) gate {
	return func(ctx context.Context, _ geo.Point) error {
		now := s.Now()
		per := s.limits.Limits().APIKeyReportsPerHour
		empty, err := s.cfg.Store.TakeTokens(ctx, []store.Bucket{abuse.Hourly("apikey:"+k.ID, per)}, now)
		if err != nil {
			return err
		}
		if empty >= 0 {
			s.limits.CountRefusal(ctx, abuse.RefusedAPIKey, now)
			return tocsin.Errorf(tocsin.ETOOMANY, "this API key has sent its %d reports of the last hour; try again in a few minutes", per)
		}
		return nil
	}
}

// apiReportGate picks the gate of POST /api/v1/reports: a partner key's
// when the request carries one, the anonymous one otherwise. canary is
// true for a canary or decoy key: the request is answered as if taken and
// nothing is stored (the event is raised here or by watchCredentials).
func (s *Handler) apiReportGate(r *http.Request) (g gate, canary bool, err error) {
	h := r.Header.Get("Authorization")
	if h == "" {
		return s.reportGate(r.Header.Get(PoWHeader)), false, nil
	}
	key, ok := strings.CutPrefix(h, "Bearer ")
	key = strings.TrimSpace(key)
	if !ok || !auth.ValidAPIKeyForm(key) {
		return nil, false, tocsin.Errorf(tocsin.EUNAUTHORIZED, "send an API key as Authorization: Bearer tsk_…, or no Authorization header")
	}
	if key == s.CanaryCreds().APIKey {
		return nil, true, nil
	}
	k, err := s.cfg.Store.GetAPIKeyByHash(r.Context(), auth.HashToken(key))
	if tocsin.ErrorCode(err) == tocsin.ENOTFOUND || (err == nil && !k.RevokedAt.IsZero()) {
		return nil, false, tocsin.Errorf(tocsin.EUNAUTHORIZED, "this API key is not valid")
	}
	if err != nil {
		return nil, false, err
	}
	if k.Canary {
		s.BaitEvent(r.Context(), r, "canary.apikey", store.SeverityCritical, k.Name+" ("+k.ID+")", "a canary API key was used on "+r.URL.Path)
		return nil, true, nil
	}
	if err := s.cfg.Store.TouchAPIKey(r.Context(), k.ID, s.Now()); err != nil {
		s.Log.Error("touch API key", "err", err)
	}
	return s.keyGate(k), false, nil
}

// powAnswer is the JSON body that asks an API client for a proof of work.
type powAnswer struct {
	Error     string `json:"error"`
	Code      string `json:"code"`
	Challenge any    `json:"challenge"`
}

// writePoW answers 429 with a challenge: solve it and send the request
// again with the payload in the X-Tocsin-PoW header.
func (s *Handler) writePoW(w http.ResponseWriter, e *abuse.ErrPoW) {
	msg := "many requests are arriving right now: solve the proof-of-work challenge and send the request again with the solution in the " + PoWHeader + " header (docs/operations.md, \"Abuse limits\")"
	if e.Why != "" {
		msg = "the proof of work was not accepted (forged, wrong, expired or used already): " + msg
	}
	w.Header().Set("Retry-After", "0")
	webkit.WriteJSON(w, http.StatusTooManyRequests, powAnswer{Error: msg, Code: "pow_required", Challenge: e.Challenge})
}

// Challenge serves a fresh challenge (GET /api/v1/challenge), in the
// form ALTCHA's widget takes from its challenge URL.
func (s *Handler) Challenge(w http.ResponseWriter, r *http.Request) {
	c, err := s.limits.NewChallenge()
	if err != nil {
		s.WriteJSONError(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	webkit.WriteJSON(w, http.StatusOK, c)
}

// carryPoW puts a challenge in a form while this replica is under load of
// kind, so that the solution is ready when the form is sent.
func (s *Handler) carryPoW(p *webkit.Page, kind string) {
	if !s.limits.UnderLoad(kind) {
		return
	}
	c, err := s.limits.NewChallenge()
	if err != nil {
		s.Log.Error("proof-of-work challenge", "err", err)
		return
	}
	b, _ := json.Marshal(c)
	p.PoW = &webkit.PoWPrompt{Challenge: string(b)}
}

// askFormPoW shows the form again, everything kept, with a challenge and a
// word on why; pow.js solves it and sends the form again if submit.
func (s *Handler) askFormPoW(w http.ResponseWriter, r *http.Request, p *webkit.Page, name string, e *abuse.ErrPoW, submit bool) {
	b, _ := json.Marshal(e.Challenge)
	p.PoW = &webkit.PoWPrompt{Challenge: string(b), Asked: true, Refused: e.Why != "", Submit: submit}
	s.Render(w, r, http.StatusTooManyRequests, name, p)
}
