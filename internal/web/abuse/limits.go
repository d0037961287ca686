// Package abuse bounds what callers who are not signed in can spend: token
// buckets in the database per area, per number prefix and service-wide,
// and a proof of work asked for when the service-wide bucket is empty. It
// is shared state: one Limiter per web tier, handed to the surfaces that
// take anonymous requests and to the console page that shows the counts.
//
// It must never import a surface package, the sender, a provider or the
// vault, and it never keeps an address or a number: a prefix is named by a
// keyed hash.
package abuse

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"sync"
	"time"

	"github.com/tocsin/tocsin"
	"github.com/tocsin/tocsin/internal/geo"
	"github.com/tocsin/tocsin/internal/phone"
	"github.com/tocsin/tocsin/internal/pow"
	"github.com/tocsin/tocsin/internal/store"
)

// Limits bounds, per hour, what callers who are not signed in can spend.
// Each is a token bucket in the database, shared by every web replica: it
// refills continuously and holds ten minutes' worth (see Hourly). Zero fields take the
// defaults (DefaultLimits).
//
// A request takes a token from the buckets of its area (and, for a
// sign-up, of its number's prefix) and from the service-wide bucket, all or
// none. An empty area or prefix bucket refuses (429): one client can spend
// its own area's share, never another's. An empty service-wide bucket does
// not refuse: it asks anonymous callers for a proof of work, and a caller
// that brings one skips that bucket. Partner API keys skip it too and have
// a bucket of their own. Every refusal and every proof of work asked is
// counted, by kind, for the console.
type Limits struct {
	SignupsPerHour          int // web sign-ups across the service
	SignupsPerAreaPerHour   int // per area (an S2 cell of geo.AreaLevel)
	SignupsPerPrefixPerHour int // per number prefix (E.164 less its last 4 digits)
	ReportsPerHour          int // reports by the form and the anonymous API
	ReportsPerAreaPerHour   int
	CodesPerHour            int // confirmation codes entered on the web
	CodesPerAreaPerHour     int
	APIKeyReportsPerHour    int // reports per partner API key
	// PoWMaxNumber is the proof of work's difficulty: the solver tries
	// PoWMaxNumber/2 hashes on average. Negative: never ask for one, and
	// refuse once the service-wide bucket is empty.
	PoWMaxNumber int
}

// DefaultLimits are the limits of a fresh install.
var DefaultLimits = Limits{
	SignupsPerHour: 500, SignupsPerAreaPerHour: 300, SignupsPerPrefixPerHour: 20,
	ReportsPerHour: 600, ReportsPerAreaPerHour: 300,
	CodesPerHour: 1000, CodesPerAreaPerHour: 240,
	APIKeyReportsPerHour: 1000,
	PoWMaxNumber:         20000,
}

// withDefaults fills zero fields from DefaultLimits.
func (l Limits) withDefaults() Limits {
	d := DefaultLimits
	for _, f := range []struct{ v, def *int }{
		{&l.SignupsPerHour, &d.SignupsPerHour}, {&l.SignupsPerAreaPerHour, &d.SignupsPerAreaPerHour},
		{&l.SignupsPerPrefixPerHour, &d.SignupsPerPrefixPerHour}, {&l.ReportsPerHour, &d.ReportsPerHour},
		{&l.ReportsPerAreaPerHour, &d.ReportsPerAreaPerHour}, {&l.CodesPerHour, &d.CodesPerHour},
		{&l.CodesPerAreaPerHour, &d.CodesPerAreaPerHour}, {&l.APIKeyReportsPerHour, &d.APIKeyReportsPerHour},
		{&l.PoWMaxNumber, &d.PoWMaxNumber},
	} {
		if *f.v == 0 {
			*f.v = *f.def
		}
	}
	return l
}

// Kinds of request the limits count, and their refusal kinds.
const (
	KindSignup = "signup"
	KindReport = "report"
	KindCode   = "code"

	RefusedPoWBad    = "pow:refused"  // a forged, wrong or late solution
	RefusedPoWReplay = "pow:replayed" // a solution sent a second time
	RefusedAPIKey    = "apikey"
)

// powTTL is how long a challenge may be answered: long enough to fill in a
// form after the page came with one.
const powTTL = 20 * time.Minute

// loadMemory is how long a replica keeps asking for a proof of work up
// front (on the form it serves) after it found a service-wide bucket empty.
const loadMemory = 2 * time.Minute

// Hourly is a bucket refilled at perHour an hour that holds ten minutes'
// worth: at least 6 (or perHour, when fewer), so that a few people at once
// are never refused, and a flood gets a sixth of the hour at most.
func Hourly(key string, perHour int) store.Bucket {
	burst := perHour / 6
	if burst < 6 {
		burst = min(perHour, 6)
	}
	return store.Bucket{Key: key, Rate: float64(perHour) / 3600, Burst: float64(max(burst, 1))}
}

