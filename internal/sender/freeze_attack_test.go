package sender

import (
	"strings"
	"testing"

	"github.com/tocsin/tocsin/internal/trust"
)

// hasEvent reports whether a security event of kind was raised.
func (b *bundle) hasEvent(t *testing.T, kind string) bool {
	t.Helper()
	for _, e := range b.events(t) {
		if strings.HasPrefix(e, kind+": ") {
			return true
		}
	}
	return false
}

// eventCount is how many security events of kind were raised.
func (b *bundle) eventCount(t *testing.T, kind string) int {
	t.Helper()
	n := 0
	for _, e := range b.events(t) {
		if strings.HasPrefix(e, kind+": ") {
			n++
		}
	}
	return n
}

// orderBody is the canonical body of an order, unsigned.
func (b *bundle) orderBody(t *testing.T, seq int64, freeze bool) []byte {
	t.Helper()
	body, err := (&trust.FreezeOrder{Seq: seq, Freeze: freeze, At: b.now, Reason: "mallory"}).Encode()
	if err != nil {
		t.Fatal(err)
	}
	return body
}

// A database writer inserts a freeze order out of sequence (max+2): every
// later freeze — the console button, tocsin freeze, the sender's own — must
// still freeze, the stray row is an event, and the operators' signed
// unfreeze still restarts messaging.
func TestFreezeOrderGapCannotDisableTheKillSwitch(t *testing.T) {
	tests := []struct {
		name string
		seq  int64
		body func(b *bundle, t *testing.T) []byte
		kind string
	}{
		{"garbage at max+2", 2, func(b *bundle, t *testing.T) []byte { return []byte("not an order") }, "freeze.malformed"},
		{"unsigned unfreeze at max+2", 2, func(b *bundle, t *testing.T) []byte { return b.orderBody(t, 2, false) }, "freeze.gap"},
		{"unfreeze of another number at max+2", 2, func(b *bundle, t *testing.T) []byte { return b.orderBody(t, 9, false) }, "freeze.malformed"},
		{"far ahead", 40, func(b *bundle, t *testing.T) []byte { return b.orderBody(t, 40, false) }, "freeze.gap"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := setup(t)
			nums := b.subscribe(t, 3)
			b.attack(t, `INSERT INTO freeze_orders (seq, body) VALUES (?, ?)`, tt.seq, tt.body(b, t))
			b.order(t, tt.seq+1, true) // the console's freeze: the next number after the last row
			a := b.alert(t, zip90210, "Checkpoint at Main.", "")
			b.sender.Tick(b.ctx)
			for _, n := range nums {
				if b.gotAlert(t, n, a.Ref) {
					t.Fatalf("%s got an alert approved after the freeze: the gap at %d disabled the kill switch; events %q", n, tt.seq, b.events(t))
				}
			}
			if !b.hasEvent(t, tt.kind) {
				t.Errorf("no %s event: %q", tt.kind, b.events(t))
			}
			// Once, not every poll.
			before := len(b.events(t))
			b.sender.Tick(b.ctx)
			if after := len(b.events(t)); after != before {
				t.Errorf("%d more events on the next poll: %q", after-before, b.events(t)[:after-before])
			}
			// The operators' signed unfreeze restarts messaging.
			b.order(t, tt.seq+2, false, "ana", "bob")
			b.sender.Tick(b.ctx)
			for _, n := range nums {
				if !b.gotAlert(t, n, a.Ref) {
					t.Errorf("%s did not get the alert after the signed unfreeze", n)
				}
			}
		})
	}
}

// A database writer deletes or replaces the last order the sender applied,
// so that the next freeze lands at a number the sender has passed: it must
// still freeze.
func TestFreezeOrdersRewritten(t *testing.T) {
	tests := []struct {
		name   string
		attack string
	}{
		{"last order deleted", `DELETE FROM freeze_orders WHERE seq = 2`},
		{"every order deleted", `DELETE FROM freeze_orders`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := setup(t)
			nums := b.subscribe(t, 2)
			b.order(t, 1, true)
			b.order(t, 2, false, "ana", "bob")
			b.sender.Tick(b.ctx) // frozen, then unfrozen: position 2
			if b.sender.state.Freeze.Frozen || b.sender.state.Freeze.Seq != 2 {
				t.Fatalf("freeze state %+v, want order 2 applied", b.sender.state.Freeze)
			}
			b.attack(t, `DELETE FROM freeze_sigs`)
			b.attack(t, tt.attack)
			orders, _ := b.store.FreezeOrders(b.ctx, 0)
			b.order(t, int64(len(orders))+1, true) // the console's freeze: after the last row it sees
			a := b.alert(t, zip90210, "Checkpoint at Main.", "")
			b.sender.Tick(b.ctx)
			for _, n := range nums {
				if b.gotAlert(t, n, a.Ref) {
					t.Fatalf("%s got an alert approved after the freeze: the rewritten orders hid it", n)
				}
			}
			if !b.hasEvent(t, "freeze.rewritten") {
				t.Errorf("no freeze.rewritten event: %q", b.events(t))
			}
			before := b.eventCount(t, "freeze.rewritten")
			b.sender.Tick(b.ctx)
			if n := b.eventCount(t, "freeze.rewritten"); n != before {
				t.Errorf("freeze.rewritten raised again on the next poll (%d times)", n)
			}
			// The operators' signed unfreeze, after the last row they see,
			// restarts messaging.
			orders, _ = b.store.FreezeOrders(b.ctx, 0)
			b.order(t, int64(len(orders))+1, false, "ana", "bob")
			b.sender.Tick(b.ctx)
			for _, n := range nums {
				if !b.gotAlert(t, n, a.Ref) {
					t.Errorf("%s did not get the alert after the signed unfreeze; events %q", n, b.events(t))
				}
			}
		})
	}
}

