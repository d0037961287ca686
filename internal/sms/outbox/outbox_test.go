package outbox

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tocsin/tocsin/internal/phone"
	"github.com/tocsin/tocsin/internal/sms"
)

func TestOutbox(t *testing.T) {
	path := filepath.Join(t.TempDir(), "outbox.jsonl")
	now := func() time.Time { return time.Date(2026, 11, 25, 14, 0, 0, 0, time.UTC) }
	to, _ := phone.Parse("+13105550123", "US")
	ctx := context.Background()

	p, err := Open(path, now)
	if err != nil {
		t.Fatal(err)
	}
	first, err := p.Send(ctx, sms.Message{To: to, Body: "hello", IdempotencyKey: "k1"})
	if err != nil {
		t.Fatal(err)
	}
	again, err := p.Send(ctx, sms.Message{To: to, Body: "hello", IdempotencyKey: "k1"})
	if err != nil || again.ProviderID != first.ProviderID {
		t.Fatalf("a repeated key gave %v, %v; want the first id %s", again, err, first.ProviderID)
	}
	p.Close()

	// A restart remembers the keys already written.
	p, err = Open(path, now)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if r, err := p.Send(ctx, sms.Message{To: to, Body: "hello", IdempotencyKey: "k1"}); err != nil || r.ProviderID != first.ProviderID {
		t.Fatalf("after reopen: %v, %v", r, err)
	}
	if _, err := p.Send(ctx, sms.Message{To: to, Body: "second", IdempotencyKey: "k2"}); err != nil {
		t.Fatal(err)
	}
	if _, err := p.Send(ctx, sms.Message{Body: "nobody"}); !errors.Is(err, sms.ErrPermanent) {
		t.Errorf("no recipient: %v, want ErrPermanent", err)
	}

	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(lines) != 2 {
		t.Fatalf("%d lines, want 2:\n%s", len(lines), b)
	}
	var l map[string]any
	if err := json.Unmarshal([]byte(lines[0]), &l); err != nil {
		t.Fatal(err)
	}
	if l["to"] != "+13105550123" || l["body"] != "hello" || l["at"] != "2026-11-25T14:00:00Z" {
		t.Errorf("line = %v, want to (E.164), body and at (RFC 3339)", l)
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want 0600", fi.Mode().Perm())
	}
}

// Two processes sharing one outbox (sender workers sharing one provider
// account): each key is written once, whoever sends it, and ids stay unique.
func TestSharedOutbox(t *testing.T) {
	path := filepath.Join(t.TempDir(), "outbox.jsonl")
	ctx := context.Background()
	to, _ := phone.Parse("+13105550123", "US")
	a, err := Open(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	b, err := Open(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	ids := map[string]bool{}
	for i := range 50 {
		key := "k" + strings.Repeat("x", i%25) // each key twice, once through each
		p := a
		if i%2 == 1 {
			p = b
		}
		res, err := p.Send(ctx, sms.Message{To: to, Body: "hello", IdempotencyKey: key})
		if err != nil {
			t.Fatal(err)
		}
		ids[res.ProviderID] = true
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Count(string(raw), "\n")
	if lines != 25 || len(ids) != 25 {
		t.Errorf("%d lines and %d ids for 25 keys sent twice through two handles", lines, len(ids))
	}
}

// A line torn by a writer that died mid-line does not swallow the next one.
func TestTornLine(t *testing.T) {
	path := filepath.Join(t.TempDir(), "outbox.jsonl")
	to, _ := phone.Parse("+13105550123", "US")
	ctx := context.Background()
	p, err := Open(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Send(ctx, sms.Message{To: to, Body: "one", IdempotencyKey: "k1"}); err != nil {
		t.Fatal(err)
	}
	p.Close()
	f, _ := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	f.WriteString(`{"id":"OB00000002","to":"+1310`) // torn
	f.Close()
	p, err = Open(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if _, err := p.Send(ctx, sms.Message{To: to, Body: "two", IdempotencyKey: "k2"}); err != nil {
		t.Fatal(err)
	}
	p.Close()
	p2, err := Open(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer p2.Close()
	res, err := p2.Send(ctx, sms.Message{To: to, Body: "two", IdempotencyKey: "k2"})
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := os.ReadFile(path)
	if strings.Count(string(raw), `"body":"two"`) != 1 || res.ProviderID == "" {
		t.Errorf("after a torn line, k2 was written %d times:\n%s", strings.Count(string(raw), `"body":"two"`), raw)
	}
}