// ErrPoW asks the caller for a proof of work: the service-wide limit is
// reached, and the caller brought no valid one.
type ErrPoW struct {
	Challenge pow.Challenge
	Why       string // RefusedPoWBad or RefusedPoWReplay when one was refused
}

func (e *ErrPoW) Error() string { return "proof of work required" }

// Limiter holds what a replica keeps in memory about the limits: the key
// that names prefixes, the challenge issuer, when it last found each
// service-wide bucket empty, and refusal counts not yet written.
type Limiter struct {
	limits    Limits
	prefixKey []byte
	issuer    pow.Issuer
	st        store.Limits
	log       *slog.Logger
	now       func() time.Time
	sms       []phone.Public // the service's numbers, named in a sign-up's refusal

	mu        sync.Mutex
	loadUntil map[string]time.Time
	pending   map[string]int
	flushedAt time.Time
	purgedAt  time.Time
}

// New returns the limiter of a web tier: webKey derives the prefixes' key
// and the challenges' key; sms are the service's numbers.
func New(l Limits, webKey []byte, st store.Limits, log *slog.Logger, now func() time.Time, sms []phone.Public) *Limiter {
	l = l.withDefaults()
	return &Limiter{
		st: st, log: log, now: now, sms: sms,
		limits:    l,
		prefixKey: derive(webKey, "tocsin/limit-prefix/v1"),
		issuer:    pow.Issuer{Key: derive(webKey, "tocsin/pow-key/v1"), MaxNumber: max(l.PoWMaxNumber, 1), TTL: powTTL},
		loadUntil: map[string]time.Time{},
		pending:   map[string]int{},
	}
}

func derive(key []byte, label string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(label))
	return m.Sum(nil)
}

// AreaKey names the area of a point.
func AreaKey(kind string, p geo.Point) string {
	return kind + ":cell:" + strconv.FormatUint(geo.AreaCell(p), 16)
}

// PrefixBucketKey names a number's prefix (E.164 less its last 4 digits) by a
// keyed hash: a prefix is shared by 10,000 numbers and identifies no one,
// and the hash keeps even that out of the database.
func (l *Limiter) PrefixBucketKey(kind string, n phone.Number) string {
	e := n.E164()
	prefix := e[:max(len(e)-4, 1)]
	m := hmac.New(sha256.New, l.prefixKey)
	m.Write([]byte(prefix))
	return kind + ":prefix:" + hex.EncodeToString(m.Sum(nil)[:8])
}

// global is the service-wide bucket of kind.
func (l *Limiter) global(kind string) store.Bucket {
	switch kind {
	case KindSignup:
		return Hourly(KindSignup+":global", l.limits.SignupsPerHour)
	case KindCode:
		return Hourly(KindCode+":global", l.limits.CodesPerHour)
	default:
		return Hourly(KindReport+":global", l.limits.ReportsPerHour)
	}
}

// Admit lets an anonymous request of kind go on, or says why not: an
// *ErrPoW when the service-wide bucket (taken first) is empty and no valid
// proof of work came with the request, or when the one that came is not
// valid; a *tocsin.Error ETOOMANY when a bucket of its own scope is empty.
// scoped are the request's area and prefix buckets; solution is the proof
// of work it carries ("" for none).
func (l *Limiter) Admit(ctx context.Context, kind string, scoped []store.Bucket, solution string) error {
	now := l.now()
	l.purgeLimits(ctx, now)
	solved := false
	if solution != "" && l.limits.PoWMaxNumber > 0 {
		why, err := l.spendSolution(ctx, solution, now)
		if err != nil {
			return err
		}
		if why != "" {
			l.CountRefusal(ctx, why, now)
			return l.askPoW(kind, why, now)
		}
		solved = true
	}
	// The service-wide bucket first: under a flood it is the empty one, and
	// a request it holds back costs one statement.
	buckets := scoped
	if !solved {
		buckets = append([]store.Bucket{l.global(kind)}, scoped...)
	}
	empty, err := l.st.TakeTokens(ctx, buckets, now)
	if err != nil {
		return err
	}
	if empty < 0 {
		return nil
	}
	if solved || empty > 0 {
		l.CountRefusal(ctx, bucketKind(buckets[empty].Key), now)
		return tocsin.Errorf(tocsin.ETOOMANY, "%s%s", tooManyMessage(kind), l.joinNumber(kind))
	}
	l.mu.Lock()
	l.loadUntil[kind] = now.Add(loadMemory)
	l.mu.Unlock()
	l.CountRefusal(ctx, kind+":global", now)
	if l.limits.PoWMaxNumber < 0 {
		return tocsin.Errorf(tocsin.ETOOMANY, "%s%s", busyMessage(kind), l.joinNumber(kind))
	}
	return l.askPoW(kind, "", now)
}

