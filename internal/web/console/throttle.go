package console

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"net/netip"
	"sync"
	"time"

	"github.com/tocsin/tocsin/internal/auth"
)

// sourceThrottle counts failed log-ins per account and network source, so
// that failures from one network delay that network only and never the
// operator elsewhere. It lives in this process's memory and nowhere else: an
// entry is named by an HMAC of the account name and the source prefix under
// a random key made for each window (auth.FailureWindow) and dropped after
// the next, and an entry is forgotten a window after its last failure. So
// nothing on disk ever holds an address or a hash of one, and once a key is
// dropped not even this process can tell which network an entry was.
//
// Each web replica counts on its own: behind a load balancer a network gets
// its free tries at each replica. The account-wide counts (in the
// database) are shared.
type sourceThrottle struct {
	mu     sync.Mutex
	window time.Duration
	max    int // entries per generation; past it new sources go uncounted
	cur    *generation
	prev   *generation
	newKey func() [32]byte
}

// generation is one window's key and the entries named under it.
type generation struct {
	epoch   int64
	key     [32]byte
	entries map[[32]byte]*sourceEntry
}

type sourceEntry struct {
	failures int
	last     time.Time
	before   time.Time // last before the latest try, for refund
}

func newSourceThrottle(window time.Duration, max int) *sourceThrottle {
	return &sourceThrottle{window: window, max: max, newKey: func() (k [32]byte) {
		rand.Read(k[:])
		return k
	}}
}

// try counts a try of the source against account before it is made, so
// that tries sent at once cannot all pass one check: it refuses one the
// source's earlier failures still hold back (ok false, and until when), and
// else returns the source's count with this try (0 when the table is full
// and the source goes uncounted). A try that turns out right is given back
// with refund, or all are forgotten with succeeded.
func (t *sourceThrottle) try(account string, src netip.Prefix, now time.Time) (until time.Time, n int, ok bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	e := t.find(account, src, now, true)
	if e == nil {
		return time.Time{}, 0, true
	}
	if until, locked := auth.Locked(e.failures, e.last, now); locked {
		return until, e.failures, false
	}
	e.failures++
	e.before, e.last = e.last, now
	return time.Time{}, e.failures, true
}

// anySource names the entry that counts an account's failures from every
// source together; it is used only for names that are not accounts, whose
// failures no database row counts.
var anySource netip.Prefix

// unknownFailure counts a failed log-in under a name that is no account,
// from any source, and returns how many came before it in the window, so
// that such a name turns to the one-form log-in (auth.UnderAttack) exactly
// as a real account does and the answers do not tell the two apart.
func (t *sourceThrottle) unknownFailure(account string, now time.Time) int {
	t.mu.Lock()
	defer t.mu.Unlock()
	e := t.find(account, anySource, now, true)
	if e == nil {
		return 0
	}
	before := e.failures
	if !auth.UnderAttack(before, e.last, now) && now.Sub(e.last) >= t.window {
		before = 0
	}
	e.failures++
	e.before, e.last = e.last, now
	return before
}

// unknownUnderAttack reports whether a name that is no account has had
// auth.ManyFailures failures in the window, without counting a try.
func (t *sourceThrottle) unknownUnderAttack(account string, now time.Time) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	e := t.find(account, anySource, now, false)
	return e != nil && auth.UnderAttack(e.failures, e.last, now)
}

// refund gives back a try that was not a failure.
func (t *sourceThrottle) refund(account string, src netip.Prefix, now time.Time) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if e := t.find(account, src, now, false); e != nil && e.failures > 0 {
		e.failures--
		e.last = e.before
	}
}

// succeeded forgets the source's failures against account.
func (t *sourceThrottle) succeeded(account string, src netip.Prefix, now time.Time) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.rotate(now)
	for _, g := range []*generation{t.cur, t.prev} {
		if g != nil {
			delete(g.entries, g.name(account, src))
		}
	}
}

// find returns the live entry of (account, src), moving it into the
// current generation; with create, a new one if there is none.
func (t *sourceThrottle) find(account string, src netip.Prefix, now time.Time, create bool) *sourceEntry {
	t.rotate(now)
	id := t.cur.name(account, src)
	e := t.cur.entries[id]
	if e == nil && t.prev != nil {
		old := t.prev.name(account, src)
		if e = t.prev.entries[old]; e != nil {
			delete(t.prev.entries, old)
			t.cur.entries[id] = e
		}
	}
	if e != nil && now.Sub(e.last) >= t.window {
		delete(t.cur.entries, id)
		e = nil
	}
	if e == nil && create {
		if len(t.cur.entries) >= t.max {
			t.sweep(now)
		}
		if len(t.cur.entries) < t.max {
			e = &sourceEntry{}
			t.cur.entries[id] = e
		}
	}
	return e
}

// rotate starts a new generation when now is in a later window than the
// current one; the one before it, key and entries, is dropped.
func (t *sourceThrottle) rotate(now time.Time) {
	epoch := now.UnixNano() / int64(t.window)
	if t.cur != nil && epoch <= t.cur.epoch {
		return
	}
	prev := t.cur
	if prev != nil && prev.epoch != epoch-1 {
		prev = nil
	}
	t.prev, t.cur = prev, &generation{epoch: epoch, key: t.newKey(), entries: map[[32]byte]*sourceEntry{}}
}

// sweep drops the current generation's entries whose window is over.
func (t *sourceThrottle) sweep(now time.Time) {
	for id, e := range t.cur.entries {
		if now.Sub(e.last) >= t.window {
			delete(t.cur.entries, id)
		}
	}
}

// name is the entry name of (account, src) under g's key.
func (g *generation) name(account string, src netip.Prefix) [32]byte {
	m := hmac.New(sha256.New, g.key[:])
	var n [8]byte
	binary.BigEndian.PutUint64(n[:], uint64(len(account)))
	m.Write(n[:])
	m.Write([]byte(account))
	b, _ := src.MarshalBinary()
	m.Write(b)
	return [32]byte(m.Sum(nil))
}
