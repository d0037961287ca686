package sender

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tocsin/tocsin"
	"github.com/tocsin/tocsin/internal/alarm"
	"github.com/tocsin/tocsin/internal/geo"
	"github.com/tocsin/tocsin/internal/phone"
	"github.com/tocsin/tocsin/internal/sms/twilio"
	"github.com/tocsin/tocsin/internal/sms/twilio/twiliotest"
	"github.com/tocsin/tocsin/internal/store"
)

// alarmInbox is a local webhook receiver: the operators' alarm channel.
type alarmInbox struct {
	mu   sync.Mutex
	got  []map[string]any
	srv  *httptest.Server
	fail bool
}

func newAlarmInbox(t *testing.T) *alarmInbox {
	in := &alarmInbox{}
	in.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		in.mu.Lock()
		defer in.mu.Unlock()
		if in.fail {
			http.Error(w, "down", http.StatusServiceUnavailable)
			return
		}
		b, _ := io.ReadAll(r.Body)
		var m map[string]any
		json.Unmarshal(b, &m)
		in.got = append(in.got, m)
	}))
	t.Cleanup(in.srv.Close)
	return in
}

func (in *alarmInbox) kinds() []string {
	in.mu.Lock()
	defer in.mu.Unlock()
	var out []string
	for _, m := range in.got {
		out = append(out, m["kind"].(string))
	}
	return out
}

func (b *bundle) addCanary(t *testing.T, label, number string) {
	t.Helper()
	n, err := phone.Parse(number, "US")
	if err != nil {
		t.Fatal(err)
	}
	p, _ := b.zips.Lookup("90210")
	areas := []tocsin.SubscriberArea{{ZIP: "90210", Cell: geo.LeafCell(p), RadiusM: tocsin.ZIPAreaRadiusM}}
	if err := AddCanarySubscriber(b.ctx, b.store, b.keys, b.state, label, false, n, areas, b.now); err != nil {
		t.Fatal(err)
	}
}

// arrive queues a text that a provider delivered to one of our numbers.
func (b *bundle) arrive(t *testing.T, from, to, body string) {
	t.Helper()
	seal := func(s string) []byte {
		n, err := phone.Parse(s, "US")
		if err != nil {
			t.Fatal(err)
		}
		sealed, err := b.sealer.Seal(n)
		if err != nil {
			t.Fatal(err)
		}
		return sealed
	}
	if err := b.store.AddInbound(b.ctx, &tocsin.Inbound{Provider: "outbox", FromSealed: seal(from), ToSealed: seal(to), Body: body, ReceivedAt: b.now}); err != nil {
		t.Fatal(err)
	}
}

