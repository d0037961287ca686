// Package canary watches the canary subscribers: numbers operators own,
// subscribed like anyone, which should only ever receive the alerts the
// sender verified. A text reaching one that tocsin did not send means the
// subscriber list or the provider account is in someone else's hands: a
// critical event and the response (package response). It never replies.
package canary

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/tocsin/tocsin"
	"github.com/tocsin/tocsin/internal/audit"
	"github.com/tocsin/tocsin/internal/phone"
	"github.com/tocsin/tocsin/internal/sender/config"
	"github.com/tocsin/tocsin/internal/sender/events"
	"github.com/tocsin/tocsin/internal/sender/response"
	"github.com/tocsin/tocsin/internal/sender/starts"
	"github.com/tocsin/tocsin/internal/sender/state"
	"github.com/tocsin/tocsin/internal/sender/vault"
	"github.com/tocsin/tocsin/internal/sms"
	"github.com/tocsin/tocsin/internal/store"
)

// Store is what the watch reads and writes outside a transaction.
type Store interface {
	events.Querier
	starts.AlertsQuerier
	AuditChain(ctx context.Context) ([]audit.Link, error)
}

// Querier is what handling a text to a canary does in its transaction.
type Querier interface {
	response.Querier
	GetStart(ctx context.Context, alertID string) (*store.AlertStart, error)
	DeleteInbound(ctx context.Context, id int64) error
}

// TxStore is a store that runs transactions (the command line's).
type TxStore interface {
	InTx(ctx context.Context, fn func(q store.Querier) error) error
}

// Watch checks the texts that reach canary subscribers.
type Watch struct {
	cfg      *config.Config // StateDir, Keys
	store    Store
	state    *state.Dir
	events   *events.Recorder
	starts   *starts.Book
	response *response.Responder
	canaries []Canary
	read     time.Time // modification time of the canary file read
	blind    bool      // canary.unchecked raised
	checked  bool      // the canary file compared with the audit trail
}

// New returns the Watch of a sender.
func New(cfg *config.Config, st Store, dir *state.Dir, ev *events.Recorder, b *starts.Book, r *response.Responder) *Watch {
	return &Watch{cfg: cfg, store: st, state: dir, events: ev, starts: b, response: r}
}

// Canary subscribers are decoys: numbers of the service's own provider
// account, subscribed like anyone else, so that every genuine alert reaches
// them (their arrival measures real delivery) and any other text that
// reaches them — from our number or another — shows that the subscriber
// list or the provider account is in someone else's hands. In the database
// they are subscribers like the rest; only the sender's own directory says
// which they are (File), so a stolen list does not give them away.

// File is where the sender keeps its canary subscribers, in its state
// directory: copy it to every sender of a cluster.
const File = "canaries.json"

// Canary is one canary subscriber as the sender keeps it.
type Canary struct {
	Label string    `json:"label"`
	Hash  string    `json:"hash"` // hex keyed hash of the number (vault.Keys.Hash)
	Added time.Time `json:"added"`
	// OtherAccount: the number belongs to another provider account or
	// carrier than the one tocsin sends through; its texts arrive through
	// the canary hook.
	OtherAccount bool `json:"other_account,omitempty"`
}

// ReadCanaries reads the canary subscribers of a state directory (none when
// it has no file).
func ReadCanaries(stateDir string) ([]Canary, error) {
	b, err := os.ReadFile(filepath.Join(stateDir, File))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("canaries: %w", err)
	}
	var cs []Canary
	if err := json.Unmarshal(b, &cs); err != nil {
		return nil, fmt.Errorf("canaries: %s is damaged: %w", File, err)
	}
	return cs, nil
}

