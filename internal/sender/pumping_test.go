package sender

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/tocsin/tocsin"
	"github.com/tocsin/tocsin/internal/phone"
	"github.com/tocsin/tocsin/internal/store"
)

// signupRow writes a sign-up for number straight to the database in state,
// as an attacker with database write access can: sealing needs only the
// sender's public key.
func (b *bundle) signupRow(t *testing.T, number string, state tocsin.SignupState) string {
	t.Helper()
	n, err := phone.Parse(number, "US")
	if err != nil {
		t.Fatal(err)
	}
	sealed, err := b.sealer.SealSignup(n, "123456")
	if err != nil {
		t.Fatal(err)
	}
	su := &tocsin.Signup{ID: tocsin.NewID(), Sealed: sealed, CodeHash: []byte("x"), Lang: tocsin.English,
		Area: tocsin.Area{ZIPs: []string{"90210"}}, State: state, CreatedAt: b.now, ExpiresAt: b.now.Add(tocsin.SignupTTL)}
	if err := b.store.CreateSignup(b.ctx, su); err != nil {
		t.Fatal(err)
	}
	return su.ID
}

// auditCount counts the audit entries with this action.
func (b *bundle) auditCount(t *testing.T, action string) int {
	t.Helper()
	es, err := b.store.ListAudit(b.ctx, 10000)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range es {
		if e.Action == action {
			n++
		}
	}
	return n
}

// TestSignupOutsidePolicyNotTexted plays a database writer who queues
// sign-ups for premium-rate, toll-free and foreign numbers (which the web
// form refuses): no code and no welcome is texted, no subscription is made,
// and each raises signup.number_refused.
func TestSignupOutsidePolicyNotTexted(t *testing.T) {
	for _, number := range []string{"+2348031234567", "+19005550123", "+18005550123"} {
		for _, state := range []tocsin.SignupState{tocsin.SignupPending, tocsin.SignupConfirmed} {
			t.Run(fmt.Sprintf("%s %s", number, state), func(t *testing.T) {
				b := setup(t)
				id := b.signupRow(t, number, state)
				b.sender.Tick(b.ctx)
				b.sender.Tick(b.ctx)
				if got := b.sent(t, number); len(got) > 0 {
					t.Fatalf("texted %q", got)
				}
				if b.subscriber(t, number) != nil {
					t.Fatal("a subscription was made: every alert would text the number")
				}
				su, err := b.store.GetSignup(b.ctx, id)
				if err != nil {
					t.Fatal(err)
				}
				if su.State != tocsin.SignupExpired || len(su.Sealed) != 0 {
					t.Fatalf("sign-up is %s with %d sealed bytes, want expired and wiped", su.State, len(su.Sealed))
				}
				ev := strings.Join(b.events(t), "\n")
				if !strings.Contains(ev, "signup.number_refused") {
					t.Fatalf("no signup.number_refused event; events: %s", ev)
				}
				if strings.Contains(ev, number[2:]) {
					t.Fatalf("an event holds the number: %s", ev)
				}
			})
		}
	}
}

// TestSignupInPolicyTexted: a US number's sign-up still gets its code.
func TestSignupInPolicyTexted(t *testing.T) {
	b := setup(t)
	b.signupRow(t, "+17875550123", tocsin.SignupPending) // Puerto Rico
	b.sender.Tick(b.ctx)
	contains(t, b.sent(t, "+17875550123"), "your confirmation code is 123456")
	if ev := b.events(t); len(ev) > 0 {
		t.Fatalf("events: %q", ev)
	}
}

