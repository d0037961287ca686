package public

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/tocsin/tocsin"
	"github.com/tocsin/tocsin/internal/geo"
	"github.com/tocsin/tocsin/internal/photo"
	"github.com/tocsin/tocsin/internal/web/abuse"
	"github.com/tocsin/tocsin/internal/web/webkit"
)

// MaxReportForm bounds a report form post, photo included.
const MaxReportForm = photo.DefaultMaxBytes + 256<<10

// createReport resolves the place of validated input to a coarse cell,
// lets admit decide whether the caller may add a report there, and stores
// the report. Nothing about the request is kept.
func (s *Handler) createReport(ctx context.Context, in tocsin.ReportInput, admit gate) (*tocsin.Report, error) {
	now := s.Now()
	if err := in.Validate(now); err != nil {
		return nil, err
	}
	var p geo.Point
	if in.Lat != nil {
		p = geo.Point{Lat: *in.Lat, Lon: *in.Lon}
	} else {
		var ok bool
		if p, ok = s.cfg.ZIPs.Lookup(in.ZIP); !ok {
			return nil, tocsin.FieldError("zip", "ZIP code %s is not known", in.ZIP)
		}
	}
	if err := admit(ctx, p); err != nil {
		return nil, err
	}
	r := tocsin.NewReport(in, geo.SnapCell(p), now)
	if err := s.cfg.Store.CreateReport(ctx, r); err != nil {
		return nil, err
	}
	return r, nil
}

// apiReport is the JSON body of POST /api/v1/reports.
type apiReport struct {
	Category    string     `json:"category"`
	Description string     `json:"description"`
	ZIP         string     `json:"zip"`
	Lat         *float64   `json:"lat"`
	Lon         *float64   `json:"lon"`
	Place       string     `json:"place"`
	ObservedAt  *time.Time `json:"observed_at"`
}

// CreateReport takes a report as JSON (POST /api/v1/reports).
func (s *Handler) CreateReport(w http.ResponseWriter, r *http.Request) {
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		s.WriteJSONError(w, r, tocsin.Errorf(tocsin.EINVALID, "send the report as JSON with Content-Type: application/json"))
		return
	}
	admit, canary, err := s.apiReportGate(r)
	if err != nil {
		s.WriteJSONError(w, r, err)
		return
	}
	var body apiReport
	if err := webkit.DecodeJSON(w, r, &body, "observed_at"); err != nil {
		s.WriteJSONError(w, r, err)
		return
	}
	in := tocsin.ReportInput{Category: tocsin.Category(body.Category), Description: body.Description, ZIP: body.ZIP,
		Lat: body.Lat, Lon: body.Lon, PlaceText: body.Place, ObservedAt: body.ObservedAt, Source: tocsin.SourceAPI}
	if canary { // answered as if taken; nothing is stored
		if err := in.Validate(s.Now()); err != nil {
			s.WriteJSONError(w, r, err)
			return
		}
		rep := tocsin.NewReport(in, 0, s.Now())
		webkit.WriteJSON(w, http.StatusCreated, map[string]any{"id": rep.ID, "state": rep.State, "expires_at": rep.ExpiresAt})
		return
	}
	rep, err := s.createReport(r.Context(), in, admit)
	if e, ok := abuse.IsPoW(err); ok {
		s.writePoW(w, e)
		return
	}
	if err != nil {
		s.WriteJSONError(w, r, err)
		return
	}
	webkit.WriteJSON(w, http.StatusCreated, map[string]any{"id": rep.ID, "state": rep.State, "expires_at": rep.ExpiresAt})
}

// reportFormData is what the report form shows again after an error.
type reportFormData struct {
	Categories []tocsin.Category
	Category   string
	ZIP        string
	Lat, Lon   string
	Place      string
	Desc       string
	Ago        string
	Done       bool
}