// The 2026 attack, at the sender: someone holding the provider account
// texts the whole list "your information has been sent to the
// authorities". The two canaries on the list receive it; within one inbound
// cycle a critical event is raised, outbound is frozen, operators are told
// over the alarm channel, and a correction waits for approval. A genuine
// alert reaching a canary before that raises nothing.
func TestCanarySubscribersCatchTheAttack(t *testing.T) {
	b := setup(t)
	inbox := newAlarmInbox(t)
	n, err := alarm.New(alarm.Config{WebhookURL: inbox.srv.URL, WebhookFormat: alarm.FormatJSON})
	if err != nil {
		t.Fatal(err)
	}
	b.sender.cfg.Alarm = n
	b.sender.cfg.PublicURL = "https://alerts.example.org"
	nums := b.subscribe(t, 3)
	const ours, canary1, canary2, attacker = "+13105550100", "+13105559001", "+13105559002", "+12025550177"
	b.addCanary(t, "twilio-number-2", canary1)
	b.addCanary(t, "twilio-number-3", canary2)

	// A genuine alert reaches everyone, the canaries too.
	a := b.alert(t, zip90210, "Checkpoint at Main.", "")
	b.sender.Tick(b.ctx)
	var genuine string
	for _, m := range b.sent(t, canary1) {
		if strings.Contains(m, "Ref "+a.Ref) {
			genuine = m
		}
	}
	if genuine == "" {
		t.Fatalf("the genuine alert did not reach canary 1: %q", b.sent(t, canary1))
	}
	b.arrive(t, ours, canary1, strings.ReplaceAll(genuine, "\n", "\r\n ")) // as a carrier may deliver it
	b.sender.Tick(b.ctx)
	if evs := b.events(t); len(evs) != 0 {
		t.Fatalf("a genuine alert at a canary raised %q", evs)
	}
	if b.sender.frozen(b.ctx) {
		t.Fatal("a genuine alert at a canary froze messaging")
	}

	// The attack: straight through the provider, to the whole list.
	const fake = "Your information has been sent to the authorities. Call +1 202 555 0177."
	before := len(b.lines(t))
	for _, c := range []string{canary1, canary2} {
		b.arrive(t, attacker, c, fake)
	}
	b.sender.Tick(b.ctx)

	var crit []string
	for _, e := range b.events(t) {
		if strings.HasPrefix(e, "canary.subscriber: ") {
			crit = append(crit, e)
			if strings.Contains(e, "202") || strings.Contains(e, "0177") {
				t.Errorf("the event holds the attacker's number: %s", e)
			}
		}
	}
	if len(crit) != 2 {
		t.Errorf("%d canary.subscriber events, want 2: %q", len(crit), b.events(t))
	}
	if !b.sender.frozen(b.ctx) {
		t.Error("outbound is not frozen")
	}
	trail, err := b.store.ListAudit(b.ctx, 100)
	if err != nil {
		t.Fatal(err)
	}
	inTrail := 0
	for _, e := range trail {
		if e.Action == "security.canary.subscriber" {
			inTrail++
		}
	}
	if inTrail != 2 {
		t.Errorf("%d canary.subscriber events in the audit trail, want 2", inTrail)
	}
	if got := inbox.kinds(); !strings.Contains(strings.Join(got, ","), "canary.subscriber") {
		t.Errorf("operators were told %q, want canary.subscriber", got)
	}
	drafts, err := b.store.ListAlerts(b.ctx, []tocsin.AlertState{tocsin.AlertDraft}, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(drafts) != 1 || drafts[0].CreatedBy != "sender" || !strings.Contains(drafts[0].BodyEN, "did NOT come from us") {
		t.Fatalf("correction drafts: %+v", drafts)
	}
	if en := b.correctionDraft(t)["en"]; !strings.HasPrefix(en, "[CORRECTION] ") || !strings.Contains(en, "https://alerts.example.org/v/"+drafts[0].Ref) {
		t.Errorf("the correction is not labelled, or lacks its verify link:\n%s", en)
	}
	if after := len(b.lines(t)); after != before {
		t.Errorf("%d texts went out after the attack (a reply to the attacker?)", after-before)
	}
	// The correction still needs the threshold of signatures, and the
	// freeze an unfreeze: nothing goes out on the sender's say-so.
	b.sender.Tick(b.ctx)
	if len(b.lines(t)) != before {
		t.Error("the correction went out without approval")
	}
	_ = nums
}

func TestParseAutoFreeze(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []string
		err  bool
	}{
		{"all", Rules, false},
		{"none", nil, false},
		{"canary-subscriber, reconcile-unknown", []string{RuleCanarySubscriber, RuleReconcileUnknown}, false},
		{"canary-subscriber,telepathy", nil, true},
	} {
		got, err := ParseAutoFreeze(tc.in)
		if (err != nil) != tc.err {
			t.Errorf("%q: err %v", tc.in, err)
			continue
		}
		if len(got) != len(tc.want) {
			t.Errorf("%q: %v, want %v", tc.in, got, tc.want)
		}
		for _, r := range tc.want {
			if !got[r] {
				t.Errorf("%q: rule %s off", tc.in, r)
			}
		}
	}
}

