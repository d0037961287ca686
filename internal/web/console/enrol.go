package console

import (
	"bytes"
	"encoding/base64"
	"html/template"
	"image/png"
	"net/http"

	"github.com/pquerna/otp"

	"github.com/tocsin/tocsin"
	"github.com/tocsin/tocsin/internal/auth"
	"github.com/tocsin/tocsin/internal/store"
	"github.com/tocsin/tocsin/internal/web/webkit"
)

type enrolData struct {
	Username string
	Secret   string
	QR       template.URL // data: URL of a PNG the server drew itself
}

// enrolment loads the link's enrolment and operator, offering a TOTP secret
// the first time the link is opened.
func (s *Handler) enrolment(r *http.Request) (*tocsin.Enrolment, *tocsin.Operator, error) {
	ctx := r.Context()
	e, err := s.st.GetEnrolment(ctx, auth.HashToken(r.PathValue("token")))
	if err != nil || !s.Now().Before(e.ExpiresAt) {
		return nil, nil, tocsin.Errorf(tocsin.ENOTFOUND, "enrolment link not found or expired")
	}
	op, err := s.st.GetOperator(ctx, e.OperatorID)
	if err != nil {
		return nil, nil, err
	}
	if e.TOTPSecret == "" {
		secret, _, err := auth.NewTOTP(s.Name, op.Username)
		if err != nil {
			return nil, nil, err
		}
		if err := s.st.SetEnrolmentSecret(ctx, e.TokenHash, secret); err != nil {
			return nil, nil, err
		}
		e.TOTPSecret = secret
	}
	return e, op, nil
}

func (s *Handler) enrolPage(r *http.Request, op *tocsin.Operator, e *tocsin.Enrolment) *webkit.Page {
	p := s.NewPage(r, "enrol.title")
	d := enrolData{Username: op.Username, Secret: e.TOTPSecret}
	key, err := otp.NewKeyFromURL("otpauth://totp/" + s.Name + ":" + op.Username + "?secret=" + e.TOTPSecret + "&issuer=" + s.Name)
	if err == nil {
		if img, err := key.Image(220, 220); err == nil {
			var buf bytes.Buffer
			if png.Encode(&buf, img) == nil {
				d.QR = template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(buf.Bytes()))
			}
		}
	}
	p.Data = d
	return p
}

// EnrolForm shows an enrolment link's form: the TOTP secret and a password.
func (s *Handler) EnrolForm(w http.ResponseWriter, r *http.Request) {
	e, op, err := s.enrolment(r)
	if err != nil {
		s.NotFound(w, r)
		return
	}
	s.Render(w, r, http.StatusOK, "enrol", s.enrolPage(r, op, e))
}

// EnrolSubmit sets the password and proves the authenticator works before
// the link is consumed.
func (s *Handler) EnrolSubmit(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	e, op, err := s.enrolment(r)
	if err != nil {
		s.NotFound(w, r)
		return
	}
	p := s.enrolPage(r, op, e)
	if !s.ParseForm(w, r, webkit.MaxBody) {
		return
	}
	pw := r.PostFormValue("password")
	if pw != r.PostFormValue("password2") {
		s.FormError(w, r, p, "enrol", tocsin.FieldError("password2", "the two passwords differ"))
		return
	}
	hash, err := auth.HashPassword(pw, auth.DefaultParams())
	if err != nil {
		s.FormError(w, r, p, "enrol", tocsin.FieldError("password", "%s", err.Error()))
		return
	}
	step, ok := auth.CheckTOTP(e.TOTPSecret, r.PostFormValue("code"), s.Now(), 0)
	if !ok {
		s.FormError(w, r, p, "enrol", tocsin.FieldError("code", "that code is not right; check the time on your phone and try the newest code"))
		return
	}
	op.PasswordHash, op.TOTPSecret, op.TOTPLastStep, op.Enrolled = hash, e.TOTPSecret, step, true
	// The operator has just proved both factors (the password they chose
	// and a code of the authenticator), so the session starts here: sent
	// to the login page, they would wait up to 30 s for a code newer than
	// the one enrolment spent.
	token, tokenHash := auth.NewToken()
	err = s.st.InWebTx(ctx, func(q store.WebQuerier) error {
		if err := q.UpdateOperator(ctx, op); err != nil {
			return err
		}
		if err := q.DeleteEnrolment(ctx, e.TokenHash); err != nil {
			return err
		}
		return q.CreateSession(ctx, &tocsin.Session{TokenHash: tokenHash, OperatorID: op.ID, MFA: true, ExpiresAt: s.Now().Add(webkit.SessionTTL)})
	})
	if err != nil {
		s.FormError(w, r, p, "enrol", err)
		return
	}
	s.Auditf(ctx, op.Username, "operator.enrolled", op.Username, "")
	s.Auditf(ctx, op.Username, "login.ok", "", "at enrolment")
	s.SetSessionCookie(w, token, webkit.SessionTTL)
	http.Redirect(w, r, "/console", http.StatusSeeOther)
}
