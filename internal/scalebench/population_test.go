package scalebench

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/tocsin/tocsin"
	"github.com/tocsin/tocsin/internal/geo"
	"github.com/tocsin/tocsin/internal/phone"
	"github.com/tocsin/tocsin/internal/sender/vault"
)

// la is the centre of the population: central Los Angeles.
var la = geo.Point{Lat: 34.05, Lon: -118.25}

// population is n subscribers as the web tier would have stored them:
// each number sealed to the sender's key and hashed with its keyed hash,
// and one area each. It is made once per process and seeded into every
// store, so the costly part (one X25519 seal per number) is paid once.
type population struct {
	keys    *vault.Keys
	zips    *geo.ZIPs
	hash    [][]byte // keyed hash of subscriber i's number (distinct)
	sealed  [][]byte // subscriber i's number, sealed to keys
	areas   []tocsin.SubscriberArea
	updated time.Time // created_at and updated_at of every subscriber
	made    time.Duration
}

func (p *population) len() int { return len(p.hash) }

var (
	popMu    sync.Mutex
	popCache = map[int]*population{}
)

// makePopulation returns the population of n subscribers, made on first use.
//
// Subscriber i has the number +1 310 2000000+i (so n is at most 8,000,000)
// and, as in internal/audience's BenchmarkResolve1M (same random sequence,
// so the same recipients), a place within 30 km of central Los Angeles: a
// third follow one of the ZIP codes there, the rest a point with a radius
// of 1–3 km.
func makePopulation(tb testing.TB, n int) *population {
	tb.Helper()
	popMu.Lock()
	defer popMu.Unlock()
	if p, ok := popCache[n]; ok {
		return p
	}
	if n > 8_000_000 {
		tb.Fatalf("at most 8,000,000 subscribers (numbers +13102000000 to +13109999999), not %d", n)
	}
	start := time.Now()
	keys, err := vault.Generate()
	if err != nil {
		tb.Fatal(err)
	}
	zips, err := geo.LoadZIPs()
	if err != nil {
		tb.Fatal(err)
	}
	p := &population{keys: keys, zips: zips, hash: make([][]byte, n), sealed: make([][]byte, n),
		areas: areas(zips, n), updated: time.Now().Add(-24 * time.Hour).Truncate(time.Second)}

	// Sealing is the web tier's own phone.Sealer: about 150 µs a number
	// on the benchmark machine (nacl/box derives keys with three scalar
	// multiplications), so spread over every core.
	sealer := phone.NewSealer(keys.Public())
	workers := runtime.GOMAXPROCS(0)
	errs := make(chan error, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := w; i < n; i += workers {
				// Canonical E.164 already: phone.Parse would only add 15 µs.
				num := phone.Number(fmt.Sprintf("+1310%07d", 2_000_000+i))
				var err error
				if p.sealed[i], err = sealer.Seal(num); err != nil {
					errs <- err
					return
				}
				p.hash[i] = keys.Hash(num)
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		tb.Fatal(err)
	}
	p.made = time.Since(start)
	tb.Logf("population of %d subscribers sealed and hashed in %v", n, p.made.Round(time.Millisecond))
	popCache[n] = p
	return p
}

// areas returns the areas of n subscribers, the same as
// internal/audience's benchmark seed.
func areas(zips *geo.ZIPs, n int) []tocsin.SubscriberArea {
	rng := rand.New(rand.NewPCG(1, 2))
	var laZIPs []string
	for _, z := range zips.All() {
		if geo.DistanceMeters(z.Point, la) <= 30000 {
			laZIPs = append(laZIPs, z.ZIP)
		}
	}
	out := make([]tocsin.SubscriberArea, n)
	for i := range n {
		d := 30000 * math.Sqrt(rng.Float64())
		th := 2 * math.Pi * rng.Float64()
		pt := geo.Point{Lat: la.Lat + d*math.Cos(th)/111_320, Lon: la.Lon + d*math.Sin(th)/(111_320*math.Cos(la.Lat*math.Pi/180))}
		a := tocsin.SubscriberArea{Cell: geo.LeafCell(pt), RadiusM: 1000 + 2000*rng.Float64()}
		if i%3 == 0 {
			z := laZIPs[rng.IntN(len(laZIPs))]
			c, _ := zips.Lookup(z)
			a = tocsin.SubscriberArea{ZIP: z, Cell: geo.LeafCell(c), RadiusM: tocsin.ZIPAreaRadiusM}
		}
		out[i] = a
	}
	return out
}
