package storetest

import (
	"bytes"
	"slices"
	"testing"
	"time"

	"github.com/tocsin/tocsin"
	"github.com/tocsin/tocsin/internal/store"
)

func newOperator(name, role string) *tocsin.Operator {
	return &tocsin.Operator{Username: name, Role: role, CreatedAt: now.Add(-24 * time.Hour)}
}

func (b *testBundle) operator(t *testing.T, o *tocsin.Operator) *tocsin.Operator {
	t.Helper()
	must(t, b.s.CreateOperator(b.ctx, o))
	return o
}

func operatorName(o tocsin.Operator) string { return o.Username }

func wantOperator(t *testing.T, got, want *tocsin.Operator) {
	t.Helper()
	if got.ID != want.ID || got.Username != want.Username || got.Role != want.Role || got.PasswordHash != want.PasswordHash ||
		got.TOTPSecret != want.TOTPSecret || got.TOTPLastStep != want.TOTPLastStep || got.Failures != want.Failures ||
		got.Enrolled != want.Enrolled || got.CodeFailures != want.CodeFailures {
		t.Errorf("operator =\n%+v\nwant\n%+v", got, want)
	}
	wantTime(t, "LastFailure", got.LastFailure, want.LastFailure)
	wantTime(t, "LastCodeFailure", got.LastCodeFailure, want.LastCodeFailure)
	wantTime(t, "CreatedAt", got.CreatedAt, want.CreatedAt)
}

