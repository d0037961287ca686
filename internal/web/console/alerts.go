package console

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/tocsin/tocsin"
	"github.com/tocsin/tocsin/internal/auth"
	"github.com/tocsin/tocsin/internal/geo"
	"github.com/tocsin/tocsin/internal/smstext"
	"github.com/tocsin/tocsin/internal/trust"
	"github.com/tocsin/tocsin/internal/web/webkit"
)

type composeData struct {
	BodyEN, BodyES         string
	ZIPs, Lat, Lon, Radius string
	TTL                    string
	Confirmed, AllClear    bool
	ReportIDs              []string
	Preview                bool
	Recipients             int
	Reference              string // the last line every text gets (for the live counter)
	ReferenceES            string // the same in Spanish
	SegEN, SegES           smstext.Info
	GSMEN, GSMES           string // GSM-7 versions offered when the text forces UCS-2
	Ref                    string // the reference code the previewed texts end with, kept when saved
	RefToken               string // Ref with the server's MAC, for the form (refToken)
	Texts                  []textPreview
}

// textPreview is one text exactly as the statement holds it, so as it is
// signed and sent, and who receives it.
type textPreview struct {
	Lang       string // "en", "es"
	Text       string
	Info       smstext.Info
	Recipients int // subscribers of this language, and of languages without a text of their own
	Others     int // of Recipients, those of another language
}

// alertRow is an alert in the console list, with who has signed it.
type alertRow struct {
	tocsin.Alert
	Digest  string
	Signers []string
	Need    int
}

type alertListData struct {
	Alerts  []alertRow
	BaseURL string
}

// AlertList lists the alerts, newest first.
func (s *Handler) AlertList(w http.ResponseWriter, r *http.Request) {
	p := s.ConsolePage(r, "alerts.title")
	ctx := r.Context()
	as, err := s.st.ListAlerts(ctx, nil, 100)
	if err != nil {
		s.FormError(w, r, p, "alerts", err)
		return
	}
	ros, err := s.Roster(ctx)
	if err != nil {
		s.FormError(w, r, p, "alerts", err)
		return
	}
	d := alertListData{BaseURL: s.BaseURL}
	for _, a := range as {
		row := alertRow{Alert: a}
		if st, err := trust.DecodeStatement(a.Statement); err == nil {
			dg := st.Digest()
			row.Digest = fmt.Sprintf("%x", dg[:8])
			if ros != nil {
				approvals, err := s.st.ListApprovals(ctx, a.ID)
				if err != nil {
					s.FormError(w, r, p, "alerts", err)
					return
				}
				v, _ := trust.CheckApprovals(ros, st, st.MaxRecipients, webkit.Approvals(approvals))
				row.Signers, row.Need = v.Signers, v.Need
			}
		}
		d.Alerts = append(d.Alerts, row)
	}
	p.Data = d
	s.Render(w, r, http.StatusOK, "alerts", p)
}

// ComposeForm starts an alert, filled in from the reports chosen in the queue.
func (s *Handler) ComposeForm(w http.ResponseWriter, r *http.Request) {
	if !webkit.Can(r, auth.ComposeAlert) {
		s.Forbidden(w, r, auth.ComposeAlert)
		return
	}
	p := s.ConsolePage(r, "compose.title")
	d := composeData{TTL: "120", Reference: s.sampleReference(false), ReferenceES: s.sampleReference(true)}
	var gpsCells []uint64
	for _, id := range r.URL.Query()["report"] {
		rep, err := s.st.GetReport(r.Context(), id)
		if err != nil {
			continue
		}
		d.ReportIDs = append(d.ReportIDs, rep.ID)
		d.Confirmed = d.Confirmed || rep.State == tocsin.ReportVerified
		if rep.ZIP != "" && !strings.Contains(d.ZIPs, rep.ZIP) {
			d.ZIPs = strings.TrimSpace(d.ZIPs + " " + rep.ZIP)
		}
		if rep.ZIP == "" {
			gpsCells = append(gpsCells, rep.Cell)
		}
		if d.BodyEN == "" {
			d.BodyEN = fmt.Sprintf("%s reported near %s.", strings.ToUpper(string(rep.Category[:1]))+string(rep.Category[1:]), s.placeOfReport(rep).placeName())
		}
	}
	d.Lat, d.Lon, d.Radius = circleAround(gpsCells)
	p.Data = d
	s.Render(w, r, http.StatusOK, "compose", p)
}

