package console

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/netip"
	"strings"
	"time"

	"github.com/tocsin/tocsin"
	"github.com/tocsin/tocsin/internal/auth"
	"github.com/tocsin/tocsin/internal/store"
	"github.com/tocsin/tocsin/internal/web/webkit"
)

// Logging in (docs/operations.md#logging-in). Failures delay the network
// source they come from (sourceThrottle), never the account: a stranger
// cannot shut an operator out. An account with many password failures from
// any sources asks for the password and the code in one step instead
// (auth.UnderAttack), and wrong codes, which only someone who knows the
// password can send, back off the account's code step.

// loginData is what the login form needs. It never shows the name back:
// the answer for a canary account must be byte for byte the answer for a
// real one.
type loginData struct {
	AskCode bool // show the code field: the password and code in one step
}

// LoginForm shows the log-in form.
func (s *Handler) LoginForm(w http.ResponseWriter, r *http.Request) {
	p := s.NewPage(r, "login.title")
	p.Data = loginData{}
	s.Render(w, r, http.StatusOK, "login", p)
}

// LoginSubmit checks the password. It leads only to the second-factor step
// (a pending session can do nothing else), unless a code came with the
// password or the account is under attack: then both are checked at once.
func (s *Handler) LoginSubmit(w http.ResponseWriter, r *http.Request) {
	p := s.NewPage(r, "login.title")
	if !s.ParseForm(w, r, webkit.MaxBody) {
		return
	}
	ctx := r.Context()
	name := strings.TrimSpace(r.PostFormValue("username"))
	pw := r.PostFormValue("password")
	code := strings.TrimSpace(r.PostFormValue("code"))
	d := loginData{AskCode: code != ""}
	p.Data = d
	now := s.Now()
	src := s.source(r)
	op, err := s.st.GetOperatorByName(ctx, name)
	known := err == nil && op.Enrolled
	until, n, ok := s.throttle.try(name, src, now)
	if !ok {
		actor := "public"
		if known {
			actor = op.Username
		}
		s.Auditf(ctx, actor, "login.locked", "", "too many failures from this network")
		s.lockedError(w, r, p, "login", until, now)
		return
	}
	if known && op.Canary {
		// A decoy account: its password is random and known to nobody, so
		// it never logs in; it goes the way of any wrong password (the same
		// answer, timing and throttling), and raises the alarm.
		s.BaitEvent(ctx, r, "canary.login", store.SeverityHigh, name, "someone tried to log in as a canary operator account")
	}
	if !known {
		// A name that is no account answers as an account would, also
		// once it is "under attack" (the one-form log-in): otherwise ten
		// wrong passwords would tell real names from made-up ones.
		attacked := s.throttle.unknownUnderAttack(name, now)
		if attacked && code == "" {
			s.throttle.refund(name, src, now)
			p.Data = loginData{AskCode: true}
			s.FormError(w, r, p, "login", tocsin.Errorf(tocsin.EUNAUTHORIZED, "%s", p.T("login.needcode")))
			return
		}
		auth.DummyVerify(pw)
		s.throttle.unknownFailure(name, now)
		s.sourceFailed(ctx, name, n)
		s.Auditf(ctx, "public", "login.fail", "", "unknown operator")
		if attacked {
			p.Data = loginData{AskCode: true}
		}
		s.badLogin(w, r, p, d.AskCode || attacked)
		return
	}
	if d.AskCode || auth.UnderAttack(op.Failures, op.LastFailure, now) {
		p.Data = loginData{AskCode: true}
		s.loginWithCode(w, r, p, op, pw, code, src, n)
		return
	}
	if ok, err := auth.VerifyPassword(pw, op.PasswordHash); err != nil || !ok {
		s.passwordFailed(ctx, op, n)
		s.badLogin(w, r, p, false)
		return
	}
	s.throttle.refund(name, src, now)
	token, hash := auth.NewToken()
	if err := s.st.CreateSession(ctx, &tocsin.Session{TokenHash: hash, OperatorID: op.ID, ExpiresAt: now.Add(webkit.PendingMFATTL)}); err != nil {
		s.FormError(w, r, p, "login", err)
		return
	}
	s.SetSessionCookie(w, token, webkit.PendingMFATTL)
	http.Redirect(w, r, "/console/login/code", http.StatusSeeOther)
}