func testOperators(t *testing.T, open func(t *testing.T) store.Store) {
	t.Run("CountLoginFailure", func(t *testing.T) {
		b := setup(t, open)
		o := b.operator(t, newOperator("ana", tocsin.RoleAdmin))
		since := now.Add(-time.Hour)
		for i := 1; i <= 2; i++ {
			n, err := b.s.CountLoginFailure(b.ctx, o.ID, now, since)
			must(t, err)
			if n != i {
				t.Errorf("failure %d: count %d", i, n)
			}
		}
		got, err := b.s.GetOperator(b.ctx, o.ID)
		must(t, err)
		if got.Failures != 2 || !got.LastFailure.Equal(now) {
			t.Errorf("operator = %d failures, last %v", got.Failures, got.LastFailure)
		}
		// A count whose last failure is older than since starts again.
		later := now.Add(2 * time.Hour)
		n, err := b.s.CountLoginFailure(b.ctx, o.ID, later, later.Add(-time.Hour))
		must(t, err)
		if n != 1 {
			t.Errorf("failure after the window: count %d, want 1", n)
		}
		if _, err := b.s.CountLoginFailure(b.ctx, 999, now, since); tocsin.ErrorCode(err) != tocsin.ENOTFOUND {
			t.Errorf("missing: %v, want ENOTFOUND", err)
		}
	})

	t.Run("CountCodeFailure", func(t *testing.T) {
		b := setup(t, open)
		o := b.operator(t, newOperator("ana", tocsin.RoleAdmin))
		for i := 1; i <= 3; i++ {
			n, err := b.s.CountCodeFailure(b.ctx, o.ID, now)
			must(t, err)
			if n != i {
				t.Errorf("code failure %d: count %d", i, n)
			}
		}
		got, err := b.s.GetOperator(b.ctx, o.ID)
		must(t, err)
		if got.CodeFailures != 3 || !got.LastCodeFailure.Equal(now) || got.Failures != 0 {
			t.Errorf("operator = %d code failures, last %v, %d password failures", got.CodeFailures, got.LastCodeFailure, got.Failures)
		}
		got.CodeFailures, got.LastCodeFailure = 0, time.Time{}
		must(t, b.s.UpdateOperator(b.ctx, got))
		again, err := b.s.GetOperator(b.ctx, o.ID)
		must(t, err)
		if again.CodeFailures != 0 || !again.LastCodeFailure.IsZero() {
			t.Errorf("after reset: %d code failures, last %v", again.CodeFailures, again.LastCodeFailure)
		}
		if _, err := b.s.CountCodeFailure(b.ctx, 999, now); tocsin.ErrorCode(err) != tocsin.ENOTFOUND {
			t.Errorf("missing: %v, want ENOTFOUND", err)
		}
	})

	t.Run("CreateGet", func(t *testing.T) {
		b := setup(t, open)
		o := newOperator("alma", tocsin.RoleAdmin)
		o.PasswordHash, o.TOTPSecret, o.Enrolled = "$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA", "JBSWY3DPEHPK3PXP", true
		b.operator(t, o)
		other := b.operator(t, newOperator("beto", tocsin.RoleViewer))
		if o.ID == 0 || other.ID == 0 || o.ID == other.ID {
			t.Fatalf("operator IDs %d, %d", o.ID, other.ID)
		}
		got, err := b.s.GetOperator(b.ctx, o.ID)
		must(t, err)
		wantOperator(t, got, o)
		got, err = b.s.GetOperatorByName(b.ctx, "alma")
		must(t, err)
		wantOperator(t, got, o)
	})

	t.Run("NotFound", func(t *testing.T) {
		b := setup(t, open)
		b.operator(t, newOperator("alma", tocsin.RoleAdmin))
		_, err := b.s.GetOperator(b.ctx, 987654)
		wantCode(t, err, tocsin.ENOTFOUND)
		_, err = b.s.GetOperatorByName(b.ctx, "nobody")
		wantCode(t, err, tocsin.ENOTFOUND)
	})

	t.Run("UniqueName", func(t *testing.T) {
		b := setup(t, open)
		b.operator(t, newOperator("alma", tocsin.RoleAdmin))
		err := b.s.CreateOperator(b.ctx, newOperator("alma", tocsin.RoleViewer))
		wantCode(t, err, tocsin.ECONFLICT)
		n, err := b.s.CountOperators(b.ctx)
		must(t, err)
		if n != 1 {
			t.Errorf("CountOperators = %d, want 1", n)
		}
	})

	t.Run("Update", func(t *testing.T) {
		b := setup(t, open)
		o := b.operator(t, newOperator("alma", tocsin.RoleViewer))
		o.Role, o.PasswordHash, o.TOTPSecret = tocsin.RoleDispatcher, "$argon2id$new", "NEWSECRET"
		o.TOTPLastStep, o.Failures, o.LastFailure, o.Enrolled = 59_000_123, 2, now, true
		o.CodeFailures, o.LastCodeFailure = 4, now.Add(-time.Minute)
		must(t, b.s.UpdateOperator(b.ctx, o))
		got, err := b.s.GetOperator(b.ctx, o.ID)
		must(t, err)
		wantOperator(t, got, o)

		o.Failures, o.LastFailure, o.CodeFailures, o.LastCodeFailure = 0, time.Time{}, 0, time.Time{}
		must(t, b.s.UpdateOperator(b.ctx, o))
		got, err = b.s.GetOperator(b.ctx, o.ID)
		must(t, err)
		wantOperator(t, got, o)
	})

	t.Run("UpdateNotFound", func(t *testing.T) {
		b := setup(t, open)
		o := newOperator("ghost", tocsin.RoleAdmin)
		o.ID = 987654
		wantCode(t, b.s.UpdateOperator(b.ctx, o), tocsin.ENOTFOUND)
	})

	t.Run("ListCount", func(t *testing.T) {
		b := setup(t, open)
		n, err := b.s.CountOperators(b.ctx)
		must(t, err)
		if n != 0 {
			t.Errorf("CountOperators of an empty store = %d", n)
		}
		for _, name := range []string{"carmen", "alma", "beto"} {
			b.operator(t, newOperator(name, tocsin.RoleDispatcher))
		}
		ops, err := b.s.ListOperators(b.ctx)
		must(t, err)
		if g := ids(ops, operatorName); !slices.Equal(g, []string{"alma", "beto", "carmen"}) {
			t.Errorf("ListOperators = %v, want by name", g)
		}
		n, err = b.s.CountOperators(b.ctx)
		must(t, err)
		if n != 3 {
			t.Errorf("CountOperators = %d, want 3", n)
		}
	})

	t.Run("Enrolments", func(t *testing.T) {
		b := setup(t, open)
		o := b.operator(t, newOperator("alma", tocsin.RoleAdmin))
		e := &tocsin.Enrolment{TokenHash: hash("token"), OperatorID: o.ID, ExpiresAt: now.Add(24 * time.Hour)}
		must(t, b.s.CreateEnrolment(b.ctx, e))
		got, err := b.s.GetEnrolment(b.ctx, hash("token"))
		must(t, err)
		if !bytes.Equal(got.TokenHash, e.TokenHash) || got.OperatorID != o.ID || got.TOTPSecret != "" || !got.ExpiresAt.Equal(e.ExpiresAt) {
			t.Errorf("enrolment = %+v, want %+v", got, e)
		}

		must(t, b.s.SetEnrolmentSecret(b.ctx, hash("token"), "JBSWY3DPEHPK3PXP"))
		got, err = b.s.GetEnrolment(b.ctx, hash("token"))
		must(t, err)
		if got.TOTPSecret != "JBSWY3DPEHPK3PXP" {
			t.Errorf("TOTPSecret = %q after SetEnrolmentSecret", got.TOTPSecret)
		}

		_, err = b.s.GetEnrolment(b.ctx, hash("other"))
		wantCode(t, err, tocsin.ENOTFOUND)

		must(t, b.s.DeleteEnrolment(b.ctx, hash("token")))
		_, err = b.s.GetEnrolment(b.ctx, hash("token"))
		wantCode(t, err, tocsin.ENOTFOUND)
	})

	t.Run("Sessions", func(t *testing.T) {
		b := setup(t, open)
		o := b.operator(t, newOperator("alma", tocsin.RoleAdmin))
		for _, s := range []*tocsin.Session{
			{TokenHash: hash("half"), OperatorID: o.ID, MFA: false, ExpiresAt: now.Add(5 * time.Minute)},
			{TokenHash: hash("full"), OperatorID: o.ID, MFA: true, ExpiresAt: now.Add(12 * time.Hour)},
		} {
			must(t, b.s.CreateSession(b.ctx, s))
			got, err := b.s.GetSession(b.ctx, s.TokenHash)
			must(t, err)
			if !bytes.Equal(got.TokenHash, s.TokenHash) || got.OperatorID != s.OperatorID || got.MFA != s.MFA || !got.ExpiresAt.Equal(s.ExpiresAt) {
				t.Errorf("session = %+v, want %+v", got, s)
			}
		}
		_, err := b.s.GetSession(b.ctx, hash("nope"))
		wantCode(t, err, tocsin.ENOTFOUND)

		must(t, b.s.DeleteSession(b.ctx, hash("half")))
		_, err = b.s.GetSession(b.ctx, hash("half"))
		wantCode(t, err, tocsin.ENOTFOUND)
		if _, err := b.s.GetSession(b.ctx, hash("full")); err != nil {
			t.Errorf("DeleteSession took another session: %v", err)
		}
	})

	t.Run("DeleteExpiredSessions", func(t *testing.T) {
		b := setup(t, open)
		o := b.operator(t, newOperator("alma", tocsin.RoleAdmin))
		sessions := []struct {
			name string
			exp  time.Time
			kept bool
		}{
			{"long-gone", now.Add(-24 * time.Hour), false},
			{"just-gone", now.Add(-time.Second), false},
			{"live", now.Add(time.Second), true},
			{"long-live", now.Add(12 * time.Hour), true},
		}
		for _, s := range sessions {
			must(t, b.s.CreateSession(b.ctx, &tocsin.Session{TokenHash: hash(s.name), OperatorID: o.ID, MFA: true, ExpiresAt: s.exp}))
		}
		must(t, b.s.DeleteExpiredSessions(b.ctx, now))
		for _, s := range sessions {
			_, err := b.s.GetSession(b.ctx, hash(s.name))
			if s.kept {
				must(t, err)
			} else {
				wantCode(t, err, tocsin.ENOTFOUND)
			}
		}
	})
}

