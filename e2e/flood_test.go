package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tocsin/tocsin/internal/pow"
)

// TestFlood plays one client that sends sign-ups, codes and reports as fast
// as it can, never solving a proof of work, while a second client, acting as
// people, signs up, confirms its code and reports once a second. Every
// request of the people must go through, with at most one proof of work
// each: the flood spends the service-wide buckets (which then ask for work
// instead of refusing) and the buckets of the areas and prefixes it uses,
// never those of others. The server runs with its default limits.
//
// It floods for 10 s; TOCSIN_FLOOD_SECONDS=60 runs the full minute. The
// figures (requests made, refused, asked for work; time per proof of work)
// are logged.
func TestFlood(t *testing.T) {
	seconds := 10
	if v, err := strconv.Atoi(os.Getenv("TOCSIN_FLOOD_SECONDS")); err == nil && v > 0 && v <= 120 {
		seconds = v
	}
	s := startServerWith(t, serverOptions{wantEnrol: true})
	hc := &http.Client{Timeout: 30 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

	ctx, cancel := context.WithTimeout(context.Background(), time.Duration(seconds)*time.Second)
	defer cancel()
	attacks := []struct {
		name string
		run  func(context.Context, *http.Client, string, *floodStats)
		st   floodStats
	}{{name: "sign-ups", run: floodSignups}, {name: "sign-ups", run: floodSignups}, {name: "API reports", run: floodReports},
		{name: "form reports", run: floodForms}, {name: "codes", run: floodCodes}}
	var wg sync.WaitGroup
	ids := &sync.Map{} // the flood's sign-up ids, for its code guesses
	for i := range attacks {
		a := &attacks[i]
		a.st.ids = ids
		wg.Go(func() { a.run(ctx, hc, s.URL, &a.st) })
	}
	people := &personStats{}
	var confirms sync.WaitGroup
	tick := time.NewTicker(time.Second)
	for i := 0; ; i++ {
		p := person{t: t, hc: hc, base: s.URL, dataDir: s.DataDir, stats: people}
		p.signUpAndConfirm(i, &confirms)
		p.report(i)
		select {
		case <-ctx.Done():
		case <-tick.C:
			continue
		}
		break
	}
	tick.Stop()
	wg.Wait()
	confirms.Wait()

	people.mu.Lock()
	defer people.mu.Unlock()
	var asked int64
	for i := range attacks {
		a := &attacks[i]
		f := &a.st
		asked += f.asked.Load()
		t.Logf("flood for %d s, %s: %d requests (%.0f/s): %d taken, %d refused (429, over an area or prefix limit), %d asked for a proof of work (not solved), %d other answers (wrong codes, unknown sign-ups)",
			seconds, a.name, f.sent.Load(), float64(f.sent.Load())/float64(seconds), f.taken.Load(), f.refused.Load(), f.asked.Load(), f.other.Load())
	}
	t.Logf("people: %d sign-ups, %d codes, %d reports; %d failed; %d proofs of work solved, %s",
		people.signups, people.codes, people.reports, len(people.failures), len(people.solves), solveFigures(people.solves))
	for _, f := range people.failures {
		t.Error(f)
	}
	if people.signups < seconds/2 || people.reports < seconds/2 {
		t.Errorf("only %d sign-ups and %d reports went in for people in %d s", people.signups, people.reports, seconds)
	}
	if asked == 0 {
		t.Error("the flood was never asked for a proof of work: the service-wide limits were not reached")
	}
	if people.codes != people.signups {
		t.Errorf("%d codes confirmed for %d sign-ups", people.codes, people.signups)
	}
	// The flood replays a solution the people sent: it is asked again.
	for _, sol := range people.spent[:min(len(people.spent), 3)] {
		v := url.Values{"category": {"raid"}, "zip": {"60601"}, "description": {"replayed"}, "altcha": {sol}}
		resp, err := hc.PostForm(s.URL+"/report", v)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusTooManyRequests || !bytes.Contains(b, []byte("data-pow=")) {
			t.Errorf("a replayed proof of work answered %d: %s", resp.StatusCode, truncate(string(b), 400))
		}
	}
}

// floodStats counts the flooder's requests by answer.
type floodStats struct {
	sent, taken, refused, asked, other atomic.Int64
	ids                                *sync.Map // sign-up ids the flood got, for its code guesses
}

func (f *floodStats) count(resp *http.Response, err error) {
	f.sent.Add(1)
	if err != nil {
		f.other.Add(1)
		return
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	switch {
	case resp.StatusCode == http.StatusCreated || resp.StatusCode == http.StatusSeeOther:
		f.taken.Add(1)
		if id, ok := strings.CutPrefix(resp.Header.Get("Location"), "/subscribe/"); ok {
			f.ids.Store(id, true)
		}
	case resp.StatusCode == http.StatusTooManyRequests && (bytes.Contains(b, []byte("pow_required")) || bytes.Contains(b, []byte("data-pow="))):
		f.asked.Add(1)
	case resp.StatusCode == http.StatusTooManyRequests:
		f.refused.Add(1)
	default:
		f.other.Add(1)
	}
}

// The flood's places and numbers: ZIP codes none of the people use, and
// one prefix and one ZIP it hammers besides.
var floodZIPs = []string{"10001", "10002", "10003", "60601", "60602", "60614", "77002", "77003", "94102", "94103", "98101", "98102", "33101", "33125", "30303", "02108", "19103", "85004", "80202", "97201"}

func floodNumber(r *rand.Rand) string {
	if r.IntN(4) == 0 {
		return fmt.Sprintf("(212) 555-%04d", r.IntN(10000)) // one prefix, hammered
	}
	return fmt.Sprintf("(%d) %d-%04d", []int{212, 312, 713, 415, 206, 305, 404, 617}[r.IntN(8)], 200+r.IntN(700), r.IntN(10000))
}

func floodSignups(ctx context.Context, hc *http.Client, base string, f *floodStats) {
	r := rand.New(rand.NewPCG(1, 2))
	for ctx.Err() == nil {
		v := url.Values{"phone": {floodNumber(r)}, "zips": {floodZIPs[r.IntN(len(floodZIPs))]}, "lang": {"en"}}
		f.count(hc.PostForm(base+"/subscribe", v))
	}
}

func floodReports(ctx context.Context, hc *http.Client, base string, f *floodStats) {
	r := rand.New(rand.NewPCG(3, 4))
	for ctx.Err() == nil {
		zip := floodZIPs[r.IntN(len(floodZIPs))]
		if r.IntN(3) == 0 {
			zip = "10001" // one area, hammered
		}
		body := `{"category":"raid","description":"junk junk junk","zip":"` + zip + `"}`
		f.count(hc.Post(base+"/api/v1/reports", "application/json", strings.NewReader(body)))
	}
}

func floodForms(ctx context.Context, hc *http.Client, base string, f *floodStats) {
	r := rand.New(rand.NewPCG(5, 6))
	for ctx.Err() == nil {
		v := url.Values{"category": {"vehicle"}, "zip": {floodZIPs[r.IntN(len(floodZIPs))]}, "description": {"junk from the form"}}
		f.count(hc.PostForm(base+"/report", v))
	}
}

// floodCodes guesses codes for the sign-ups the flood got, and for made-up
// ones.
func floodCodes(ctx context.Context, hc *http.Client, base string, f *floodStats) {
	r := rand.New(rand.NewPCG(7, 8))
	for ctx.Err() == nil {
		id := "nosuchsignup"
		f.ids.Range(func(k, _ any) bool {
			id = k.(string)
			return r.IntN(4) != 0
		})
		f.count(hc.PostForm(base+"/subscribe/"+id, url.Values{"code": {fmt.Sprintf("%06d", r.IntN(1000000))}}))
	}
}

// personStats is what the people's requests did.
type personStats struct {
	mu                      sync.Mutex
	signups, codes, reports int
	solves                  []time.Duration
	spent                   []string // the solutions sent, to replay
	failures                []string
}

func (ps *personStats) fail(format string, args ...any) {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	ps.failures = append(ps.failures, fmt.Sprintf(format, args...))
}

// person sends a person's requests; on a request for a proof of work it
// solves it and sends the request again, once.
type person struct {
	t       *testing.T
	hc      *http.Client
	base    string
	dataDir string
	stats   *personStats
}

// The people's ZIP codes: Los Angeles, none of them the flood's.
var personZIPs = []string{"90210", "90001", "90011", "90022", "90033", "90044", "90063", "91331", "91402", "90255"}

// postForm posts v and, when asked for a proof of work, solves it and
// posts again once. It returns the final answer.
func (p *person) postForm(path string, v url.Values) (int, string, http.Header) {
	status, body, h := p.send(path, v)
	if status != http.StatusTooManyRequests {
		return status, body, h
	}
	m := regexp.MustCompile(`data-pow="([^"]+)"`).FindStringSubmatch(body)
	if m == nil {
		return status, body, h
	}
	var c pow.Challenge
	if err := json.Unmarshal([]byte(html.UnescapeString(m[1])), &c); err != nil {
		return 0, err.Error(), nil
	}
	start := time.Now()
	sol, ok := pow.Solve(c)
	took := time.Since(start)
	if !ok {
		return 0, "unsolvable challenge", nil
	}
	p.stats.mu.Lock()
	p.stats.solves = append(p.stats.solves, took)
	p.stats.spent = append(p.stats.spent, sol.Encode())
	p.stats.mu.Unlock()
	v.Set("altcha", sol.Encode())
	return p.send(path, v)
}

func (p *person) send(path string, v url.Values) (int, string, http.Header) {
	resp, err := p.hc.PostForm(p.base+path, v)
	if err != nil {
		return 0, err.Error(), nil
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), resp.Header
}

// signUpAndConfirm signs up a new number and confirms it with the code the
// sender texts, in the background.
func (p *person) signUpAndConfirm(i int, wg *sync.WaitGroup) {
	exchange := 200 + i%700
	num := fmt.Sprintf("(310) %d-%04d", exchange, 1000+i)
	e164 := fmt.Sprintf("+1310%d%04d", exchange, 1000+i)
	status, body, h := p.postForm("/subscribe", url.Values{"phone": {num}, "zips": {personZIPs[i%len(personZIPs)]}, "lang": {"en"}})
	loc := h.Get("Location")
	if status != http.StatusSeeOther || !strings.HasPrefix(loc, "/subscribe/") {
		p.stats.fail("person %d: sign-up answered %d: %s", i, status, truncate(body, 600))
		return
	}
	p.stats.mu.Lock()
	p.stats.signups++
	p.stats.mu.Unlock()
	wg.Go(func() {
		code, err := p.waitCode(e164)
		if err != nil {
			p.stats.fail("person %d: %v", i, err)
			return
		}
		status, body, h := p.postForm(loc, url.Values{"code": {code}})
		if status != http.StatusSeeOther || h.Get("Location") != loc {
			p.stats.fail("person %d: code answered %d: %s", i, status, truncate(body, 600))
			return
		}
		p.stats.mu.Lock()
		p.stats.codes++
		p.stats.mu.Unlock()
	})
}

var codeRE = regexp.MustCompile(`\b(\d{6})\b`)

// waitCode reads the outbox until the code to e164 is there.
func (p *person) waitCode(e164 string) (string, error) {
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		b, _ := os.ReadFile(p.dataDir + "/outbox.jsonl")
		for _, line := range bytes.Split(b, []byte("\n")) {
			var l outboxLine
			if json.Unmarshal(line, &l) == nil && l.To == e164 {
				if m := codeRE.FindStringSubmatch(l.Body); m != nil {
					return m[1], nil
				}
			}
		}
		time.Sleep(200 * time.Millisecond)
	}
	return "", fmt.Errorf("no code texted to %s within a minute", e164)
}

// report sends a report with the form, as a person on a phone does.
func (p *person) report(i int) {
	v := url.Values{"category": {"checkpoint"}, "zip": {personZIPs[(i+3)%len(personZIPs)]}, "description": {fmt.Sprintf("checkpoint number %d, two marked SUVs", i)}, "ago": {"0"}}
	status, body, h := p.postForm("/report", v)
	if status != http.StatusSeeOther || h.Get("Location") != "/report?sent=1" {
		p.stats.fail("person %d: report answered %d: %s", i, status, truncate(body, 600))
		return
	}
	p.stats.mu.Lock()
	p.stats.reports++
	p.stats.mu.Unlock()
}

// solveFigures sums up the time per proof of work.
func solveFigures(ds []time.Duration) string {
	if len(ds) == 0 {
		return "none needed"
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	var sum time.Duration
	for _, d := range s {
		sum += d
	}
	return fmt.Sprintf("time per proof of work (Go, this machine): mean %v, median %v, max %v", sum/time.Duration(len(s)), s[len(s)/2], s[len(s)-1])
}
