// Package subscriber is what the inbound handler and the sign-ups share
// about the people who text the sender: whether a number opted out, the
// areas its ZIP codes stand for, why the SMS policy refuses it, and the
// wording of every reply (internal/replies).
package subscriber

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/tocsin/tocsin"
	"github.com/tocsin/tocsin/internal/geo"
	"github.com/tocsin/tocsin/internal/phone"
)

// OptOuts is where opt-outs are kept.
type OptOuts interface {
	GetOptOut(ctx context.Context, phoneHash []byte) (time.Time, error)
}

// OptedOut reports whether the number with this keyed hash opted out and
// has not opted back in: by its row in opt_outs (kept whether or not the
// number ever subscribed, and by no retention purge forgotten), or by its
// stopped subscription. Carriers require that nothing but the STOP
// confirmation goes to such a number.
func OptedOut(ctx context.Context, q OptOuts, hash []byte, sub *tocsin.Subscriber) (bool, error) {
	_, err := q.GetOptOut(ctx, hash)
	switch {
	case err == nil:
		return true, nil
	case tocsin.ErrorCode(err) != tocsin.ENOTFOUND:
		return false, fmt.Errorf("opt-out: %w", err)
	}
	return sub != nil && !sub.Active, nil
}

// ZIPAreas maps ZIP codes to subscriber areas; bad is the first unknown one.
func ZIPAreas(table *geo.ZIPs, zips []string) (areas []tocsin.SubscriberArea, bad string) {
	for _, z := range zips {
		p, ok := table.Lookup(z)
		if !ok {
			return nil, z
		}
		areas = append(areas, tocsin.SubscriberArea{ZIP: z, Cell: geo.LeafCell(p), RadiusM: tocsin.ZIPAreaRadiusM})
	}
	return areas, ""
}

// MergeAreas adds areas not already followed.
func MergeAreas(have, add []tocsin.SubscriberArea) []tocsin.SubscriberArea {
	out := slices.Clone(have)
	for _, a := range add {
		if !slices.ContainsFunc(out, func(b tocsin.SubscriberArea) bool { return b == a }) {
			out = append(out, a)
		}
	}
	return out
}

// Reason is a policy refusal's short reason ("region NG", "premium rate").
func Reason(why error) string {
	var r *phone.Refusal
	if errors.As(why, &r) {
		return r.Reason()
	}
	return why.Error()
}