// spendSolution checks a proof of work and records it as spent; why says
// what was wrong with it ("" when it is good).
func (l *Limiter) spendSolution(ctx context.Context, solution string, now time.Time) (why string, err error) {
	id, expires, err := l.issuer.Check(solution, now)
	if err != nil {
		return RefusedPoWBad, nil
	}
	err = l.st.SpendChallenge(ctx, id, expires, now)
	if tocsin.ErrorCode(err) == tocsin.ECONFLICT {
		return RefusedPoWReplay, nil
	}
	return "", err
}

func (l *Limiter) askPoW(kind, why string, now time.Time) error {
	c, err := l.issuer.New(now)
	if err != nil {
		return fmt.Errorf("proof-of-work challenge: %w", err)
	}
	return &ErrPoW{Challenge: c, Why: why}
}

// UnderLoad tells whether this replica found kind's service-wide bucket
// empty lately, so a form can carry a challenge before it is sent.
func (l *Limiter) UnderLoad(kind string) bool {
	if l.limits.PoWMaxNumber <= 0 {
		return false
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.now().Before(l.loadUntil[kind])
}

// bucketKind is a bucket key less its scope: "signup:prefix:ab12…" →
// "signup:prefix".
func bucketKind(key string) string {
	n := 0
	for i := range len(key) {
		if key[i] == ':' {
			if n++; n == 2 {
				return key[:i]
			}
		}
	}
	return key
}

// joinNumber ends a sign-up's refusal ("… text JOIN and your ZIP code")
// with the number to text, when the service's number is set.
func (l *Limiter) joinNumber(kind string) string {
	if kind != KindSignup || len(l.sms) == 0 {
		return ""
	}
	return " to " + l.sms[0].String()
}

// busyMessage says the service-wide limit is reached (with no proof of
// work to offer).
func busyMessage(kind string) string {
	switch kind {
	case KindSignup:
		return "too many people are signing up right now; please try again in an hour, or text JOIN and your ZIP code"
	case KindCode:
		return "too many codes are being entered right now; please try again in a few minutes"
	default:
		return "too many reports are arriving right now; please try again in a few minutes, or call or text the hotline"
	}
}

// tooManyMessage says the limit of the request's own area or prefix is
// reached.
func tooManyMessage(kind string) string {
	switch kind {
	case KindSignup:
		return "too many sign-ups are coming from this area or these numbers right now; please try again in an hour, or text JOIN and your ZIP code"
	case KindCode:
		return "too many codes are being entered for this area right now; please try again in a few minutes"
	default:
		return "too many reports are coming from this area right now; please try again in a few minutes, or call or text the hotline"
	}
}

// CountRefusal counts a request held back. Counts are kept in memory and
// written at most once a second (a flood of refusals must not become a
// flood of writes); FlushRefusals writes them at once.
func (l *Limiter) CountRefusal(ctx context.Context, kind string, now time.Time) {
	l.mu.Lock()
	l.pending[kind]++
	due := now.Sub(l.flushedAt) >= time.Second
	l.mu.Unlock()
	if due {
		l.FlushRefusals(ctx, now)
	}
}

// FlushRefusals writes the counts kept in memory; those it cannot write
// stay for the next time.
func (l *Limiter) FlushRefusals(ctx context.Context, now time.Time) {
	l.mu.Lock()
	pending := l.pending
	l.pending, l.flushedAt = map[string]int{}, now
	l.mu.Unlock()
	for kind, n := range pending {
		if err := l.st.CountRefusals(context.WithoutCancel(ctx), kind, n, now); err != nil {
			l.log.Error("refusals not counted", "kind", kind, "err", err)
			l.mu.Lock()
			l.pending[kind] += n
			l.mu.Unlock()
		}
	}
}

// purgeLimits forgets, every ten minutes, the buckets idle for an hour
// (full again by then: a bucket holds at most an hour's worth) and the
// counts older than a week.
func (l *Limiter) purgeLimits(ctx context.Context, now time.Time) {
	l.mu.Lock()
	due := now.Sub(l.purgedAt) >= 10*time.Minute
	if due {
		l.purgedAt = now
	}
	l.mu.Unlock()
	if !due {
		return
	}
	if err := l.st.PurgeLimits(ctx, now.Add(-time.Hour), now.Add(-7*24*time.Hour)); err != nil {
		l.log.Error("purge limits", "err", err)
	}
}

// IsPoW reports whether err asks for a proof of work.
func IsPoW(err error) (*ErrPoW, bool) {
	var e *ErrPoW
	return e, errors.As(err, &e)
}

// Limits are the limits in force (defaults filled in).
func (l *Limiter) Limits() Limits { return l.limits }

// NewChallenge issues a fresh proof-of-work challenge.
func (l *Limiter) NewChallenge() (pow.Challenge, error) { return l.issuer.New(l.now()) }
