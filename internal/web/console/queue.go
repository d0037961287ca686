package console

import (
	"net/http"
	"time"

	"github.com/tocsin/tocsin"
	"github.com/tocsin/tocsin/internal/auth"
	"github.com/tocsin/tocsin/internal/geo"
	"github.com/tocsin/tocsin/internal/store"
	"github.com/tocsin/tocsin/internal/web/webkit"
)

// Corroboration: reports this close in space and time count for each other.
const (
	nearbyM      = 1000
	nearbyWindow = 2 * time.Hour
)

// queuedReport is a report in the queue with the reports that corroborate it.
type queuedReport struct {
	tocsin.Report
	Nearby []string // ids of reports close in space and time
	Place  reportPlace
}

type queueData struct {
	Reports []queuedReport
	States  []tocsin.ReportState
	Filter  string
}

// Queue shows reports newest first, each with its nearby reports.
func (s *Handler) Queue(w http.ResponseWriter, r *http.Request) {
	p := s.ConsolePage(r, "queue.title")
	f := store.ReportFilter{Limit: 200, Since: s.Now().Add(-48 * time.Hour)}
	filter := r.URL.Query().Get("state")
	if st := tocsin.ReportState(filter); st.Valid() {
		f.States = []tocsin.ReportState{st}
	}
	reports, err := s.st.ListReports(r.Context(), f)
	if err != nil {
		s.FormError(w, r, p, "queue", err)
		return
	}
	queued := groupNearby(reports)
	for i := range queued {
		queued[i].Place = s.placeOfReport(&queued[i].Report)
	}
	p.Data = queueData{Reports: queued, States: tocsin.ReportStates(), Filter: filter}
	s.Render(w, r, http.StatusOK, "queue", p)
}

// groupNearby finds, for each report, the others within nearbyM and
// nearbyWindow. The queue holds at most a few hundred reports.
func groupNearby(rs []tocsin.Report) []queuedReport {
	out := make([]queuedReport, len(rs))
	for i, a := range rs {
		out[i].Report = a
		pa := geo.CellCenter(a.Cell)
		for j, b := range rs {
			if i == j || b.State == tocsin.ReportFalse {
				continue
			}
			dt := a.ObservedAt.Sub(b.ObservedAt)
			if dt < 0 {
				dt = -dt
			}
			if dt <= nearbyWindow && geo.DistanceMeters(pa, geo.CellCenter(b.Cell)) <= nearbyM {
				out[i].Nearby = append(out[i].Nearby, b.ID)
			}
		}
	}
	return out
}

// ReportPhoto serves a report's photo to the console.
func (s *Handler) ReportPhoto(w http.ResponseWriter, r *http.Request) {
	rep, err := s.st.GetReport(r.Context(), r.PathValue("id"))
	if err != nil || len(rep.Photo) == 0 {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "image/jpeg")
	w.Header().Set("Cache-Control", "private, no-store")
	w.Write(rep.Photo)
}

// SetReportState moves a report through triage.
func (s *Handler) SetReportState(w http.ResponseWriter, r *http.Request) {
	op := webkit.CurrentOperator(r)
	if !webkit.Can(r, auth.TriageReports) {
		s.Forbidden(w, r, auth.TriageReports)
		return
	}
	st := tocsin.ReportState(r.PostFormValue("state"))
	id := r.PathValue("id")
	if !st.Valid() {
		http.Error(w, "Unknown report state.", http.StatusBadRequest)
		return
	}
	if err := s.st.SetReportState(r.Context(), id, st); err != nil {
		http.Error(w, tocsin.ErrorMessage(err), webkit.StatusOf(tocsin.ErrorCode(err)))
		return
	}
	s.Auditf(r.Context(), op.Username, "report.state", id, string(st))
	http.Redirect(w, r, "/console", http.StatusSeeOther)
}