// TestCodesPerBlock plays the pumping attacker cycling through one range
// (+1 310 555 xxxx): after DefaultCodesPerBlock codes in an hour the block
// gets no more, each refusal is counted in the audit trail, and one
// signup.block_limited event is raised. Another block is not affected, and
// the block gets codes again an hour later.
func TestCodesPerBlock(t *testing.T) {
	b := setup(t)
	const tries = DefaultCodesPerBlock + 5
	for i := range tries {
		b.signupRow(t, fmt.Sprintf("+1310555%04d", 1000+i), tocsin.SignupPending)
	}
	b.signupRow(t, "+12125550100", tocsin.SignupPending)
	b.sender.Tick(b.ctx)
	texted := 0
	for i := range tries {
		texted += len(b.sent(t, fmt.Sprintf("+1310555%04d", 1000+i)))
	}
	if texted != DefaultCodesPerBlock {
		t.Fatalf("%d codes to the block, want %d", texted, DefaultCodesPerBlock)
	}
	if n := b.auditCount(t, "signup.code_limited"); n != tries-DefaultCodesPerBlock {
		t.Errorf("%d signup.code_limited audit entries, want %d", n, tries-DefaultCodesPerBlock)
	}
	limited := 0
	for _, e := range b.events(t) {
		if strings.HasPrefix(e, "signup.block_limited") {
			limited++
		}
	}
	if limited != 1 {
		t.Errorf("%d signup.block_limited events, want 1 for the hour; events: %q", limited, b.events(t))
	}
	if len(b.sent(t, "+12125550100")) != 1 {
		t.Error("a number of another block got no code")
	}
	b.now = b.now.Add(time.Hour + time.Minute)
	b.signupRow(t, "+13105552000", tocsin.SignupPending)
	b.sender.Tick(b.ctx)
	if len(b.sent(t, "+13105552000")) != 1 {
		t.Error("the block got no code an hour later")
	}
}

// TestInboundOutsidePolicyNoReply plays a pumping attacker who texts the
// service's number from a premium-rate or foreign number, so that the
// replies (and, once subscribed, the alerts) earn them money: no reply goes
// out and JOIN subscribes nobody, each text is counted; a REPORT is still
// filed.
func TestInboundOutsidePolicyNoReply(t *testing.T) {
	for _, number := range []string{"+19005550123", "+2348031234567"} {
		t.Run(number, func(t *testing.T) {
			b := setup(t)
			for _, body := range []string{"JOIN 90210", "START", "HELP", "LANG ES", "hello", "STOP"} {
				if got := b.text(t, number, body); len(got) > 0 {
					t.Fatalf("%s: replied %q", body, got)
				}
			}
			if b.subscriber(t, number) != nil {
				t.Fatal("JOIN subscribed the number: every alert would text it")
			}
			if got := b.text(t, number, "REPORT 90210 checkpoint at Main and 3rd"); len(got) > 0 {
				t.Fatalf("REPORT: replied %q", got)
			}
			reports, err := b.store.ListReports(b.ctx, store.ReportFilter{Limit: 10})
			if err != nil {
				t.Fatal(err)
			}
			if len(reports) != 1 {
				t.Fatalf("%d reports, want the one texted", len(reports))
			}
			if n := b.auditCount(t, "inbound.reply_refused"); n != 7 {
				t.Errorf("%d inbound.reply_refused audit entries, want 7", n)
			}
		})
	}
}

// TestInboundStopOutsidePolicy: a number subscribed before the policy
// narrowed can still STOP (without a reply), and cannot START again.
func TestInboundStopOutsidePolicy(t *testing.T) {
	b := setup(t)
	wide, err := phone.ParsePolicy("US,CA")
	if err != nil {
		t.Fatal(err)
	}
	b.sender.cfg.SMSPolicy = wide
	const canadian = "+14165550123"
	contains(t, b.text(t, canadian, "JOIN 90210"), "you will get alerts")
	b.sender.cfg.SMSPolicy = phone.DefaultPolicy()
	if got := b.text(t, canadian, "STOP"); len(got) > 0 {
		t.Fatalf("STOP: replied %q", got)
	}
	if sub := b.subscriber(t, canadian); sub == nil || sub.Active {
		t.Fatal("STOP did not take effect")
	}
	b.text(t, canadian, "START")
	if sub := b.subscriber(t, canadian); sub.Active {
		t.Fatal("START subscribed a number outside the policy again")
	}
}
