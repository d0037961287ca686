// Package outbox is the development SMS provider: it appends each message as
// one JSON object to a file (DATA/outbox.jsonl) instead of sending it, so a
// first-time user sees exactly what would be sent.
//
// It holds the clear phone number in that file by design, as a real provider
// would receive it; it must never be configured where real subscribers sign
// up, and it never contacts a network.
package outbox

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
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
// use, by goroutines and by processes sharing the file (as sender workers
// share one provider account), and idempotent: a key seen before, in this
// run, an earlier one or another process, is not written again.
type Provider struct {
	path string
	now  func() time.Time

	mu   sync.Mutex
	f    *os.File
	off  int64             // how much of the file has been read into seen
	seen map[string]string // idempotency key → provider id
	n    int
}

var _ sms.Provider = (*Provider)(nil)

// Open opens (creating, mode 0600) the outbox file at path and reads the keys
// it already holds.
func Open(path string, now func() time.Time) (*Provider, error) {
	if now == nil {
		now = time.Now
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR|os.O_APPEND, 0o600)
	if err != nil {
		return nil, fmt.Errorf("outbox: %w", err)
	}
	p := &Provider{path: path, now: now, f: f, seen: make(map[string]string)}
	if err := p.locked(p.catchUp); err != nil {
		f.Close()
		return nil, err
	}
	return p, nil
}

// locked runs fn holding the file's lock, which every process sharing the
// file takes around reading the new lines and appending one.
func (p *Provider) locked(fn func() error) error {
	if err := lockFile(p.f); err != nil {
		return fmt.Errorf("outbox: lock: %w", err)
	}
	defer unlockFile(p.f)
	return fn()
}

// catchUp reads the complete lines written since the last read, by this
// process or another, noting their keys.
func (p *Provider) catchUp() error {
	fi, err := p.f.Stat()
	if err != nil {
		return fmt.Errorf("outbox: %w", err)
	}
	if fi.Size() <= p.off {
		return nil
	}
	b := make([]byte, fi.Size()-p.off)
	if _, err := p.f.ReadAt(b, p.off); err != nil && !errors.Is(err, io.EOF) {
		return fmt.Errorf("outbox: %w", err)
	}
	end := bytes.LastIndexByte(b, '\n')
	if end < len(b)-1 {
		// A torn last line (a writer died mid-line; writers hold the
		// lock, so none is still writing): end it, so the next line
		// stands on its own. The torn one is dropped.
		if _, err := p.f.Write([]byte{'\n'}); err != nil {
			return fmt.Errorf("outbox: %w", err)
		}
		b = append(b, '\n')
		end = len(b) - 1
	}
	for _, line := range bytes.Split(b[:end], []byte{'\n'}) {
		var l Line
		if json.Unmarshal(line, &l) == nil && l.Key != "" {
			p.seen[l.Key] = l.ID
		}
		p.n++
	}
	p.off += int64(end + 1)
	return nil
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
	var res sms.Result
	err := p.locked(func() error {
		if err := p.catchUp(); err != nil {
			return fmt.Errorf("%w: %w", sms.ErrTemporary, err)
		}
		if id, ok := p.seen[m.IdempotencyKey]; ok && m.IdempotencyKey != "" {
			res.ProviderID = id
			return nil
		}
		l := Line{ID: fmt.Sprintf("OB%08d", p.n+1), To: m.To.E164(), Body: m.Body, At: p.now().UTC(), Key: m.IdempotencyKey, ValidUntil: m.ValidUntil}
		b, err := json.Marshal(l)
		if err != nil {
			return fmt.Errorf("outbox: %w", err)
		}
		n, err := p.f.Write(append(b, '\n'))
		if err != nil {
			return fmt.Errorf("%w: outbox write: %w", sms.ErrTemporary, err)
		}
		p.n++
		p.off += int64(n)
		if m.IdempotencyKey != "" {
			p.seen[m.IdempotencyKey] = l.ID
		}
		res.ProviderID = l.ID
		return nil
	})
	return res, err
}

// Close closes the file.
func (p *Provider) Close() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.f.Close()
}