// AddCanarySubscriber subscribes number to zip as a canary: it stores the
// subscriber as the sender stores a JOIN (sealed, hashed) and records it in
// the state directory's canary file (mode 0600). otherAccount says the
// number is on another provider account or carrier (its texts arrive
// through the canary hook).
func AddCanarySubscriber(ctx context.Context, st TxStore, keys *vault.Keys, stateDir, label string, otherAccount bool, number phone.Number, areas []tocsin.SubscriberArea, now time.Time) error {
	if label == "" {
		return errors.New("a canary needs a label (for example the provider number's name)")
	}
	cs, err := ReadCanaries(stateDir)
	if err != nil {
		return err
	}
	hash := hex.EncodeToString(keys.Hash(number))
	for _, c := range cs {
		if c.Label == label || c.Hash == hash {
			return fmt.Errorf("canary %q exists already", c.Label)
		}
	}
	sealed, err := phone.NewSealer(keys.Public()).Seal(number)
	if err != nil {
		return err
	}
	sub := &tocsin.Subscriber{PhoneHash: keys.Hash(number), Sealed: sealed, Lang: tocsin.English, Active: true, Areas: areas, CreatedAt: now, UpdatedAt: now}
	err = st.InTx(ctx, func(q store.Querier) error {
		if err := q.SaveSubscriber(ctx, sub); err != nil {
			return err
		}
		// The trail says a canary was added (not which subscriber), so a
		// sender whose directory lacks it can tell (Check).
		return q.AppendAudit(ctx, &tocsin.AuditEntry{At: now, Actor: "cli", Action: canaryAddedAction, Detail: "a canary subscriber was added"})
	})
	if err != nil {
		return fmt.Errorf("canary subscriber: %w", err)
	}
	cs = append(cs, Canary{Label: label, Hash: hash, Added: now.UTC(), OtherAccount: otherAccount})
	b, _ := json.MarshalIndent(cs, "", "  ")
	if err := os.MkdirAll(stateDir, 0o700); err != nil {
		return err
	}
	tmp := filepath.Join(stateDir, File+".tmp")
	if err := os.WriteFile(tmp, b, 0o600); err != nil {
		return fmt.Errorf("canaries: %w", err)
	}
	return os.Rename(tmp, filepath.Join(stateDir, File))
}

// For returns the canary whose number has this hash, reading the
// canary file again when it changed.
func (s *Watch) For(hash []byte) (*Canary, error) {
	fi, err := os.Stat(filepath.Join(s.cfg.StateDir, File))
	switch {
	case errors.Is(err, fs.ErrNotExist):
		s.canaries, s.read = nil, time.Time{}
	case err != nil:
		return nil, err
	case !fi.ModTime().Equal(s.read):
		cs, err := ReadCanaries(s.cfg.StateDir)
		if err != nil {
			return nil, err
		}
		s.canaries, s.read = cs, fi.ModTime()
	}
	h := hex.EncodeToString(hash)
	for i := range s.canaries {
		if s.canaries[i].Hash == h {
			return &s.canaries[i], nil
		}
	}
	return nil, nil
}

// HookName is the provider name of the canary hook's requests
// (/hooks/sms/canary): the inbound path of canary subscribers on another
// provider account or carrier.
const HookName = "canary"

// HookText handles a text that arrived through the canary hook. That
// path serves only canaries, so every text on it is checked as one: a text
// to a number no canary of this sender has is still a canary's.
func (s *Watch) HookText(ctx context.Context, q Querier, m tocsin.Inbound, t *sms.InboundText) error {
	var c *Canary
	if !t.To.IsZero() {
		var err error
		if c, err = s.For(s.cfg.Keys.Hash(t.To)); err != nil {
			return err
		}
	}
	if c == nil {
		c = &Canary{Label: "canary account", OtherAccount: true}
	}
	return s.Text(ctx, q, m, c)
}

// ErrNoHook: a request reached the canary hook of a sender that has
// nothing to check it with.
var ErrNoHook = errors.New("no canary hook is configured (--canary-hook)")

