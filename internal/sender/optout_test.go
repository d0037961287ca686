package sender

import (
	"strings"
	"testing"
	"time"

	"github.com/tocsin/tocsin"
	"github.com/tocsin/tocsin/internal/store"
)

// signupState returns the state of sign-up id.
func (b *bundle) signupState(t *testing.T, id string) tocsin.SignupState {
	t.Helper()
	su, err := b.store.GetSignup(b.ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	return su.State
}

// reportCount counts the reports filed.
func (b *bundle) reportCount(t *testing.T) int {
	t.Helper()
	rs, err := b.store.ListReports(b.ctx, store.ReportFilter{})
	if err != nil {
		t.Fatal(err)
	}
	return len(rs)
}

// TestStopFromNumberThatNeverSubscribed: STOP from a number that never
// subscribed is recorded, so the web sign-up made for it afterwards draws
// no code, and its REPORT is filed without a reply: nothing but the STOP
// confirmation is texted to it. The sign-up looks like any other (code
// sent), so the page tells nobody that the number opted out. START opts it
// back in, and only then does a sign-up draw a code.
func TestStopFromNumberThatNeverSubscribed(t *testing.T) {
	for _, optIn := range []string{"START", "UNSTOP", "unstop", "Inicio"} {
		t.Run(optIn, func(t *testing.T) {
			b := setup(t)
			const n = "+13105550402"
			contains(t, b.text(t, n, "STOP"), "unsubscribed")
			id := b.signupRow(t, n, tocsin.SignupPending) // as POST /subscribe writes it
			b.sender.Tick(b.ctx)
			if got := b.text(t, n, "REPORT 90210 raid at the market"); len(got) != 0 {
				t.Fatalf("the REPORT of an opted-out number got a reply: %q", got)
			}
			if got := b.sent(t, n); len(got) != 1 || !strings.Contains(got[0], "unsubscribed") {
				t.Fatalf("texted %q, want only the STOP confirmation", got)
			}
			if r := b.reportCount(t); r != 1 {
				t.Errorf("%d reports filed, want 1", r)
			}
			if st := b.signupState(t, id); st != tocsin.SignupCodeSent {
				t.Errorf("sign-up is %s, want %s like any other (the page must not tell)", st, tocsin.SignupCodeSent)
			}
			if c := b.auditCount(t, "signup.code_withheld"); c != 1 {
				t.Errorf("%d signup.code_withheld audit entries, want 1", c)
			}
			if b.subscriber(t, n) != nil {
				t.Error("a subscription was made")
			}

			if got := b.text(t, n, optIn); len(got) != 1 {
				t.Fatalf("%s: replies %q, want one", optIn, got)
			}
			b.signupRow(t, n, tocsin.SignupPending)
			b.sender.Tick(b.ctx)
			contains(t, b.sent(t, n), "your confirmation code is 123456")
		})
	}
}

// TestReportAfterStopIsFiled: JOIN, STOP, then REPORT: the report is filed,
// only the reply is held back.
func TestReportAfterStopIsFiled(t *testing.T) {
	b := setup(t)
	const n = "+13105550403"
	b.text(t, n, "JOIN 90210")
	b.text(t, n, "STOP")
	if got := b.text(t, n, "REPORT 90210 raid at the market"); len(got) != 0 {
		t.Fatalf("reply to an opted-out number: %q", got)
	}
	rs, err := b.store.ListReports(b.ctx, store.ReportFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) != 1 || rs[0].ZIP != "90210" || rs[0].Category != tocsin.CategoryRaid || rs[0].Description != "at the market" {
		t.Fatalf("reports = %+v, want the raid at the market in 90210", rs)
	}
	if sub := b.subscriber(t, n); sub == nil || sub.Active {
		t.Error("the REPORT opted the number back in")
	}
}

// TestOptOutOutlivesRetention: years of retention purges later, an opt-out
// still holds back a sign-up's code.
func TestOptOutOutlivesRetention(t *testing.T) {
	b := setup(t)
	const n = "+13105550404"
	b.text(t, n, "STOP")
	for range 3 {
		b.now = b.now.AddDate(1, 0, 0)
		b.sender.Tick(b.ctx)
	}
	b.signupRow(t, n, tocsin.SignupPending)
	b.sender.Tick(b.ctx)
	if got := b.sent(t, n); len(got) != 1 {
		t.Fatalf("texted %q, want only the STOP confirmation of three years ago", got)
	}
}

// TestJoinAfterStopOptsBackIn: JOIN is the number's own request, like START.
func TestJoinAfterStopOptsBackIn(t *testing.T) {
	b := setup(t)
	const n = "+13105550405"
	b.text(t, n, "STOP")
	contains(t, b.text(t, n, "JOIN 90210"), "you will get alerts for 90210")
	b.signupRow(t, n, tocsin.SignupPending)
	b.sender.Tick(b.ctx)
	contains(t, b.sent(t, n), "your confirmation code is 123456")
}

// TestConfirmedSignupAfterStop plays a database writer who marks confirmed
// a sign-up made after its number texted STOP (the sender withheld its
// code, so nobody can have typed it back): nothing is texted, nothing
// subscribed, the number stays opted out, and signup.opted_out_confirmed is
// raised. A code the person received before texting STOP and typed back
// afterwards is consent given again: that sign-up subscribes.
func TestConfirmedSignupAfterStop(t *testing.T) {
	t.Run("sign-up made after STOP", func(t *testing.T) {
		b := setup(t)
		const n = "+13105550406"
		b.text(t, n, "STOP")
		b.now = b.now.Add(time.Minute)
		id := b.signupRow(t, n, tocsin.SignupPending)
		b.sender.Tick(b.ctx)
		if err := b.store.UpdateSignup(b.ctx, id, tocsin.SignupConfirmed, 1); err != nil { // the writer
			t.Fatal(err)
		}
		b.sender.Tick(b.ctx)
		b.sender.Tick(b.ctx)
		if got := b.sent(t, n); len(got) != 1 {
			t.Fatalf("texted %q, want only the STOP confirmation", got)
		}
		if sub := b.subscriber(t, n); sub != nil && sub.Active {
			t.Fatal("subscribed: every alert would text a number that opted out")
		}
		if st := b.signupState(t, id); st != tocsin.SignupExpired {
			t.Errorf("sign-up is %s, want expired", st)
		}
		if ev := strings.Join(b.events(t), "\n"); !strings.Contains(ev, "signup.opted_out_confirmed") {
			t.Errorf("no signup.opted_out_confirmed event; events: %s", ev)
		}
		b.signupRow(t, n, tocsin.SignupPending)
		b.sender.Tick(b.ctx)
		if got := b.sent(t, n); len(got) != 1 {
			t.Fatalf("texted %q after the refused sign-up: the number must stay opted out", got)
		}
	})
	t.Run("code received, STOP, code typed", func(t *testing.T) {
		b := setup(t)
		const n = "+13105550407"
		id := b.signupRow(t, n, tocsin.SignupPending)
		b.sender.Tick(b.ctx)
		contains(t, b.sent(t, n), "your confirmation code is 123456")
		b.now = b.now.Add(time.Minute)
		b.text(t, n, "STOP")
		if err := b.store.UpdateSignup(b.ctx, id, tocsin.SignupConfirmed, 1); err != nil { // as the web tier does
			t.Fatal(err)
		}
		b.sender.Tick(b.ctx)
		contains(t, b.sent(t, n), "you are subscribed")
		if sub := b.subscriber(t, n); sub == nil || !sub.Active {
			t.Fatal("not subscribed")
		}
		if ev := b.events(t); len(ev) > 0 {
			t.Errorf("events: %q", ev)
		}
		contains(t, b.text(t, n, "HELP"), "JOIN + ZIP") // opted back in
		if got := b.text(t, n, "REPORT 90210 raid"); len(got) != 1 {
			t.Errorf("REPORT after opting back in: replies %q, want one", got)
		}
	})
}
