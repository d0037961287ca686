package api

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base32"
	"encoding/binary"
	"math/rand/v2"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/tocsin/tocsin"
	"github.com/tocsin/tocsin/internal/auth"
	"github.com/tocsin/tocsin/internal/geo"
	"github.com/tocsin/tocsin/internal/store"
	"github.com/tocsin/tocsin/internal/web/webkit"
)

// apiQueueReport is one report of GET /api/v1/reports, the keyed feed of
// the report queue for partner networks (scope reports:read).
type apiQueueReport struct {
	ID          string    `json:"id"`
	Category    string    `json:"category"`
	Description string    `json:"description"`
	Place       string    `json:"place,omitempty"`
	ZIP         string    `json:"zip,omitempty"`
	Lat         float64   `json:"lat"`
	Lon         float64   `json:"lon"`
	ObservedAt  time.Time `json:"observed_at"`
	ReceivedAt  time.Time `json:"received_at"`
	State       string    `json:"state"`
}

// Queue serves the report queue of the last 48 hours to a holder of an
// API key. A canary key gets phony reports of the same shape, and raises an
// event; so does a key from the decoy files.
func (s *Handler) Queue(w http.ResponseWriter, r *http.Request) {
	key, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	key = strings.TrimSpace(key)
	if !ok || !auth.ValidAPIKeyForm(key) {
		w.Header().Set("WWW-Authenticate", `Bearer realm="tocsin"`)
		s.WriteJSONError(w, r, tocsin.Errorf(tocsin.EUNAUTHORIZED, "send an API key: Authorization: Bearer tsk_…"))
		return
	}
	if key == s.CanaryCreds().APIKey { // watchCredentials raised the event
		s.phonyQueue(w, r, key)
		return
	}
	k, err := s.st.GetAPIKeyByHash(r.Context(), auth.HashToken(key))
	if err != nil || !k.RevokedAt.IsZero() || k.Scope != tocsin.APIScopeReportsRead {
		if err != nil && tocsin.ErrorCode(err) != tocsin.ENOTFOUND {
			s.WriteJSONError(w, r, err)
			return
		}
		w.Header().Set("WWW-Authenticate", `Bearer realm="tocsin", error="invalid_token"`)
		s.WriteJSONError(w, r, tocsin.Errorf(tocsin.EUNAUTHORIZED, "this API key is not valid"))
		return
	}
	if err := s.st.TouchAPIKey(r.Context(), k.ID, s.Now()); err != nil {
		s.Log.Error("touch API key", "err", err)
	}
	if k.Canary {
		// Operators plant canary keys where only someone inside would look:
		// its use is critical, and freezes outbound (rule canary-credential).
		s.BaitEvent(r.Context(), r, "canary.apikey", store.SeverityCritical, k.Name+" ("+k.ID+")", "a canary API key was used on "+r.URL.Path)
		s.phonyQueue(w, r, key)
		return
	}
	s.Auditf(r.Context(), "api:"+k.ID, "api.reports.read", "", "")
	reports, err := s.st.ListReports(r.Context(), store.ReportFilter{States: []tocsin.ReportState{tocsin.ReportNew, tocsin.ReportVerified},
		Since: s.Now().Add(-48 * time.Hour), Limit: 200})
	if err != nil {
		s.WriteJSONError(w, r, err)
		return
	}
	out := make([]apiQueueReport, 0, len(reports))
	for _, rp := range reports {
		c := geo.CellCenter(rp.Cell)
		out = append(out, apiQueueReport{ID: rp.ID, Category: string(rp.Category), Description: rp.Description, Place: rp.PlaceText, ZIP: rp.ZIP,
			Lat: round6(c.Lat), Lon: round6(c.Lon), ObservedAt: rp.ObservedAt.UTC(), ReceivedAt: rp.ReceivedAt.UTC(), State: string(rp.State)})
	}
	slices.SortFunc(out, func(a, b apiQueueReport) int { return b.ReceivedAt.Compare(a.ReceivedAt) })
	webkit.WriteJSON(w, http.StatusOK, map[string]any{"reports": out})
}

