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