// loginWithCode checks the password and the code in one step. A wrong
// answer does not say which was wrong, so a guess needs both factors; the
// code step's back-off is checked before either, so its answer says nothing
// about the password either.
func (s *Handler) loginWithCode(w http.ResponseWriter, r *http.Request, p *webkit.Page, op *tocsin.Operator, pw, code string, src netip.Prefix, n int) {
	ctx, now := r.Context(), s.Now()
	if until, locked := auth.Locked(op.CodeFailures, op.LastCodeFailure, now); locked {
		s.throttle.refund(op.Username, src, now)
		s.Auditf(ctx, op.Username, "login.locked", "", "too many wrong codes")
		s.lockedError(w, r, p, "login", until, now)
		return
	}
	if code == "" {
		s.throttle.refund(op.Username, src, now)
		s.FormError(w, r, p, "login", tocsin.Errorf(tocsin.EUNAUTHORIZED, "%s", p.T("login.needcode")))
		return
	}
	if ok, err := auth.VerifyPassword(pw, op.PasswordHash); err != nil || !ok {
		s.passwordFailed(ctx, op, n)
		s.badLogin(w, r, p, true)
		return
	}
	step, ok := auth.CheckTOTP(op.TOTPSecret, code, now, op.TOTPLastStep)
	if !ok {
		s.codeFailed(ctx, op, n, "second-factor code, with the password")
		s.badLogin(w, r, p, true)
		return
	}
	if err := s.finishLogin(w, r, op, step, nil, src); err != nil {
		if errors.Is(err, errTOTPReplay) {
			s.codeFailed(ctx, op, n, "second-factor code (reused), with the password")
			s.badLogin(w, r, p, true)
			return
		}
		s.FormError(w, r, p, "login", err)
	}
}

// badLogin answers a wrong name, password or code.
func (s *Handler) badLogin(w http.ResponseWriter, r *http.Request, p *webkit.Page, withCode bool) {
	key := "login.bad"
	if withCode {
		key = "login.badboth"
	}
	s.FormError(w, r, p, "login", tocsin.Errorf(tocsin.EUNAUTHORIZED, "%s", p.T(key)))
}

func (s *Handler) lockedError(w http.ResponseWriter, r *http.Request, p *webkit.Page, form string, until, now time.Time) {
	s.FormError(w, r, p, form, tocsin.Errorf(tocsin.ETOOMANY, "%s %s", p.T("login.locked"), until.Sub(now).Round(time.Second)))
}

// sourceFailed notes a failed try of a network source against the account
// name, the n-th its throttle counted; the failure that starts its
// back-off raises login.throttled (warning, within the per-minute limit of
// events anyone can cause).
func (s *Handler) sourceFailed(ctx context.Context, name string, n int) {
	if n == auth.FreeFailures {
		s.Securityf(ctx, "login.throttled", name, "%d failed log-ins from one network: that network now waits before each try (others are not affected)", n)
	}
}

// passwordFailed counts a wrong password for the account (the source's
// throttle counted it already, as its n-th). When the account's count
// reaches auth.ManyFailures it is under attack: login.throttled (high)
// says so, once per attack.
func (s *Handler) passwordFailed(ctx context.Context, op *tocsin.Operator, n int) {
	now := s.Now()
	s.sourceFailed(ctx, op.Username, n)
	total, err := s.st.CountLoginFailure(ctx, op.ID, now, now.Add(-auth.FailureWindow))
	if err != nil {
		s.Log.Error("record login failure", "err", err)
	}
	op.Failures, op.LastFailure = total, now
	s.Auditf(ctx, op.Username, "login.fail", "", fmt.Sprintf("wrong password (failure %d in the last hour)", total))
	if total == auth.ManyFailures {
		s.alertEvent(ctx, "login.throttled", op.Username, fmt.Sprintf("%d wrong passwords within an hour, from any networks: this account is under attack. It now asks for the password and the code in one step, so the operator still logs in and a guess needs both factors.", total))
	}
}

// codeFailed counts a wrong second-factor code for the account, whose code
// step then backs off (the source's throttle counted it already, as its
// n-th). Only someone who knows the password gets this far:
// login.code_guessing (high) says so when the back-off starts.
func (s *Handler) codeFailed(ctx context.Context, op *tocsin.Operator, n int, what string) {
	now := s.Now()
	s.sourceFailed(ctx, op.Username, n)
	total, err := s.st.CountCodeFailure(ctx, op.ID, now)
	if err != nil {
		s.Log.Error("record code failure", "err", err)
	}
	op.CodeFailures, op.LastCodeFailure = total, now
	s.Auditf(ctx, op.Username, "login.fail", "", fmt.Sprintf("wrong %s (code failure %d)", what, total))
	if total == auth.FreeFailures {
		s.alertEvent(ctx, "login.code_guessing", op.Username, fmt.Sprintf("%d wrong second-factor codes after the right password: someone who knows this operator's password may be guessing codes. Tell the operator: their password must be replaced, and their code step waits between tries until they log in.", total))
	}
}