func round6(f float64) float64 { return float64(int64(f*1e6)) / 1e6 }

// phonyZIPs are where phony reports are placed: ZIP codes of a large
// metropolitan area, nothing to do with any real report.
var phonyZIPs = []string{"90001", "90011", "90022", "90033", "90044", "90063", "91331", "91402", "90255", "90280", "90201", "90262"}

var phonyTexts = map[tocsin.Category][]string{
	tocsin.CategoryCheckpoint: {"Checkpoint with two marked SUVs, officers checking IDs of drivers.", "Cars stopped one by one at the intersection, agents in vests."},
	tocsin.CategoryRaid:       {"Agents entered the car wash, workers taken outside.", "Several unmarked vans outside the garment factory loading dock."},
	tocsin.CategoryVehicle:    {"Unmarked white van with tinted windows circling the block.", "Grey sedan with government plates parked near the school."},
	tocsin.CategoryDetention:  {"Man detained outside the hardware store, put in a black SUV.", "Two people detained at the bus stop, taken away."},
	tocsin.CategoryOther:      {"People in plain clothes asking questions at the laundromat.", "Helicopter circling low for twenty minutes."},
}

var phonyPlaces = []string{"near the laundromat", "by the bus stop", "outside the market", "at the corner by the school", "in the parking lot", ""}

// phonyQueue answers with a plausible queue made up for this key, in the
// real answer's form, with nothing real in it. Each hour of the last 36
// holds 0 to 2 made-up reports drawn from the key and that hour alone, so a
// report keeps its id, place and times from one call to the next, new ones
// appear as time passes and old ones leave, as in a live queue.
func (s *Handler) phonyQueue(w http.ResponseWriter, r *http.Request, key string) {
	now := s.Now().UTC()
	cats := tocsin.Categories()
	var out []apiQueueReport
	for h := 0; h < 36; h++ {
		slot := now.Truncate(time.Hour).Add(-time.Duration(h) * time.Hour)
		m := hmac.New(sha256.New, s.CSRFKey)
		m.Write([]byte("tocsin/phony-queue/v2\x00" + key))
		binary.Write(m, binary.BigEndian, slot.Unix())
		rng := rand.New(rand.NewChaCha8([32]byte(m.Sum(nil))))
		for range rng.IntN(3) {
			received := slot.Add(time.Duration(rng.IntN(60)) * time.Minute)
			zip := phonyZIPs[rng.IntN(len(phonyZIPs))]
			p, ok := s.zips.Lookup(zip)
			cat := cats[rng.IntN(len(cats))]
			texts := phonyTexts[cat]
			idb := make([]byte, 10)
			for i := range idb {
				idb[i] = byte(rng.UintN(256))
			}
			dLat, dLon := (rng.Float64()-0.5)*0.02, (rng.Float64()-0.5)*0.02
			text, place, observed, verified := texts[rng.IntN(len(texts))], phonyPlaces[rng.IntN(len(phonyPlaces))], rng.IntN(20), rng.IntN(3) == 0
			if !ok || received.After(now) {
				continue // drawn all the same, so later draws do not shift
			}
			p.Lat += dLat
			p.Lon += dLon
			c := geo.CellCenter(geo.SnapCell(p))
			state := tocsin.ReportNew
			if verified {
				state = tocsin.ReportVerified
			}
			out = append(out, apiQueueReport{ID: strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(idb)),
				Category: string(cat), Description: text, Place: place, ZIP: zip,
				Lat: round6(c.Lat), Lon: round6(c.Lon), ObservedAt: received.Add(-time.Duration(observed) * time.Minute), ReceivedAt: received, State: string(state)})
		}
	}
	slices.SortFunc(out, func(a, b apiQueueReport) int { return b.ReceivedAt.Compare(a.ReceivedAt) })
	webkit.WriteJSON(w, http.StatusOK, map[string]any{"reports": out})
}
