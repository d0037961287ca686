package store

import (
	"context"
	"time"

	"github.com/tocsin/tocsin"
)

// AreaCandidate is a subscriber area that may fall in an alert's area.
type AreaCandidate struct {
	SubscriberID int64
	ZIP          string
	Cell         uint64
	RadiusM      float64
}

// AreaQuery selects subscriber areas: those whose cell is in one of Ranges
// and whose radius is in (MinRadiusM, MaxRadiusM] (no bound when MaxRadiusM
// is 0), restricted to point areas (no ZIP) when PointsOnly; plus, in every
// case, the areas whose ZIP is one of ZIPs.
type AreaQuery struct {
	Ranges     []CellRange
	MinRadiusM float64
	MaxRadiusM float64
	PointsOnly bool
	ZIPs       []string
}

// CellRange is an inclusive range of S2 leaf cell ids.
type CellRange struct{ Min, Max uint64 }

// Subscribers stores subscriptions, and the codes the sender texts to
// sign-ups: the sender's alone.
type Subscribers interface {
	// GetSubscriberByHash finds a subscriber by the keyed hash of its number.
	GetSubscriberByHash(ctx context.Context, hash []byte) (*tocsin.Subscriber, error)
	GetSubscriber(ctx context.Context, id int64) (*tocsin.Subscriber, error)
	// SaveSubscriber inserts s (ID 0) or updates it, replacing its areas.
	SaveSubscriber(ctx context.Context, s *tocsin.Subscriber) error
	// ActiveAreas returns every area of every active subscriber, for an
	// in-memory index, and the highest subscriber id at that moment.
	ActiveAreas(ctx context.Context) ([]AreaCandidate, int64, error)
	// SubscribersChangedSince returns the ids of subscribers added after
	// afterID or updated at or after since.
	SubscribersChangedSince(ctx context.Context, afterID int64, since time.Time) ([]int64, error)

	ListSignups(ctx context.Context, state tocsin.SignupState, limit int) ([]tocsin.Signup, error)
	// RecordCodeSend notes that a code went to the number with this hash.
	RecordCodeSend(ctx context.Context, phoneHash []byte, at time.Time) error
	CountCodeSends(ctx context.Context, phoneHash []byte, since time.Time) (int, error)
	// RecordBlockCode notes a code to a number of the block (phone.Number.
	// Block) with this keyed hash: sent, or refused over the block's limit.
	RecordBlockCode(ctx context.Context, blockHash []byte, at time.Time, refused bool) error
	// CountBlockCodes counts the codes sent to, and refused to, the block
	// since t.
	CountBlockCodes(ctx context.Context, blockHash []byte, since time.Time) (sent, refused int, err error)

	// SetOptOut records that the number with this keyed hash opted out
	// (STOP) at t, subscribed or not; a number already opted out keeps the
	// time it first did. No retention purge forgets an opt-out.
	SetOptOut(ctx context.Context, phoneHash []byte, at time.Time) error
	// GetOptOut returns when the number opted out; ENOTFOUND if it has not,
	// or has opted back in since.
	GetOptOut(ctx context.Context, phoneHash []byte) (time.Time, error)
	// ClearOptOut forgets the number's opt-out: it opted back in.
	ClearOptOut(ctx context.Context, phoneHash []byte) error
}

// Audience is what the web tier may learn of subscribers: how many there
// are and which areas an alert's area reaches, never a number, sealed or not.
type Audience interface {
	CountSubscribers(ctx context.Context) (active int, err error)
	// AreaCandidates returns the areas of active subscribers that q selects,
	// each area once.
	AreaCandidates(ctx context.Context, q AreaQuery) ([]AreaCandidate, error)
}

// Signups stores web sign-ups.
type Signups interface {
	CreateSignup(ctx context.Context, s *tocsin.Signup) error
	GetSignup(ctx context.Context, id string) (*tocsin.Signup, error)
	UpdateSignup(ctx context.Context, id string, state tocsin.SignupState, attempts int) error
	// CountSignupAttempt counts one attempt at a sign-up's code, atomically,
	// and returns the sign-up as it is now; ECONFLICT if it cannot be tried
	// any more (not waiting for its code, expired at now, or out of attempts).
	CountSignupAttempt(ctx context.Context, id string, now time.Time, maxAttempts int) (*tocsin.Signup, error)
	CountSignupsSince(ctx context.Context, since time.Time) (int, error)
}