// Unchecked raises, once per process, that texts to canaries on
// another account arrive but cannot be checked: those canaries are blind.
func (s *Watch) Unchecked(ctx context.Context) error {
	if s.blind {
		return nil
	}
	s.blind = true
	return s.events.Event(ctx, s.store, &store.SecurityEvent{Kind: "canary.unchecked", Severity: store.SeverityHigh, Subject: s.state.ID,
		Detail: "texts reach /hooks/sms/canary but this sender has no --canary-hook to check them with: they are dropped, and canaries on another account catch nothing"})
}

// Text handles a text that reached a canary subscriber: a genuine
// alert (its delivery time is noted), or the sign of an intruder (a
// critical event, a freeze if the rule says so, a correction draft). It
// never replies.
func (s *Watch) Text(ctx context.Context, q Querier, m tocsin.Inbound, c *Canary) error {
	signed, err := s.starts.SignedTexts(ctx, s.store)
	if err != nil {
		return err
	}
	id, ok := signed[m.Body]
	if !ok {
		// What carriers do to a text on the way (line breaks, spacing,
		// case) does not make a genuine alert an intruder's.
		for text, aid := range signed {
			if sameText(text, m.Body) {
				id, ok = aid, true
				break
			}
		}
	}
	if ok {
		detail := "a genuine alert reached the canary"
		if start, err := q.GetStart(ctx, id); err == nil {
			detail = fmt.Sprintf("a genuine alert reached the canary %s after it was started", m.ReceivedAt.Sub(start.StartedAt).Round(time.Second))
		}
		if err := s.events.Audit(ctx, q, "canary.delivered", c.Label, detail); err != nil {
			return err
		}
		return q.DeleteInbound(ctx, m.ID)
	}
	why := fmt.Sprintf("canary subscriber %q received a text that tocsin did not send (through %s): the subscriber list or the provider account is in someone else's hands. It began: %q",
		c.Label, m.Provider, excerpt(m.Body, 80))
	if err := s.events.Event(ctx, q, &store.SecurityEvent{Kind: "canary.subscriber", Severity: store.SeverityCritical, Subject: c.Label, Detail: why}); err != nil {
		return err
	}
	if err := q.DeleteInbound(ctx, m.ID); err != nil {
		return err
	}
	return s.response.Respond(ctx, q, response.RuleCanarySubscriber, why, m.Body)
}

var digitRun = regexp.MustCompile(`\+?\d[\d\s().-]{5,}\d`)

// excerpt is the start of an attacker's text for an event, without
// anything that looks like a phone number.
func excerpt(s string, n int) string {
	s = digitRun.ReplaceAllString(s, "[number]")
	if r := []rune(s); len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}

// sameText compares two texts as a phone shows them: spacing, line breaks
// and case aside.
func sameText(a, b string) bool {
	return strings.EqualFold(strings.Join(strings.Fields(a), " "), strings.Join(strings.Fields(b), " "))
}

// canaryAddedAction is the audit action of a canary subscriber's creation.
const canaryAddedAction = "canary.subscriber.add"

// Check compares the canary subscribers this sender knows (its
// canaries.json) with the number the audit trail says were added: a
// coordinator without the file would let every text to a canary pass as a
// subscriber's. A mismatch is a security event, raised once.
func (s *Watch) Check(ctx context.Context) error {
	if s.checked {
		return nil
	}
	s.checked = true
	trail, err := s.store.AuditChain(ctx)
	if err != nil {
		return err
	}
	added := 0
	for _, l := range trail {
		if l.Entry.Action == canaryAddedAction {
			added++
		}
	}
	known, err := ReadCanaries(s.cfg.StateDir)
	if err != nil {
		return err
	}
	if len(known) >= added {
		return nil
	}
	return s.events.Event(ctx, s.store, &store.SecurityEvent{Kind: "canary.missing", Severity: store.SeverityHigh, Subject: s.state.ID,
		Detail: fmt.Sprintf("this sender knows %d canary subscribers; %d were added: copy %s from the sender where they were added, or texts to them pass unseen", len(known), added, File)})
}
