package audience

import (
	"cmp"
	"context"
	"fmt"
	"slices"

	"github.com/tocsin/tocsin"
	"github.com/tocsin/tocsin/internal/geo"
	"github.com/tocsin/tocsin/internal/store"
)

// Index holds every active subscriber area in memory, in sorted S2 cells,
// so that an alert's recipients among a million subscribers are found in
// well under a millisecond instead of a scan of the database. It is a
// snapshot: the sender rebuilds it and checks the subscribers changed since
// (ResolveWith).
type Index struct {
	// MaxID is the highest subscriber id when the index was built: later
	// ones are checked against the database.
	MaxID  int64
	points *geo.Index         // areas around a chosen point
	zips   *geo.Index         // ZIP areas, at their centroid with ZIPAreaRadiusM
	byZIP  map[string][]int64 // ZIP → subscribers following it
}

// BuildIndex reads every active area and indexes it.
func BuildIndex(ctx context.Context, q store.Subscribers) (*Index, error) {
	areas, maxID, err := q.ActiveAreas(ctx)
	if err != nil {
		return nil, fmt.Errorf("audience index: %w", err)
	}
	var points, zips []geo.Entry
	byZIP := map[string][]int64{}
	for _, a := range areas {
		e := geo.Entry{ID: a.SubscriberID, Cell: a.Cell, RadiusM: float32(a.RadiusM)}
		if a.ZIP == "" {
			points = append(points, e)
			continue
		}
		zips = append(zips, e)
		byZIP[a.ZIP] = append(byZIP[a.ZIP], a.SubscriberID)
	}
	return &Index{MaxID: maxID, points: geo.Build(points), zips: geo.Build(zips), byZIP: byZIP}, nil
}

// Len is the number of indexed areas.
func (ix *Index) Len() int { return ix.points.Len() + ix.zips.Len() }

// Resolve finds the recipients of area in the index, nearest first, with
// the same rules as Resolver.Resolve: a ZIP target reaches that ZIP's
// subscribers and point areas covering its centroid; a circle reaches every
// area that overlaps it. Subscribers in skip are left out (the caller checks
// them against the database).
func (ix *Index) Resolve(r *Resolver, area tocsin.Area, skip map[int64]bool) ([]tocsin.Recipient, error) {
	targets, err := r.targets(area)
	if err != nil {
		return nil, err
	}
	best := map[int64]float64{}
	add := func(id int64, d float64) {
		if skip[id] {
			return
		}
		if old, ok := best[id]; !ok || d < old {
			best[id] = d
		}
	}
	for _, t := range targets {
		if t.zip != "" {
			for _, id := range ix.byZIP[t.zip] {
				add(id, 0)
			}
			for _, m := range ix.points.Within(geo.Circle{Center: t.circle.Center, RadiusM: 0.01}) {
				add(m.ID, m.DistanceM)
			}
			continue
		}
		for _, m := range ix.points.Within(t.circle) {
			add(m.ID, m.DistanceM)
		}
		for _, m := range ix.zips.Within(t.circle) {
			add(m.ID, m.DistanceM)
		}
	}
	return sorted(best), nil
}

// ResolveWith resolves area from the index and, for the subscribers changed
// since it was built, from their current areas in the store: the result is
// the same as Resolve's, without a scan of every area.
func (r *Resolver) ResolveWith(ctx context.Context, q store.Subscribers, ix *Index, area tocsin.Area, changed map[int64]bool) ([]tocsin.Recipient, error) {
	base, err := ix.Resolve(r, area, changed)
	if err != nil || len(changed) == 0 {
		return base, err
	}
	targets, err := r.targets(area)
	if err != nil {
		return nil, err
	}
	best := make(map[int64]float64, len(base)+len(changed))
	for _, x := range base {
		best[x.SubscriberID] = x.DistanceM
	}
	for id := range changed {
		sub, err := q.GetSubscriber(ctx, id)
		if tocsin.ErrorCode(err) == tocsin.ENOTFOUND {
			continue
		}
		if err != nil {
			return nil, err
		}
		if !sub.Active {
			continue
		}
		for _, a := range sub.Areas {
			c := store.AreaCandidate{SubscriberID: id, ZIP: a.ZIP, Cell: a.Cell, RadiusM: a.RadiusM}
			if d, ok := match(c, targets); ok {
				if old, seen := best[id]; !seen || d < old {
					best[id] = d
				}
			}
		}
	}
	return sorted(best), nil
}

func sorted(best map[int64]float64) []tocsin.Recipient {
	out := make([]tocsin.Recipient, 0, len(best))
	for id, d := range best {
		out = append(out, tocsin.Recipient{SubscriberID: id, DistanceM: d})
	}
	slices.SortFunc(out, func(a, b tocsin.Recipient) int {
		return cmp.Or(cmp.Compare(a.DistanceM, b.DistanceM), cmp.Compare(a.SubscriberID, b.SubscriberID))
	})
	return out
}
