package bait

import (
	"net/http"

	"github.com/tocsin/tocsin/internal/store"
)

// WatchCredentials raises an event for any request that presents a
// credential from the decoy files, whatever it asks for: someone fetched a
// decoy and is trying what it holds. The decoys are served to anyone, so
// this is an alarm (high), never a trigger that freezes outbound messaging:
// otherwise anyone could stop the alerts with two requests. The request
// then goes on as any other with a credential that does not work.
func (s *Handler) WatchCredentials(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if what := s.CanaryCredential(r); what != "" {
			s.BaitEvent(r.Context(), r, "canary.decoy_credential", store.SeverityHigh, what,
				"a credential from a decoy file was used: someone fetched a decoy and is trying what it holds")
		}
		next.ServeHTTP(w, r)
	})
}
