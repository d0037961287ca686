package webkit

import (
	"context"
	"net/http"
	"time"

	"github.com/tocsin/tocsin"
	"github.com/tocsin/tocsin/internal/auth"
)

// Session lifetimes.
const (
	sessionCookie  = "tocsin_session"
	SessionTTL     = 12 * time.Hour
	PendingMFATTL  = 5 * time.Minute
	EnrolmentTTL   = 72 * time.Hour
	csrfField      = "csrf"
	operatorCtxKey = ctxKey("operator")
)

type ctxKey string

// signedIn is the operator and session of a console request.
type signedIn struct {
	op      *tocsin.Operator
	session *tocsin.Session
}

// SetSessionCookie sets the session cookie for ttl.
func (s *Kit) SetSessionCookie(w http.ResponseWriter, token string, ttl time.Duration) {
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: token, Path: "/", MaxAge: int(ttl.Seconds()),
		HttpOnly: true, Secure: s.Secure, SameSite: http.SameSiteStrictMode})
}

// ClearSessionCookie removes the session cookie.
func (s *Kit) ClearSessionCookie(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, Secure: s.Secure, SameSite: http.SameSiteStrictMode})
}

// session returns the session of the request's cookie, if it is current.
func (s *Kit) Session(r *http.Request) (*tocsin.Session, error) {
	c, err := r.Cookie(sessionCookie)
	if err != nil {
		return nil, tocsin.Errorf(tocsin.EUNAUTHORIZED, "please log in")
	}
	se, err := s.st.GetSession(r.Context(), auth.HashToken(c.Value))
	if err != nil {
		return nil, tocsin.Errorf(tocsin.EUNAUTHORIZED, "please log in")
	}
	if !s.Now().Before(se.ExpiresAt) {
		return nil, tocsin.Errorf(tocsin.EUNAUTHORIZED, "your session has ended; please log in again")
	}
	return se, nil
}

// operator wraps a console handler: it needs a session that passed the
// second factor, and a CSRF token bound to that session on every POST.
func (s *Kit) RequireOperator(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		se, err := s.Session(r)
		if err != nil || !se.MFA {
			http.Redirect(w, r, "/console/login", http.StatusSeeOther)
			return
		}
		op, err := s.st.GetOperator(r.Context(), se.OperatorID)
		if err != nil {
			http.Redirect(w, r, "/console/login", http.StatusSeeOther)
			return
		}
		if r.Method == http.MethodPost {
			if !s.ParseForm(w, r, MaxBody) {
				return
			}
			if !auth.CheckCSRF(s.CSRFKey, se.TokenHash, r.PostFormValue(csrfField)) {
				s.Auditf(r.Context(), op.Username, "security.csrf", r.Pattern, "form post without a valid CSRF token")
				p := s.NewPage(r, "expired.title")
				p.Operator, p.CSRF = op, auth.CSRFToken(s.CSRFKey, se.TokenHash)
				p.Data = p.T("expired.text")
				s.Render(w, r, http.StatusForbidden, "forbidden", p)
				return
			}
		}
		ctx := context.WithValue(r.Context(), operatorCtxKey, &signedIn{op: op, session: se})
		next(w, r.WithContext(ctx))
	}
}

// consolePage starts a console page for the signed-in operator.
func (s *Kit) ConsolePage(r *http.Request, titleKey string) *Page {
	p := s.NewPage(r, titleKey)
	if si, ok := r.Context().Value(operatorCtxKey).(*signedIn); ok {
		p.Operator = si.op
		p.CSRF = auth.CSRFToken(s.CSRFKey, si.session.TokenHash)
		if st, err := s.FreezeNow(r.Context()); err == nil {
			p.Freeze = &st
		} else {
			s.Log.Error("freeze state", "err", err)
		}
	}
	return p
}

// CurrentOperator is the operator of a console request, nil outside one.
func CurrentOperator(r *http.Request) *tocsin.Operator {
	si, _ := r.Context().Value(operatorCtxKey).(*signedIn)
	if si == nil {
		return nil
	}
	return si.op
}

// Can reports whether the signed-in operator's role allows a.
func Can(r *http.Request, a auth.Action) bool {
	op := CurrentOperator(r)
	if op == nil {
		return false
	}
	role, err := auth.ParseRole(op.Role)
	return err == nil && role.Can(a)
}

// auditf appends to the audit trail; a failure is logged, never shown.
func (s *Kit) Auditf(ctx context.Context, actor, action, subject, detail string) {
	e := &tocsin.AuditEntry{At: s.Now(), Actor: actor, Action: action, Subject: subject, Detail: detail}
	if err := s.st.AppendAudit(ctx, e); err != nil {
		s.Log.Error("audit append failed", "action", action, "err", err)
	}
}

// CurrentSession is the session of a console request, nil outside one.
func CurrentSession(r *http.Request) *tocsin.Session {
	si, _ := r.Context().Value(operatorCtxKey).(*signedIn)
	if si == nil {
		return nil
	}
	return si.session
}