// ReportForm shows the report form.
func (s *Handler) ReportForm(w http.ResponseWriter, r *http.Request) {
	p := s.NewPage(r, "report.title")
	p.Data = reportFormData{Categories: tocsin.Categories(), Done: r.URL.Query().Get("sent") == "1"}
	s.carryPoW(p, abuse.KindReport)
	s.Render(w, r, http.StatusOK, "report", p)
}

// ReportSubmit handles the form, which works without JavaScript.
func (s *Handler) ReportSubmit(w http.ResponseWriter, r *http.Request) {
	p := s.NewPage(r, "report.title")
	r.Body = http.MaxBytesReader(w, r.Body, MaxReportForm)
	// Every field is read before any is used: a form read in part would
	// look like one with empty fields.
	up, err := readReportForm(r)
	if err != nil {
		status, key := http.StatusBadRequest, "formerror.unreadable.text"
		if errors.Is(err, errReportForm) || tocsin.ErrorCode(webkit.BodyError(err)) == tocsin.ETOOLARGE {
			status, key = http.StatusRequestEntityTooLarge, "report.toolarge"
		}
		p.Error = p.T(key)
		p.Data = reportFormData{Categories: tocsin.Categories()}
		s.Render(w, r, status, "report", p)
		return
	}
	d := reportFormData{Categories: tocsin.Categories(), Category: r.FormValue("category"), ZIP: r.FormValue("zip"),
		Lat: r.FormValue("lat"), Lon: r.FormValue("lon"), Place: r.FormValue("place"), Desc: r.FormValue("description"), Ago: r.FormValue("ago")}
	p.Data = d
	in, err := s.formReport(d, up)
	if err == nil {
		_, err = s.createReport(r.Context(), in, s.reportGate(r.FormValue(powField)))
	}
	if e, ok := abuse.IsPoW(err); ok {
		if in.Photo != nil { // a browser cannot send a file field again by itself
			p.Errors["photo"] = p.T("pow.photo")
		}
		s.askFormPoW(w, r, p, "report", e, in.Photo == nil)
		return
	}
	if err != nil {
		if tocsin.ErrorCode(err) == tocsin.EINTERNAL {
			s.Log.Error("report form", "err", err)
		}
		if f := tocsin.ErrorField(err); f != "" {
			p.Errors[f] = tocsin.ErrorMessage(err)
			p.Error = p.T("form.fix")
		} else {
			p.Error = tocsin.ErrorMessage(err) // a limit: nothing to fix in the form
		}
		s.Render(w, r, webkit.StatusOf(tocsin.ErrorCode(err)), "report", p)
		return
	}
	http.Redirect(w, r, "/report?sent=1", http.StatusSeeOther)
}

// formReport turns form fields and the sanitised photo into report input.
func (s *Handler) formReport(d reportFormData, up reportUpload) (tocsin.ReportInput, error) {
	in := tocsin.ReportInput{Category: tocsin.Category(d.Category), Description: d.Desc, ZIP: d.ZIP, PlaceText: d.Place, Source: tocsin.SourceWeb}
	if d.Lat != "" || d.Lon != "" {
		lat, err1 := strconv.ParseFloat(strings.TrimSpace(d.Lat), 64)
		lon, err2 := strconv.ParseFloat(strings.TrimSpace(d.Lon), 64)
		if err1 != nil || err2 != nil {
			return in, tocsin.FieldError("lat", "the location is not a pair of numbers")
		}
		in.Lat, in.Lon = &lat, &lon
	}
	if d.Ago != "" {
		mins, err := strconv.Atoi(d.Ago)
		if err != nil || mins < 0 || mins > 24*60 {
			return in, tocsin.FieldError("observed_at", "choose when you saw it")
		}
		t := s.Now().Add(-time.Duration(mins) * time.Minute)
		in.ObservedAt = &t
	}
	if up.err != nil {
		return in, photoError(up.err)
	}
	in.Photo = up.photo
	return in, nil
}