func testAudit(t *testing.T, open func(t *testing.T) store.Store) {
	b := setup(t, open)
	got, err := b.s.ListAudit(b.ctx, 10)
	must(t, err)
	if len(got) != 0 {
		t.Fatalf("ListAudit of an empty store = %+v", got)
	}
	var added []*tocsin.AuditEntry
	for i, action := range []string{"login.ok", "report.state", "alert.approve"} {
		e := &tocsin.AuditEntry{At: now.Add(time.Duration(i) * time.Minute), Actor: "alma", Action: action, Subject: "s" + itoa(int64(i)), Detail: "d" + itoa(int64(i))}
		must(t, b.s.AppendAudit(b.ctx, e))
		if e.ID == 0 || (len(added) > 0 && e.ID == added[len(added)-1].ID) {
			t.Fatalf("AppendAudit gave ID %d", e.ID)
		}
		added = append(added, e)
	}
	action := func(e tocsin.AuditEntry) string { return e.Action }

	got, err = b.s.ListAudit(b.ctx, 10)
	must(t, err)
	if g := ids(got, action); !slices.Equal(g, []string{"alert.approve", "report.state", "login.ok"}) {
		t.Fatalf("ListAudit = %v, want newest first", g)
	}
	for i, e := range got {
		w := added[len(added)-1-i]
		if e.ID != w.ID || !e.At.Equal(w.At) || e.Actor != w.Actor || e.Subject != w.Subject || e.Detail != w.Detail {
			t.Errorf("entry %d = %+v, want %+v", i, e, *w)
		}
	}

	got, err = b.s.ListAudit(b.ctx, 2)
	must(t, err)
	if g := ids(got, action); !slices.Equal(g, []string{"alert.approve", "report.state"}) {
		t.Errorf("ListAudit(2) = %v", g)
	}
}