// Events whose alarm could not be delivered are tried again, not lost.
func TestAlarmRetriedUntilDelivered(t *testing.T) {
	b := setup(t)
	inbox := newAlarmInbox(t)
	inbox.fail = true
	n, err := alarm.New(alarm.Config{WebhookURL: inbox.srv.URL, WebhookFormat: alarm.FormatJSON})
	if err != nil {
		t.Fatal(err)
	}
	b.sender.cfg.Alarm = n
	if err := b.sender.securityEvent(b.ctx, b.store, &store.SecurityEvent{Kind: "canary.apikey", Severity: store.SeverityHigh, Subject: "k1"}); err != nil {
		t.Fatal(err)
	}
	b.sender.Tick(b.ctx)
	inbox.mu.Lock()
	inbox.fail = false
	inbox.mu.Unlock()
	b.sender.Tick(b.ctx) // within the back-off: not tried
	if len(inbox.kinds()) != 0 {
		t.Fatal("tried again before the back-off")
	}
	b.now = b.now.Add(time.Minute)
	b.sender.Tick(b.ctx)
	b.sender.Tick(b.ctx)
	if got := inbox.kinds(); len(got) != 1 || got[0] != "canary.apikey" {
		t.Errorf("operators were told %q, want canary.apikey once", got)
	}
}

// A planted canary key the web tier saw used (an event it recorded) freezes
// outbound at the coordinator's next round, and operators are told; a
// credential from the public decoy files alerts but never freezes.
func TestCanaryCredentialFreezes(t *testing.T) {
	for _, tc := range []struct {
		rules      string
		wantFrozen bool
	}{{"all", true}, {"canary-subscriber", false}} {
		t.Run(tc.rules, func(t *testing.T) {
			b := setup(t)
			inbox := newAlarmInbox(t)
			n, err := alarm.New(alarm.Config{WebhookURL: inbox.srv.URL, WebhookFormat: alarm.FormatJSON})
			if err != nil {
				t.Fatal(err)
			}
			b.sender.cfg.Alarm = n
			if b.sender.cfg.AutoFreeze, err = ParseAutoFreeze(tc.rules); err != nil {
				t.Fatal(err)
			}
			b.subscribe(t, 2)
			if err := b.store.AddSecurityEvent(b.ctx, &store.SecurityEvent{At: b.now, Kind: "canary.apikey", Severity: store.SeverityCritical,
				Subject: "ci-deploy (tsk_AbCd1234)", Net: &store.NetworkDetails{SourceAddr: "203.0.113.9", UserAgent: "python-requests/2.32"}}); err != nil {
				t.Fatal(err)
			}
			b.sender.Tick(b.ctx)
			if got := b.sender.frozen(b.ctx); got != tc.wantFrozen {
				t.Errorf("frozen = %v, want %v", got, tc.wantFrozen)
			}
			if got := inbox.kinds(); len(got) == 0 || got[0] != "canary.apikey" {
				t.Errorf("operators were told %q", got)
			}
			drafts, _ := b.store.ListAlerts(b.ctx, []tocsin.AlertState{tocsin.AlertDraft}, 10)
			if len(drafts) != 1 {
				t.Errorf("%d correction drafts, want 1", len(drafts))
			}
			b.sender.Tick(b.ctx) // handled once
			if got := inbox.kinds(); len(got) != 1 {
				t.Errorf("operators were told %d times", len(got))
			}
		})
	}
	t.Run("decoy credential", func(t *testing.T) {
		b := setup(t)
		if err := b.store.AddSecurityEvent(b.ctx, &store.SecurityEvent{At: b.now, Kind: "canary.decoy_credential", Severity: store.SeverityHigh, Subject: "Twilio credential from the decoy environment file"}); err != nil {
			t.Fatal(err)
		}
		b.sender.Tick(b.ctx)
		if b.sender.frozen(b.ctx) {
			t.Error("a credential anyone can fetch froze outbound messaging")
		}
	})
}

