package scalebench

import (
	"fmt"
	"reflect"
	"testing"

	"github.com/tocsin/tocsin"
)

// The benchmarks seed subscribers straight into the tables. Seeded rows
// must read back as the store's own rows do: same fields, numbers that the
// sender opens, the next subscriber saved after them getting the next id.
// This runs with every go test (a few hundred subscribers), so a schema
// change that the seeding misses fails here and not an hour into a run.
func TestSeedMatchesStore(t *testing.T) {
	const n = 300
	p := makePopulation(t, n)
	for _, d := range drivers {
		t.Run(d.name, func(t *testing.T) {
			st, _ := d.open(t, p)
			ctx := t.Context()
			if got, err := st.CountSubscribers(ctx); err != nil || got != n {
				t.Fatalf("CountSubscribers = %d, %v; want %d", got, err, n)
			}
			for _, i := range []int{0, 1, n - 1} {
				got, err := st.GetSubscriberByHash(ctx, p.hash[i])
				if err != nil {
					t.Fatal(err)
				}
				want := &tocsin.Subscriber{ID: int64(i + 1), PhoneHash: p.hash[i], Sealed: p.sealed[i], Lang: tocsin.English,
					Active: true, Areas: []tocsin.SubscriberArea{p.areas[i]}, CreatedAt: got.CreatedAt, UpdatedAt: got.UpdatedAt}
				if !reflect.DeepEqual(got, want) {
					t.Errorf("subscriber %d = %+v, want %+v", i, got, want)
				}
				if !got.CreatedAt.Equal(p.updated) || !got.UpdatedAt.Equal(p.updated) {
					t.Errorf("subscriber %d times = %v, %v; want %v", i, got.CreatedAt, got.UpdatedAt, p.updated)
				}
				num, err := p.keys.OpenKnown(got.Sealed, got.PhoneHash)
				if err != nil || num.E164() != fmt.Sprintf("+1310%07d", 2_000_000+i) {
					t.Errorf("subscriber %d opens to %v, %v", i, num, err)
				}
			}
			s := &tocsin.Subscriber{PhoneHash: []byte("a later subscriber"), Sealed: []byte("x"), Lang: tocsin.Spanish, Active: true,
				Areas: []tocsin.SubscriberArea{p.areas[0]}, CreatedAt: p.updated, UpdatedAt: p.updated}
			if err := st.SaveSubscriber(ctx, s); err != nil {
				t.Fatal(err)
			}
			if s.ID != n+1 {
				t.Errorf("the subscriber saved after seeding has id %d, want %d", s.ID, n+1)
			}
			areas, maxID, err := st.ActiveAreas(ctx)
			if err != nil || len(areas) != n+1 || maxID != n+1 {
				t.Errorf("ActiveAreas = %d areas, max id %d, %v; want %d, %d", len(areas), maxID, err, n+1, n+1)
			}
		})
	}
}
