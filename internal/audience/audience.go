// Package audience resolves who an alert reaches: the active subscribers
// whose area meets the alert's area, nearest first. The console uses it for
// the preview count and the sender for the ledger, so both agree.
//
// It works on cells, ZIP codes and subscriber ids only. It must never see a
// phone number, sealed or not.
package audience

import (
	"context"
	"fmt"
	"math"

	"github.com/tocsin/tocsin"
	"github.com/tocsin/tocsin/internal/geo"
	"github.com/tocsin/tocsin/internal/store"
)

// maxCells bounds the covering of each target circle.
const maxCells = 16

// Resolver finds the recipients of an area.
type Resolver struct {
	ZIPs *geo.ZIPs
}

type target struct {
	zip    string // set for a ZIP target
	circle geo.Circle
}

// Resolve returns the recipients of area, nearest first; each subscriber
// once, at its smallest distance to a target.
func (r *Resolver) Resolve(ctx context.Context, q store.Audience, area tocsin.Area) ([]tocsin.Recipient, error) {
	targets, err := r.targets(area)
	if err != nil {
		return nil, err
	}
	cands, err := r.candidates(ctx, q, area, targets)
	if err != nil {
		return nil, err
	}
	best := make(map[int64]float64, len(cands))
	for _, c := range cands {
		if d, ok := match(c, targets); ok {
			if old, seen := best[c.SubscriberID]; !seen || d < old {
				best[c.SubscriberID] = d
			}
		}
	}
	return sorted(best), nil
}

// radiusTiers split subscriber areas by radius, so that the many small
// areas are looked up around the targets grown only by a small radius, and
// only the few wide ones need a wide search.
func radiusTiers() []float64 { return []float64{tocsin.ZIPAreaRadiusM, tocsin.MaxSubscriberRadiusM} }

// candidates asks the store for the areas that may meet a target: same ZIP,
// or a cell within the target grown by each tier's largest radius.
func (r *Resolver) candidates(ctx context.Context, q store.Audience, area tocsin.Area, targets []target) ([]store.AreaCandidate, error) {
	var out []store.AreaCandidate
	lo := -1.0
	for i, hi := range radiusTiers() {
		aq := store.AreaQuery{MinRadiusM: lo, MaxRadiusM: hi}
		if i == 0 {
			aq.ZIPs = area.ZIPs
		}
		for _, t := range targets {
			grown := t.circle
			grown.RadiusM += hi
			if t.zip != "" && area.Circle == nil {
				aq.PointsOnly = true // a ZIP target reaches other ZIPs' subscribers only through a circle
			}
			for _, cr := range grown.Ranges(maxCells) {
				aq.Ranges = append(aq.Ranges, store.CellRange{Min: cr.Min, Max: cr.Max})
			}
		}
		cs, err := q.AreaCandidates(ctx, aq)
		if err != nil {
			return nil, fmt.Errorf("audience: %w", err)
		}
		out = append(out, cs...)
		lo = hi
	}
	return out, nil
}

func (r *Resolver) targets(area tocsin.Area) ([]target, error) {
	var ts []target
	for _, z := range area.ZIPs {
		p, ok := r.ZIPs.Lookup(z)
		if !ok {
			return nil, tocsin.FieldError("zips", "ZIP code %s is not known", z)
		}
		ts = append(ts, target{zip: z, circle: geo.Circle{Center: p}})
	}
	if c := area.Circle; c != nil {
		ts = append(ts, target{circle: geo.Circle{Center: geo.Point{Lat: c.Lat, Lon: c.Lon}, RadiusM: c.RadiusM}})
	}
	return ts, nil
}

// match reports whether a subscriber area meets one of the targets, and the
// distance to the nearest one it meets.
//
// A ZIP target reaches subscribers of that ZIP and point subscribers whose
// radius covers its centroid. A circle reaches any subscriber area that
// overlaps it (a ZIP subscription counts as ZIPAreaRadiusM around the
// centroid).
func match(c store.AreaCandidate, ts []target) (float64, bool) {
	p := geo.CellCenter(c.Cell)
	best, found := math.Inf(1), false
	for _, t := range ts {
		d := geo.DistanceMeters(p, t.circle.Center)
		var ok bool
		switch {
		case t.zip != "" && c.ZIP == t.zip:
			ok, d = true, 0
		case t.zip != "":
			ok = c.ZIP == "" && d <= c.RadiusM
		default:
			ok = d <= t.circle.RadiusM+c.RadiusM
		}
		if ok && d < best {
			best, found = d, true
		}
	}
	return best, found
}

// StatementCells is the S2 covering of an area for its signed statement:
// each ZIP as the circle a ZIP subscription reaches, and the circle.
func (r *Resolver) StatementCells(a tocsin.Area) []uint64 {
	var cells []uint64
	for _, z := range a.ZIPs {
		if p, ok := r.ZIPs.Lookup(z); ok {
			cells = append(cells, geo.Circle{Center: p, RadiusM: tocsin.ZIPAreaRadiusM}.Cells(8)...)
		}
	}
	if c := a.Circle; c != nil {
		cells = append(cells, geo.Circle{Center: geo.Point{Lat: c.Lat, Lon: c.Lon}, RadiusM: c.RadiusM}.Cells(16)...)
	}
	return cells
}