// While the alarm channel is down, an event's alarm is retried but its
// response (a freeze order) is carried out once.
func TestRespondOnceWhileAlarmDown(t *testing.T) {
	b := setup(t)
	inbox := newAlarmInbox(t)
	inbox.fail = true
	n, err := alarm.New(alarm.Config{WebhookURL: inbox.srv.URL, WebhookFormat: alarm.FormatJSON})
	if err != nil {
		t.Fatal(err)
	}
	b.sender.cfg.Alarm = n
	b.subscribe(t, 1)
	if err := b.store.AddSecurityEvent(b.ctx, &store.SecurityEvent{At: b.now, Kind: "canary.apikey", Severity: store.SeverityCritical, Subject: "k"}); err != nil {
		t.Fatal(err)
	}
	for range 4 {
		b.sender.Tick(b.ctx)
		b.now = b.now.Add(time.Minute)
	}
	orders, err := b.store.FreezeOrders(b.ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(orders) != 1 {
		t.Errorf("%d freeze orders for one event, want 1", len(orders))
	}
}

// The correction reaches subscribers of a point and radius too, not only
// those of a ZIP code.
func TestCorrectionReachesPointSubscribers(t *testing.T) {
	b := setup(t)
	b.subscribe(t, 1)
	pt := geo.Point{Lat: 34.0901, Lon: -118.4065}
	n, _ := phone.Parse("+13105550777", "US")
	sealed, _ := b.sealer.Seal(n)
	point := &tocsin.Subscriber{PhoneHash: b.keys.Hash(n), Sealed: sealed, Lang: tocsin.English, Active: true,
		Areas: []tocsin.SubscriberArea{{Cell: geo.SnapCell(pt), RadiusM: 2000}}, CreatedAt: b.now, UpdatedAt: b.now}
	if err := b.store.SaveSubscriber(b.ctx, point); err != nil {
		t.Fatal(err)
	}
	if err := b.store.InTx(b.ctx, func(q store.Querier) error { return b.sender.draftCorrection(b.ctx, q, "") }); err != nil {
		t.Fatal(err)
	}
	drafts, _ := b.store.ListAlerts(b.ctx, []tocsin.AlertState{tocsin.AlertDraft}, 10)
	if len(drafts) != 1 || drafts[0].Area.Circle == nil {
		t.Fatalf("correction drafts %+v: no circle for the point subscriber", drafts)
	}
	rs, err := b.sender.resolve(b.ctx, b.store, drafts[0].Area)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, r := range rs {
		found = found || r.SubscriberID == point.ID
	}
	if !found || len(rs) != 2 {
		t.Errorf("the correction reaches %d subscribers (point subscriber: %v), want both", len(rs), found)
	}
}

// A coordinator whose directory lacks the canary file says so: texts to
// canaries would pass unseen.
func TestCoordinatorWithoutCanaryFile(t *testing.T) {
	b := setup(t)
	b.addCanary(t, "line-2", "+13105559001")
	b.sender.Tick(b.ctx)
	for _, e := range b.events(t) {
		if strings.HasPrefix(e, "canary.missing") {
			t.Fatalf("the sender that has the file raised %s", e)
		}
	}
	b.sender.dropLeases(b.ctx)
	w, _ := b.worker(t, "w", true)
	w.Tick(b.ctx)
	found := false
	for _, e := range b.events(t) {
		found = found || strings.HasPrefix(e, "canary.missing")
	}
	if !found {
		t.Errorf("a coordinator without the canary file raised nothing: %q", b.events(t))
	}
}

// canaryHook posts a text as the canary account's Twilio would, signed with
// token over the canary hook's URL, and runs the sender once.
func (b *bundle) canaryHook(t *testing.T, token, from, to, body, sid string) {
	t.Helper()
	form := url.Values{"AccountSid": {otherAccount}, "From": {from}, "To": {to}, "Body": {body}, "MessageSid": {sid}, "SmsStatus": {"received"}}
	sig := twiliotest.Sign(token, "https://example.org/hooks/sms/"+CanaryHookName, form)
	m := map[string]string{}
	for k := range form {
		m[k] = form.Get(k)
	}
	b.hook(t, CanaryHookName, sig, m)
}

const (
	otherAccount = "AC00000000000000000000000000000042"
	otherToken   = "canaryAccountAuthToken0123456789"
)

// Canary subscribers on another account: the attacker holding the sending
// account cannot list them, and their texts arrive through the canary
// hook, checked with that account's token. A genuine alert arriving there
// raises nothing; a text the ledger did not send raises canary.subscriber
// and freezes, with no reply; a request not signed by the canary account
// (here: signed with the sending account's token) is a forgery and changes
// nothing.
func TestCanaryOnAnotherAccount(t *testing.T) {
	b := setup(t)
	v, err := twilio.NewVerifier(otherAccount, otherToken)
	if err != nil {
		t.Fatal(err)
	}
	b.sender.cfg.CanaryHook = v
	b.subscribe(t, 3)
	const ours, canary, attacker = "+13105550100", "+13105559001", "+12025550177"
	n, _ := phone.Parse(canary, "US")
	p, _ := b.zips.Lookup("90210")
	if err := AddCanarySubscriber(b.ctx, b.store, b.keys, b.state, "other-1", true, n,
		[]tocsin.SubscriberArea{{ZIP: "90210", Cell: geo.LeafCell(p), RadiusM: tocsin.ZIPAreaRadiusM}}, b.now); err != nil {
		t.Fatal(err)
	}
	kinds := func() map[string]int {
		out := map[string]int{}
		for _, e := range b.events(t) {
			out[e[:strings.Index(e, ":")]]++
		}
		return out
	}

	a := b.alert(t, zip90210, "Checkpoint at Main.", "")
	b.sender.Tick(b.ctx)
	var genuine string
	for _, m := range b.sent(t, canary) {
		if strings.Contains(m, "Ref "+a.Ref) {
			genuine = m
		}
	}
	if genuine == "" {
		t.Fatalf("the genuine alert did not reach the canary: %q", b.sent(t, canary))
	}
	b.canaryHook(t, otherToken, ours, canary, genuine, "SM01")
	if k := kinds(); len(k) != 0 || b.sender.frozen(b.ctx) {
		t.Fatalf("a genuine alert at the other account's canary raised %v (frozen %v)", k, b.sender.frozen(b.ctx))
	}

	const fake = "Your information has been sent to the authorities."
	before := len(b.lines(t))
	b.canaryHook(t, "sendingAccountAuthToken012345678", attacker, canary, fake, "SM02")
	if k := kinds(); k["webhook.forged"] != 1 || k["canary.subscriber"] != 0 || b.sender.frozen(b.ctx) {
		t.Fatalf("a text not signed by the canary account: events %v, frozen %v; want one webhook.forged only", k, b.sender.frozen(b.ctx))
	}
	b.canaryHook(t, otherToken, attacker, canary, fake, "SM03")
	if k := kinds(); k["canary.subscriber"] != 1 {
		t.Errorf("a text the ledger did not send, at the other account's canary: events %v, want one canary.subscriber", k)
	}
	if !b.sender.frozen(b.ctx) {
		t.Error("outbound is not frozen")
	}
	if after := len(b.lines(t)); after != before {
		t.Errorf("%d texts went out after the attack (a reply to the attacker?)", after-before)
	}
	if sub := b.subscriber(t, attacker); sub != nil {
		t.Error("a text to the canary subscribed its sender")
	}
	if hs, _ := b.store.ListHookRequests(b.ctx, 10); len(hs) != 0 {
		t.Errorf("%d hook requests left", len(hs))
	}
}

// A sender without a canary hook cannot check what reaches /hooks/sms/canary:
// it says so once (canary.unchecked, high), and acts on none of it.
func TestCanaryHookUnchecked(t *testing.T) {
	b := setup(t)
	before := len(b.lines(t))
	for _, sid := range []string{"SM01", "SM02"} {
		b.canaryHook(t, otherToken, "+12025550177", "+13105559001", "JOIN 90210", sid)
	}
	n := 0
	for _, e := range b.events(t) {
		if strings.HasPrefix(e, "canary.unchecked: ") {
			n++
		}
	}
	if n != 1 || len(b.events(t)) != 1 {
		t.Errorf("events %q, want one canary.unchecked", b.events(t))
	}
	if len(b.lines(t)) != before || b.subscriber(t, "+12025550177") != nil {
		t.Error("a text through an unchecked canary hook was acted on")
	}
	if hs, _ := b.store.ListHookRequests(b.ctx, 10); len(hs) != 0 {
		t.Errorf("%d hook requests left", len(hs))
	}
}
