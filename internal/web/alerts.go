package web

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/tocsin/tocsin"
	"github.com/tocsin/tocsin/internal/auth"
	"github.com/tocsin/tocsin/internal/geo"
	"github.com/tocsin/tocsin/internal/smstext"
)

type composeData struct {
	BodyEN, BodyES         string
	ZIPs, Lat, Lon, Radius string
	TTL                    string
	Confirmed, AllClear    bool
	ReportIDs              []string
	Preview                bool
	Recipients             int
	SegEN, SegES           smstext.Info
	GSMEN, GSMES           string // GSM-7 versions offered when the text forces UCS-2
}

func (s *Server) alertList(w http.ResponseWriter, r *http.Request) {
	p := s.consolePage(r, "alerts.title")
	as, err := s.cfg.Store.ListAlerts(r.Context(), nil, 100)
	if err != nil {
		s.formError(w, r, p, "alerts", err)
		return
	}
	p.Data = as
	s.render(w, r, http.StatusOK, "alerts", p)
}

// composeForm starts an alert, filled in from the reports chosen in the queue.
func (s *Server) composeForm(w http.ResponseWriter, r *http.Request) {
	p := s.consolePage(r, "compose.title")
	d := composeData{TTL: "120"}
	for _, id := range r.URL.Query()["report"] {
		rep, err := s.cfg.Store.GetReport(r.Context(), id)
		if err != nil {
			continue
		}
		d.ReportIDs = append(d.ReportIDs, rep.ID)
		d.Confirmed = d.Confirmed || rep.State == tocsin.ReportVerified
		if rep.ZIP != "" && !strings.Contains(d.ZIPs, rep.ZIP) {
			d.ZIPs = strings.TrimSpace(d.ZIPs + " " + rep.ZIP)
		}
		if d.BodyEN == "" {
			d.BodyEN = fmt.Sprintf("%s reported near %s.", strings.ToUpper(string(rep.Category[:1]))+string(rep.Category[1:]), placeOf(rep))
		}
	}
	p.Data = d
	s.render(w, r, http.StatusOK, "compose", p)
}

func placeOf(r *tocsin.Report) string {
	switch {
	case r.PlaceText != "" && r.ZIP != "":
		return r.PlaceText + " (" + r.ZIP + ")"
	case r.PlaceText != "":
		return r.PlaceText
	default:
		return r.ZIP
	}
}

// composeSubmit previews (recipient count, segments) or saves a draft.
func (s *Server) composeSubmit(w http.ResponseWriter, r *http.Request) {
	p := s.consolePage(r, "compose.title")
	op := currentOperator(r)
	if !can(r, auth.ComposeAlert) {
		http.Error(w, "Your role cannot compose alerts.", http.StatusForbidden)
		return
	}
	d := composeData{BodyEN: r.PostFormValue("body_en"), BodyES: r.PostFormValue("body_es"), ZIPs: r.PostFormValue("zips"),
		Lat: r.PostFormValue("lat"), Lon: r.PostFormValue("lon"), Radius: r.PostFormValue("radius"), TTL: r.PostFormValue("ttl"),
		Confirmed: r.PostFormValue("confirmed") == "1", AllClear: r.PostFormValue("all_clear") == "1", ReportIDs: r.PostForm["report"]}
	// Count what the phone receives: the label, the text and the reference.
	kind := tocsin.Alert{Confirmed: d.Confirmed, AllClear: d.AllClear}
	framed := func(spanish bool, body string) string {
		return kind.Label(spanish) + " " + body + "\nRef " + strings.Repeat("X", tocsin.AlertRefLen)
	}
	d.SegEN, d.SegES = smstext.Analyze(framed(false, d.BodyEN)), smstext.Analyze(framed(true, d.BodyES))
	if d.SegEN.Encoding == smstext.UCS2 {
		d.GSMEN, _ = smstext.ToGSM(d.BodyEN)
	}
	if d.SegES.Encoding == smstext.UCS2 {
		d.GSMES, _ = smstext.ToGSM(d.BodyES)
	}
	p.Data = &d
	in, err := s.alertInput(d)
	if err != nil {
		s.formError(w, r, p, "compose", err)
		return
	}
	rs, err := s.audience.Resolve(r.Context(), s.cfg.Store, in.Area)
	if err != nil {
		s.formError(w, r, p, "compose", err)
		return
	}
	d.Recipients = len(rs)
	if r.PostFormValue("action") != "save" {
		d.Preview = true
		s.render(w, r, http.StatusOK, "compose", p)
		return
	}
	now := s.cfg.Now()
	a := &tocsin.Alert{ID: tocsin.NewID(), Ref: tocsin.NewAlertRef(), State: tocsin.AlertDraft, Confirmed: in.Confirmed, AllClear: in.AllClear,
		BodyEN: in.BodyEN, BodyES: in.BodyES, Area: in.Area, ReportIDs: in.ReportIDs, CreatedBy: op.Username, CreatedAt: now, ValidUntil: now.Add(in.TTL)}
	if err := s.cfg.Store.CreateAlert(r.Context(), a); err != nil {
		s.formError(w, r, p, "compose", err)
		return
	}
	s.auditf(r.Context(), op.Username, "alert.create", a.ID, fmt.Sprintf("%d recipients at preview", d.Recipients))
	http.Redirect(w, r, "/console/alerts", http.StatusSeeOther)
}

func (s *Server) alertInput(d composeData) (tocsin.AlertInput, error) {
	in := tocsin.AlertInput{BodyEN: d.BodyEN, BodyES: d.BodyES, Confirmed: d.Confirmed, AllClear: d.AllClear, ReportIDs: d.ReportIDs}
	mins, err := strconv.Atoi(strings.TrimSpace(d.TTL))
	if err != nil || mins <= 0 {
		return in, tocsin.FieldError("ttl", "give how many minutes the alert stays valid")
	}
	in.TTL = time.Duration(mins) * time.Minute
	area, err := s.parseArea(d.ZIPs, d.Lat, d.Lon, d.Radius, tocsin.MaxAlertZIPs)
	if err != nil {
		return in, err
	}
	in.Area = area
	if err := in.Validate(); err != nil {
		return in, err
	}
	if c := in.Area.Circle; c != nil {
		if err := (geo.Point{Lat: c.Lat, Lon: c.Lon}).Validate(); err != nil {
			return in, tocsin.FieldError("lat", "%s", err.Error())
		}
	}
	return in, nil
}

// approveAlert approves a draft for sending. In this version one approval
// by an operator whose role may send is enough; the sender picks it up.
func (s *Server) approveAlert(w http.ResponseWriter, r *http.Request) {
	op := currentOperator(r)
	if !can(r, auth.SendAlert) {
		http.Error(w, "Your role cannot send alerts.", http.StatusForbidden)
		return
	}
	id := r.PathValue("id")
	if err := s.cfg.Store.ApproveAlert(r.Context(), id, op.Username, s.cfg.Now()); err != nil {
		http.Error(w, tocsin.ErrorMessage(err), statusOf(tocsin.ErrorCode(err)))
		return
	}
	s.auditf(r.Context(), op.Username, "alert.approve", id, "")
	s.cfg.Wake()
	http.Redirect(w, r, "/console/alerts", http.StatusSeeOther)
}
