package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/tocsin/tocsin"
	"github.com/tocsin/tocsin/internal/auth"
	"github.com/tocsin/tocsin/internal/store"
)

func (s *Server) loginForm(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusOK, "login", s.newPage(r, "login.title"))
}

// loginSubmit checks the password. It leads only to the second-factor step:
// a pending session can do nothing else.
func (s *Server) loginSubmit(w http.ResponseWriter, r *http.Request) {
	p := s.newPage(r, "login.title")
	if !s.parseForm(w, r, MaxBody) {
		return
	}
	ctx := r.Context()
	name := strings.TrimSpace(r.PostFormValue("username"))
	pw := r.PostFormValue("password")
	now := s.cfg.Now()
	op, err := s.cfg.Store.GetOperatorByName(ctx, name)
	if err == nil && op.Canary {
		// A decoy account: its password is random and known to nobody, so
		// it never logs in; it goes the way of any wrong password (the same
		// answer, timing and lock-out), and raises the alarm.
		s.baitEvent(ctx, r, "canary.login", store.SeverityHigh, name, "someone tried to log in as a canary operator account")
	}
	if err != nil || !op.Enrolled {
		auth.DummyVerify(pw)
		s.auditf(ctx, "public", "login.fail", "", "unknown operator")
		s.formError(w, r, p, "login", tocsin.Errorf(tocsin.EUNAUTHORIZED, "%s", p.T("login.bad")))
		return
	}
	if until, locked := auth.Locked(op.Failures, op.LastFailure, now); locked {
		s.auditf(ctx, op.Username, "login.locked", "", "")
		s.formError(w, r, p, "login", tocsin.Errorf(tocsin.ETOOMANY, "%s %s", p.T("login.locked"), until.Sub(now).Round(time.Second)))
		return
	}
	if ok, err := auth.VerifyPassword(pw, op.PasswordHash); err != nil || !ok {
		s.loginFailed(ctx, op, "password")
		s.formError(w, r, p, "login", tocsin.Errorf(tocsin.EUNAUTHORIZED, "%s", p.T("login.bad")))
		return
	}
	token, hash := auth.NewToken()
	if err := s.cfg.Store.CreateSession(ctx, &tocsin.Session{TokenHash: hash, OperatorID: op.ID, ExpiresAt: now.Add(pendingMFATTL)}); err != nil {
		s.formError(w, r, p, "login", err)
		return
	}
	s.setSessionCookie(w, token, pendingMFATTL)
	http.Redirect(w, r, "/console/login/code", http.StatusSeeOther)
}

func (s *Server) loginFailed(ctx context.Context, op *tocsin.Operator, what string) {
	n, err := s.cfg.Store.CountLoginFailure(ctx, op.ID, s.cfg.Now())
	if err != nil {
		s.cfg.Log.Error("record login failure", "err", err)
	}
	op.Failures = n
	s.auditf(ctx, op.Username, "login.fail", "", fmt.Sprintf("wrong %s (failure %d)", what, op.Failures))
}

func (s *Server) totpForm(w http.ResponseWriter, r *http.Request) {
	if se, err := s.session(r); err != nil || se.MFA {
		http.Redirect(w, r, "/console/login", http.StatusSeeOther)
		return
	}
	s.render(w, r, http.StatusOK, "totp", s.newPage(r, "login.title"))
}

// totpSubmit checks the second factor and swaps the pending session for a
// full one under a new token.
func (s *Server) totpSubmit(w http.ResponseWriter, r *http.Request) {
	p := s.newPage(r, "login.title")
	if !s.parseForm(w, r, MaxBody) {
		return
	}
	ctx := r.Context()
	now := s.cfg.Now()
	se, err := s.session(r)
	if err != nil || se.MFA {
		http.Redirect(w, r, "/console/login", http.StatusSeeOther)
		return
	}
	op, err := s.cfg.Store.GetOperator(ctx, se.OperatorID)
	if err != nil {
		http.Redirect(w, r, "/console/login", http.StatusSeeOther)
		return
	}
	if until, locked := auth.Locked(op.Failures, op.LastFailure, now); locked {
		s.formError(w, r, p, "totp", tocsin.Errorf(tocsin.ETOOMANY, "%s %s", p.T("login.locked"), until.Sub(now).Round(time.Second)))
		return
	}
	step, ok := auth.CheckTOTP(op.TOTPSecret, r.PostFormValue("code"), now, op.TOTPLastStep)
	if !ok {
		s.loginFailed(ctx, op, "second-factor code")
		s.formError(w, r, p, "totp", tocsin.FieldError("code", "%s", p.T("login.badcode")))
		return
	}
	op.TOTPLastStep, op.Failures, op.LastFailure = step, 0, time.Time{}
	token, hash := auth.NewToken()
	err = s.cfg.Store.InTx(ctx, func(q storeQuerier) error {
		// Check the step again inside the transaction: two requests with the
		// same code must not both pass.
		fresh, err := q.GetOperator(ctx, op.ID)
		if err != nil {
			return err
		}
		if step <= fresh.TOTPLastStep {
			return errTOTPReplay
		}
		if err := q.UpdateOperator(ctx, op); err != nil {
			return err
		}
		if err := q.DeleteSession(ctx, se.TokenHash); err != nil {
			return err
		}
		return q.CreateSession(ctx, &tocsin.Session{TokenHash: hash, OperatorID: op.ID, MFA: true, ExpiresAt: now.Add(sessionTTL)})
	})
	if errors.Is(err, errTOTPReplay) {
		s.loginFailed(ctx, op, "second-factor code (reused)")
		s.formError(w, r, p, "totp", tocsin.FieldError("code", "%s", p.T("login.badcode")))
		return
	}
	if err != nil {
		s.formError(w, r, p, "totp", err)
		return
	}
	s.auditf(ctx, op.Username, "login.ok", "", "")
	s.setSessionCookie(w, token, sessionTTL)
	http.Redirect(w, r, "/console", http.StatusSeeOther)
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request) {
	if si, ok := r.Context().Value(operatorCtxKey).(*signedIn); ok {
		if err := s.cfg.Store.DeleteSession(r.Context(), si.session.TokenHash); err != nil {
			s.cfg.Log.Error("logout", "err", err)
		}
		s.auditf(r.Context(), si.op.Username, "logout", "", "")
	}
	s.clearSessionCookie(w)
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

// errTOTPReplay: the code's step was used by another request meanwhile.
var errTOTPReplay = errors.New("TOTP step already used")
