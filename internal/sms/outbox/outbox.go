// Package outbox is the development SMS provider: it appends each message as
// one JSON object to a file (DATA/outbox.jsonl) instead of sending it, so a
// first-time user sees exactly what would be sent.
//
// It holds the clear phone number in that file by design, as a real provider
// would receive it; it must never be configured where real subscribers sign
// up, and it never contacts a network.
package outbox

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"sync"
	"time"

	"github.com/tocsin/tocsin/internal/sms"
)

// Line is one message as written to the file. The field names are a contract
// (see the README): to, body and at.
type Line struct {
	ID         string    `json:"id"`
	To         string    `json:"to"`
	Body       string    `json:"body"`
	At         time.Time `json:"at"`
	Key        string    `json:"key,omitempty"`
	ValidUntil time.Time `json:"valid_until,omitzero"`
}

// Provider appends messages to a JSON-lines file. It is safe for concurrent
// use and idempotent: a key seen before, in this run or an earlier one, is
// not written again.
type Provider struct {
	path string
	now  func() time.Time

	mu   sync.Mutex
	f    *os.File
	seen map[string]string // idempotency key → provider id
	n    int
}

var _ sms.Provider = (*Provider)(nil)

// Open opens (creating, mode 0600) the outbox file at path and reads the keys
// it already holds.
func Open(path string, now func() time.Time) (*Provider, error) {
	p := &Provider{path: path, now: now, seen: make(map[string]string)}
	if err := p.load(); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return nil, fmt.Errorf("outbox: %w", err)
	}
	p.f = f
	return p, nil
}

func (p *Provider) load() error {
	f, err := os.Open(p.path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("outbox: %w", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		var l Line
		if json.Unmarshal(sc.Bytes(), &l) == nil && l.Key != "" {
			p.seen[l.Key] = l.ID
		}
		p.n++
	}
	return sc.Err()
}

// Name returns "outbox".
func (p *Provider) Name() string { return "outbox" }

// Send appends m to the file, once per idempotency key.
func (p *Provider) Send(ctx context.Context, m sms.Message) (sms.Result, error) {
	if err := ctx.Err(); err != nil {
		return sms.Result{}, fmt.Errorf("%w: %w", sms.ErrTemporary, err)
	}
	if m.To.IsZero() {
		return sms.Result{}, fmt.Errorf("%w: no recipient", sms.ErrPermanent)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if id, ok := p.seen[m.IdempotencyKey]; ok && m.IdempotencyKey != "" {
		return sms.Result{ProviderID: id}, nil
	}
	p.n++
	l := Line{ID: fmt.Sprintf("OB%08d", p.n), To: m.To.E164(), Body: m.Body, At: p.now().UTC(), Key: m.IdempotencyKey, ValidUntil: m.ValidUntil}
	b, err := json.Marshal(l)
	if err != nil {
		return sms.Result{}, fmt.Errorf("outbox: %w", err)
	}
	if _, err := p.f.Write(append(b, '\n')); err != nil {
		return sms.Result{}, fmt.Errorf("%w: outbox write: %w", sms.ErrTemporary, err)
	}
	if m.IdempotencyKey != "" {
		p.seen[m.IdempotencyKey] = l.ID
	}
	return sms.Result{ProviderID: l.ID}, nil
}

// Close closes the file.
func (p *Provider) Close() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.f.Close()
}
