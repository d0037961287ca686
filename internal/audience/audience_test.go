package audience

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"testing"

	"github.com/tocsin/tocsin"
	"github.com/tocsin/tocsin/internal/geo"
	"github.com/tocsin/tocsin/internal/store/sqlite"
)

func TestResolve(t *testing.T) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "t.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	zips, _ := geo.LoadZIPs()
	bh, _ := zips.Lookup("90210")
	// A point ~1.1 km east of the 90210 centroid and one ~20 km away.
	near := geo.Point{Lat: bh.Lat, Lon: bh.Lon + 0.012}
	far := geo.Point{Lat: bh.Lat + 0.18, Lon: bh.Lon}
	zipArea := func(z string) tocsin.SubscriberArea {
		p, _ := zips.Lookup(z)
		return tocsin.SubscriberArea{ZIP: z, Cell: geo.LeafCell(p), RadiusM: tocsin.ZIPAreaRadiusM}
	}
	subs := []struct {
		active bool
		area   tocsin.SubscriberArea
	}{
		{true, zipArea("90210")}, // 1
		{true, zipArea("10001")}, // 2: New York
		{true, tocsin.SubscriberArea{Cell: geo.LeafCell(near), RadiusM: 1500}}, // 3: point covering the 90210 centroid
		{true, tocsin.SubscriberArea{Cell: geo.LeafCell(near), RadiusM: 500}},  // 4: point not covering it
		{true, tocsin.SubscriberArea{Cell: geo.LeafCell(far), RadiusM: 1000}},  // 5: far
		{false, zipArea("90210")}, // 6: stopped
		{true, zipArea("90211")},  // 7: next ZIP, centroid ~4.9 km away: beyond a small circle
		{true, tocsin.SubscriberArea{Cell: geo.LeafCell(far), RadiusM: 9000}}, // 8: far, wide radius
	}
	for i, s := range subs {
		sub := &tocsin.Subscriber{PhoneHash: []byte(fmt.Sprint(i)), Sealed: []byte("x"), Lang: tocsin.English, Active: s.active, Areas: []tocsin.SubscriberArea{s.area}}
		if err := st.SaveSubscriber(ctx, sub); err != nil {
			t.Fatal(err)
		}
	}
	r := &Resolver{ZIPs: zips}
	tests := []struct {
		name string
		area tocsin.Area
		want []int64 // nearest first
	}{
		{"zip reaches its subscribers and points covering it", tocsin.Area{ZIPs: []string{"90210"}}, []int64{1, 3}},
		{"small circle at the centroid", tocsin.Area{Circle: &tocsin.Circle{Lat: bh.Lat, Lon: bh.Lon, RadiusM: 200}}, []int64{1, 3}},
		{"wider circle reaches the next ZIP", tocsin.Area{Circle: &tocsin.Circle{Lat: bh.Lat, Lon: bh.Lon, RadiusM: 3500}}, []int64{1, 3, 4, 7}},
		{"circle near the far point meets the wide one", tocsin.Area{Circle: &tocsin.Circle{Lat: far.Lat + 0.07, Lon: far.Lon, RadiusM: 500}}, []int64{8}},
		{"two zips", tocsin.Area{ZIPs: []string{"90210", "10001"}}, []int64{1, 2, 3}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rs, err := r.Resolve(ctx, st, tt.area)
			if err != nil {
				t.Fatal(err)
			}
			var got []int64
			for _, x := range rs {
				got = append(got, x.SubscriberID)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("recipients %v, want %v (%+v)", got, tt.want, rs)
			}
			if !slices.IsSortedFunc(rs, func(a, b tocsin.Recipient) int { return int(a.DistanceM - b.DistanceM) }) {
				t.Errorf("not nearest first: %+v", rs)
			}
		})
	}
	if _, err := r.Resolve(ctx, st, tocsin.Area{ZIPs: []string{"00000"}}); tocsin.ErrorCode(err) != tocsin.EINVALID {
		t.Errorf("unknown ZIP: %v, want EINVALID", err)
	}
}

// The in-memory index finds exactly what the database look-up finds, for
// many random areas, and ResolveWith takes in subscribers changed since it
// was built.
func TestIndexAgreesWithStore(t *testing.T) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "t.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	zips, _ := geo.LoadZIPs()
	seed(t, st, zips, 3000)
	r := &Resolver{ZIPs: zips}
	ix, err := BuildIndex(ctx, st)
	if err != nil {
		t.Fatal(err)
	}
	if ix.Len() != 3000 {
		t.Fatalf("index of %d areas, want 3000", ix.Len())
	}
	areas := []tocsin.Area{
		{Circle: &tocsin.Circle{Lat: 34.05, Lon: -118.25, RadiusM: 2000}},
		{Circle: &tocsin.Circle{Lat: 34.10, Lon: -118.30, RadiusM: 500}},
		{Circle: &tocsin.Circle{Lat: 33.95, Lon: -118.10, RadiusM: 8000}},
		{ZIPs: []string{"90012"}},
		{ZIPs: []string{"90012", "90026"}, Circle: &tocsin.Circle{Lat: 34.0, Lon: -118.2, RadiusM: 1500}},
	}
	for i, a := range areas {
		want, err := r.Resolve(ctx, st, a)
		if err != nil {
			t.Fatal(err)
		}
		got, err := r.ResolveWith(ctx, st, ix, a, nil)
		if err != nil {
			t.Fatal(err)
		}
		if !sameRecipients(got, want) {
			t.Errorf("area %d: index found %d, store %d", i, len(got), len(want))
		}
	}
	// A subscriber who joins after the index was built, and one who stops.
	p, _ := zips.Lookup("90012")
	joined := &tocsin.Subscriber{PhoneHash: []byte("new"), Sealed: []byte("x"), Lang: tocsin.English, Active: true,
		Areas: []tocsin.SubscriberArea{{ZIP: "90012", Cell: geo.LeafCell(p), RadiusM: tocsin.ZIPAreaRadiusM}}}
	if err := st.SaveSubscriber(ctx, joined); err != nil {
		t.Fatal(err)
	}
	before, _ := r.ResolveWith(ctx, st, ix, tocsin.Area{ZIPs: []string{"90012"}}, nil)
	stopped, _ := st.GetSubscriber(ctx, before[0].SubscriberID)
	stopped.Active = false
	if err := st.SaveSubscriber(ctx, stopped); err != nil {
		t.Fatal(err)
	}
	changed := map[int64]bool{joined.ID: true, stopped.ID: true}
	got, _ := r.ResolveWith(ctx, st, ix, tocsin.Area{ZIPs: []string{"90012"}}, changed)
	want, _ := r.Resolve(ctx, st, tocsin.Area{ZIPs: []string{"90012"}})
	if !sameRecipients(got, want) {
		t.Errorf("after changes: index found %d, store %d", len(got), len(want))
	}
}

func sameRecipients(a, b []tocsin.Recipient) bool {
	if len(a) != len(b) {
		return false
	}
	ids := map[int64]bool{}
	for _, x := range a {
		ids[x.SubscriberID] = true
	}
	for _, x := range b {
		if !ids[x.SubscriberID] {
			return false
		}
	}
	return true
}