// The sender's own auto-freeze does not go through the table: a database
// writer who makes every new freeze order vanish (a trigger) does not stop
// a canary's alarm from freezing, also after a restart, and the operators'
// signed unfreeze lifts it, as it does when the sender's order is stored.
func TestAutoFreezeWithoutTheTable(t *testing.T) {
	tests := []struct {
		name     string
		trigger  bool
		unfreeze int64 // the number of the operators' unfreeze: after the last order they see
	}{
		{"its order stored", false, 2},
		{"its order dropped by a trigger", true, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := setup(t)
			nums := b.subscribe(t, 2)
			const canary, attacker = "+13105559001", "+12025550177"
			b.addCanary(t, "twilio-number-2", canary)
			if tt.trigger {
				b.attack(t, `CREATE TRIGGER mallory BEFORE INSERT ON freeze_orders BEGIN SELECT RAISE(IGNORE); END`)
			}
			b.arrive(t, attacker, canary, "Your information was sent to the authorities.")
			b.sender.Tick(b.ctx)
			if !b.hasEvent(t, "canary.subscriber") {
				t.Fatalf("no canary.subscriber event: %q", b.events(t))
			}
			if got := b.hasEvent(t, "freeze.unrecorded"); got != tt.trigger {
				t.Errorf("freeze.unrecorded raised: %v, want %v; events %q", got, tt.trigger, b.events(t))
			}
			a := b.alert(t, zip90210, "Checkpoint at Main.", "")
			b.sender.Tick(b.ctx)
			for _, n := range nums {
				if b.gotAlert(t, n, a.Ref) {
					t.Fatalf("%s got an alert after the canary's alarm: the auto-freeze depended on the freeze_orders table", n)
				}
			}
			// Restarted, it is still frozen.
			b.sender = b.newSender(t, b.sender.cfg.Provider.(*outboxProvider), b.root.Public().(ed25519PublicKey))
			b.sender.Tick(b.ctx)
			if b.gotAlert(t, nums[0], a.Ref) {
				t.Fatal("after a restart the auto-freeze was forgotten")
			}
			if tt.trigger {
				b.attack(t, `DROP TRIGGER mallory`)
			}
			b.order(t, tt.unfreeze, false, "ana")
			b.sender.Tick(b.ctx)
			if b.gotAlert(t, nums[0], a.Ref) {
				t.Fatal("an unfreeze signed by one operator lifted the auto-freeze")
			}
			b.signOrder(t, tt.unfreeze, "bob")
			b.sender.Tick(b.ctx)
			for _, n := range nums {
				if !b.gotAlert(t, n, a.Ref) {
					t.Errorf("%s did not get the alert after the signed unfreeze", n)
				}
			}
		})
	}
}

// TestFreezeRewrittenAsUnfreeze plays a database writer whose trigger turns
// every freeze order the console or tocsin freeze writes into an unsigned
// unfreeze (found by an attack run on the real binary): before, the order
// waited for signatures forever and sending went on. An unfreeze is only
// ever made to lift a freeze, so one that follows anything else freezes and
// says so.
func TestFreezeRewrittenAsUnfreeze(t *testing.T) {
	for _, tc := range []struct {
		name  string
		setup func(b *bundle)
		seq   int64
	}{
		{"first order", func(*bundle) {}, 1},
		{"after a signed unfreeze", func(b *bundle) {
			b.order(t, 1, true)
			b.order(t, 2, false, "ana", "bob")
		}, 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := setup(t)
			nums := b.subscribe(t, 3)
			tc.setup(b)
			b.sender.Tick(b.ctx)
			if b.sender.state.Freeze.Frozen {
				t.Fatal("frozen before the rewritten order")
			}
			b.order(t, tc.seq, false) // the freeze, as the trigger left it
			a := b.alert(t, zip90210, "Checkpoint at Main.", "")
			b.sender.Tick(b.ctx)
			if n := b.count(t, a.Ref); n != 0 {
				t.Errorf("%d of %d sent after a freeze rewritten as an unfreeze", n, len(nums))
			}
			if !b.hasEvent(t, "freeze.malformed") {
				t.Errorf("no freeze.malformed event; events %q", b.events(t))
			}
		})
	}
}
