package fanout

import (
	"context"
	"sync"
	"time"

	"github.com/tocsin/tocsin"
	"github.com/tocsin/tocsin/internal/audience"
	"github.com/tocsin/tocsin/internal/store"
)

// indexMaxAge: the in-memory index of subscriber areas is rebuilt when
// older; until then the subscribers added or updated since it was built are
// checked against the database at each alert.
const indexMaxAge = 10 * time.Minute

// indexChangeMargin: subscribers updated this long before the index was
// built are checked against the database too. On PostgreSQL ids are not
// handed out in commit order: a subscriber inserted (with its updated_at)
// just before the build may commit after it, below the index's highest id;
// the margin covers any transaction shorter than it, and tocsin's are
// milliseconds long.
const indexChangeMargin = time.Minute

// recipientIndex is the sender's in-memory index of subscriber areas.
type recipientIndex struct {
	audience *audience.Resolver
	mu       sync.Mutex
	ix       *audience.Index
	built    time.Time // by the store's clock (subscribers.updated_at)
}

// Resolve finds an alert's recipients, nearest first, from the in-memory
// index (rebuilt when stale) and the subscribers changed since it was
// built, read from the database: the same answer as a scan of every area.
func (s *Service) Resolve(ctx context.Context, q store.Subscribers, area tocsin.Area) ([]tocsin.Recipient, error) {
	s.index.mu.Lock()
	defer s.index.mu.Unlock()
	now := s.cfg.Now()
	if s.index.ix == nil || now.Sub(s.index.built) > indexMaxAge || now.Before(s.index.built) {
		ix, err := audience.BuildIndex(ctx, q)
		if err != nil {
			return nil, err
		}
		s.index.ix, s.index.built = ix, now
	}
	ids, err := q.SubscribersChangedSince(ctx, s.index.ix.MaxID, s.index.built.Add(-indexChangeMargin))
	if err != nil {
		return nil, err
	}
	changed := make(map[int64]bool, len(ids))
	for _, id := range ids {
		changed[id] = true
	}
	return s.index.audience.ResolveWith(ctx, q, s.index.ix, area, changed)
}

// WarmIndex builds the index ahead of the first alert.
func (s *Service) WarmIndex(ctx context.Context) error {
	_, err := s.Resolve(ctx, s.store, tocsin.Area{})
	return err
}