// alertEvent records a high security event without network details. Each
// is raised once per attack (when a count reaches its threshold), so no
// flood of them can bury other events.
func (s *Handler) alertEvent(ctx context.Context, kind, subject, detail string) {
	s.Log.Warn("security event", "kind", kind, "severity", store.SeverityHigh, "subject", subject)
	if err := s.st.AddSecurityEvent(ctx, &store.SecurityEvent{At: s.Now(), Kind: kind, Severity: store.SeverityHigh, Subject: subject, Detail: detail}); err != nil {
		s.Log.Error("security event not recorded", "err", err)
		return
	}
	s.Auditf(ctx, "security", "security."+kind, subject, detail)
}

// finishLogin records the code's step, swaps the pending session (if any)
// for a full one under a new token and sends the operator to the console.
func (s *Handler) finishLogin(w http.ResponseWriter, r *http.Request, op *tocsin.Operator, step int64, pending []byte, src netip.Prefix) error {
	ctx, now := r.Context(), s.Now()
	token, hash := auth.NewToken()
	err := s.st.InWebTx(ctx, func(q store.WebQuerier) error {
		// Check the step again inside the transaction: two requests with the
		// same code must not both pass. Counters are read fresh too, so that
		// failures counted meanwhile are not overwritten.
		fresh, err := q.GetOperator(ctx, op.ID)
		if err != nil {
			return err
		}
		if step <= fresh.TOTPLastStep {
			return errTOTPReplay
		}
		fresh.TOTPLastStep, fresh.CodeFailures, fresh.LastCodeFailure = step, 0, time.Time{}
		if err := q.UpdateOperator(ctx, fresh); err != nil {
			return err
		}
		if pending != nil {
			if err := q.DeleteSession(ctx, pending); err != nil {
				return err
			}
		}
		return q.CreateSession(ctx, &tocsin.Session{TokenHash: hash, OperatorID: op.ID, MFA: true, ExpiresAt: now.Add(webkit.SessionTTL)})
	})
	if err != nil {
		return err
	}
	s.throttle.succeeded(op.Username, src, now)
	s.Auditf(ctx, op.Username, "login.ok", "", "")
	s.SetSessionCookie(w, token, webkit.SessionTTL)
	http.Redirect(w, r, "/console", http.StatusSeeOther)
	return nil
}

// TOTPForm asks for the second factor after the password.
func (s *Handler) TOTPForm(w http.ResponseWriter, r *http.Request) {
	if se, err := s.Session(r); err != nil || se.MFA {
		http.Redirect(w, r, "/console/login", http.StatusSeeOther)
		return
	}
	s.Render(w, r, http.StatusOK, "totp", s.NewPage(r, "login.title"))
}

// TOTPSubmit checks the second factor and swaps the pending session for a
// full one under a new token.
func (s *Handler) TOTPSubmit(w http.ResponseWriter, r *http.Request) {
	p := s.NewPage(r, "login.title")
	if !s.ParseForm(w, r, webkit.MaxBody) {
		return
	}
	ctx := r.Context()
	now := s.Now()
	se, err := s.Session(r)
	if err != nil || se.MFA {
		http.Redirect(w, r, "/console/login", http.StatusSeeOther)
		return
	}
	op, err := s.st.GetOperator(ctx, se.OperatorID)
	if err != nil {
		http.Redirect(w, r, "/console/login", http.StatusSeeOther)
		return
	}
	src := s.source(r)
	until, n, ok := s.throttle.try(op.Username, src, now)
	if !ok {
		s.lockedError(w, r, p, "totp", until, now)
		return
	}
	if until, locked := auth.Locked(op.CodeFailures, op.LastCodeFailure, now); locked {
		s.throttle.refund(op.Username, src, now)
		s.lockedError(w, r, p, "totp", until, now)
		return
	}
	step, ok := auth.CheckTOTP(op.TOTPSecret, r.PostFormValue("code"), now, op.TOTPLastStep)
	if !ok {
		s.codeFailed(ctx, op, n, "second-factor code")
		s.FormError(w, r, p, "totp", tocsin.FieldError("code", "%s", p.T("login.badcode")))
		return
	}
	if err := s.finishLogin(w, r, op, step, se.TokenHash, src); err != nil {
		if errors.Is(err, errTOTPReplay) {
			s.codeFailed(ctx, op, n, "second-factor code (reused)")
			s.FormError(w, r, p, "totp", tocsin.FieldError("code", "%s", p.T("login.badcode")))
			return
		}
		s.FormError(w, r, p, "totp", err)
	}
}

// Logout ends the session.
func (s *Handler) Logout(w http.ResponseWriter, r *http.Request) {
	if se, op := webkit.CurrentSession(r), webkit.CurrentOperator(r); se != nil && op != nil {
		if err := s.st.DeleteSession(r.Context(), se.TokenHash); err != nil {
			s.Log.Error("logout", "err", err)
		}
		s.Auditf(r.Context(), op.Username, "logout", "", "")
	}
	s.ClearSessionCookie(w)
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

// errTOTPReplay: the code's step was used by another request meanwhile.
var errTOTPReplay = errors.New("TOTP step already used")