// ComposeSubmit previews (recipient count, segments) or saves a draft.
func (s *Handler) ComposeSubmit(w http.ResponseWriter, r *http.Request) {
	p := s.ConsolePage(r, "compose.title")
	op := webkit.CurrentOperator(r)
	if !webkit.Can(r, auth.ComposeAlert) {
		s.Forbidden(w, r, auth.ComposeAlert)
		return
	}
	d := composeData{BodyEN: r.PostFormValue("body_en"), BodyES: r.PostFormValue("body_es"), ZIPs: r.PostFormValue("zips"),
		Lat: r.PostFormValue("lat"), Lon: r.PostFormValue("lon"), Radius: r.PostFormValue("radius"), TTL: r.PostFormValue("ttl"),
		Confirmed: r.PostFormValue("confirmed") == "1", AllClear: r.PostFormValue("all_clear") == "1", ReportIDs: r.PostForm["report"]}
	// Count what the phone receives: the label, the text and the reference.
	kind := tocsin.Alert{Confirmed: d.Confirmed, AllClear: d.AllClear, VerifyURL: s.VerifyURL(), Ref: strings.Repeat("X", tocsin.AlertRefLen)}
	framed := func(spanish bool, body string) string {
		return kind.Label(spanish) + " " + body + "\n" + kind.Reference(spanish)
	}
	d.SegEN, d.SegES = smstext.Analyze(framed(false, d.BodyEN)), smstext.Analyze(framed(true, d.BodyES))
	if d.SegEN.Encoding == smstext.UCS2 {
		d.GSMEN, _ = smstext.ToGSM(d.BodyEN)
	}
	if d.SegES.Encoding == smstext.UCS2 {
		d.GSMES, _ = smstext.ToGSM(d.BodyES)
	}
	d.Reference, d.ReferenceES = s.sampleReference(false), s.sampleReference(true)
	p.Data = &d
	in, err := s.alertInput(d)
	if err != nil {
		s.FormError(w, r, p, "compose", err)
		return
	}
	rs, err := s.audience.Resolve(r.Context(), s.st, in.Area)
	if err != nil {
		s.FormError(w, r, p, "compose", err)
		return
	}
	d.Recipients = len(rs)
	d.Ref = s.keptRef(r.Context(), r.PostFormValue("ref"))
	d.RefToken = s.refToken(d.Ref)
	now := s.Now()
	a := &tocsin.Alert{ID: tocsin.NewID(), Ref: d.Ref, State: tocsin.AlertDraft, Confirmed: in.Confirmed, AllClear: in.AllClear,
		BodyEN: in.BodyEN, BodyES: in.BodyES, Area: in.Area, ReportIDs: in.ReportIDs, CreatedBy: op.Username, CreatedAt: now.Truncate(time.Second), ValidUntil: now.Add(in.TTL).Truncate(time.Second),
		VerifyURL: s.VerifyURL()}
	st := trust.StatementOf(a, s.audience.StatementCells(in.Area), trust.AudienceBound(d.Recipients))
	if r.PostFormValue("action") != "save" {
		if d.Texts, err = s.previewTexts(r.Context(), st, rs); err != nil {
			s.FormError(w, r, p, "compose", err)
			return
		}
		d.Preview = true
		s.Render(w, r, http.StatusOK, "compose", p)
		return
	}
	if a.Statement, err = st.Encode(); err != nil {
		s.FormError(w, r, p, "compose", tocsin.Errorf(tocsin.EINVALID, "this alert cannot be signed: %v", err))
		return
	}
	if err := s.st.CreateAlert(r.Context(), a); err != nil {
		s.FormError(w, r, p, "compose", err)
		return
	}
	s.Auditf(r.Context(), op.Username, "alert.create", a.ID, fmt.Sprintf("%d recipients at preview", d.Recipients))
	http.Redirect(w, r, "/console/alerts", http.StatusSeeOther)
}

// keptRef is the reference code a preview showed, when the form carries it
// as this server wrote it (refToken) and it is still free, or a new one: the
// saved alert ends with the code its preview showed. A code the operator
// typed is never used, so no one can give an alert the code of a fake text
// already going round.
func (s *Handler) keptRef(ctx context.Context, token string) string {
	ref, _, _ := strings.Cut(token, ".")
	if len(ref) != tocsin.AlertRefLen || strings.Trim(ref, tocsin.AlertRefAlphabet) != "" || !hmac.Equal([]byte(token), []byte(s.refToken(ref))) {
		return tocsin.NewAlertRef()
	}
	if _, err := s.st.GetAlertByRef(ctx, ref); tocsin.ErrorCode(err) != tocsin.ENOTFOUND {
		return tocsin.NewAlertRef()
	}
	return ref
}

// refToken is a reference code with this server's MAC, as the compose form
// carries it from the preview to the saving.
func (s *Handler) refToken(ref string) string {
	m := hmac.New(sha256.New, s.CSRFKey)
	m.Write([]byte("tocsin/alert-ref/v1\x00" + ref))
	return ref + "." + hex.EncodeToString(m.Sum(nil)[:16])
}

// previewTexts lists the statement's texts, each with its encoding,
// segments and recipients, counted by the rule the sender sends by.
func (s *Handler) previewTexts(ctx context.Context, st *trust.Statement, rs []tocsin.Recipient) ([]textPreview, error) {
	ids := make([]int64, len(rs))
	for i, r := range rs {
		ids[i] = r.SubscriberID
	}
	langs, err := s.st.SubscriberLangs(ctx, ids)
	if err != nil {
		return nil, err
	}
	var out []textPreview
	for _, l := range []tocsin.Language{tocsin.English, tocsin.Spanish} {
		text, ok := st.Texts[string(l)]
		if !ok {
			continue
		}
		tp := textPreview{Lang: string(l), Text: text, Info: smstext.Analyze(text)}
		for sl, n := range langs {
			if st.TextLang(sl) == tp.Lang {
				tp.Recipients += n
				if sl != l {
					tp.Others += n
				}
			}
		}
		out = append(out, tp)
	}
	return out, nil
}

// sampleReference is the last line of a text, with a placeholder code.
func (s *Handler) sampleReference(spanish bool) string {
	a := tocsin.Alert{VerifyURL: s.VerifyURL(), Ref: strings.Repeat("X", tocsin.AlertRefLen)}
	return a.Reference(spanish)
}

func (s *Handler) alertInput(d composeData) (tocsin.AlertInput, error) {
	in := tocsin.AlertInput{BodyEN: d.BodyEN, BodyES: d.BodyES, Confirmed: d.Confirmed, AllClear: d.AllClear, ReportIDs: d.ReportIDs}
	mins, err := strconv.Atoi(strings.TrimSpace(d.TTL))
	if err != nil || mins <= 0 {
		return in, tocsin.FieldError("ttl", "give how many minutes the alert stays valid")
	}
	in.TTL = time.Duration(mins) * time.Minute
	area, err := webkit.ParseArea(s.zips, d.ZIPs, d.Lat, d.Lon, d.Radius, tocsin.MaxAlertZIPs)
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
