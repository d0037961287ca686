package postgres_test

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/tocsin/tocsin"
	"github.com/tocsin/tocsin/internal/store"
	"github.com/tocsin/tocsin/internal/store/migrations"
	"github.com/tocsin/tocsin/internal/store/postgres"
	"github.com/tocsin/tocsin/internal/store/postgres/pgtest"
	"github.com/tocsin/tocsin/internal/store/storetest"
)

func serverURL(t *testing.T) string { t.Helper(); return pgtest.ServerURL(t) }

// freshSchema: an empty schema and a small pool, as subtests run in parallel.
func freshSchema(t *testing.T, base string) string {
	t.Helper()
	return pgtest.FreshSchema(t, base, "t", map[string]string{"pool_max_conns": "4"})
}

func open(t *testing.T, u string) *postgres.DB {
	t.Helper()
	db, err := postgres.Open(t.Context(), u)
	if err != nil {
		t.Fatal(err)
	}
	return db
}

func TestContract(t *testing.T) {
	base := serverURL(t)
	storetest.Run(t, func(t *testing.T) store.Store {
		return open(t, freshSchema(t, base))
	})
}

// Migrations are recorded once each, in name order, and opening the same
// schema again (several processes at once) applies nothing twice.
func TestMigrations(t *testing.T) {
	u := freshSchema(t, serverURL(t))
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for range 4 {
		wg.Go(func() {
			db, err := postgres.Open(t.Context(), u)
			if err == nil {
				db.Close()
			}
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatalf("concurrent Open: %v", err)
		}
	}
	db := open(t, u)
	defer db.Close()

	cfg, err := pgxpool.ParseConfig(u) // u has pool parameters pgx.Connect refuses
	if err != nil {
		t.Fatal(err)
	}
	conn, err := pgx.ConnectConfig(t.Context(), cfg.ConnConfig)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	rows, err := conn.Query(t.Context(), `SELECT name FROM migrations ORDER BY applied_at, name`)
	if err != nil {
		t.Fatal(err)
	}
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	steps, err := migrations.For("postgres")
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, m := range steps {
		want = append(want, m.Name)
	}
	if !slices.Equal(names, want) {
		t.Errorf("migrations = %v, want %v", names, want)
	}
}

// Several workers claiming one ledger at once take every row exactly once,
// none waiting on another's claim (FOR UPDATE SKIP LOCKED).
func TestConcurrentClaims(t *testing.T) {
	ctx := t.Context()
	db := open(t, freshSchema(t, serverURL(t)))
	defer db.Close()

	const subscribers, workers, batch = 300, 6, 7
	var rs []tocsin.Recipient
	for i := range subscribers {
		s := &tocsin.Subscriber{PhoneHash: fmt.Appendf(nil, "hash:%d", i), Sealed: []byte("sealed"), Lang: tocsin.English, Active: true}
		if err := db.SaveSubscriber(ctx, s); err != nil {
			t.Fatal(err)
		}
		rs = append(rs, tocsin.Recipient{SubscriberID: s.ID})
	}
	a := &tocsin.Alert{ID: "a1", Ref: "R1", State: tocsin.AlertApproved, Area: tocsin.Area{ZIPs: []string{"90013"}}}
	if err := db.CreateAlert(ctx, a); err != nil {
		t.Fatal(err)
	}
	if err := db.CreateLedger(ctx, "a1", rs); err != nil {
		t.Fatal(err)
	}

	var mu sync.Mutex
	claimed := map[int64]int{}
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for range workers {
		wg.Go(func() {
			for {
				jobs, err := db.ClaimDeliveries(ctx, "a1", batch, "w1", claimTime)
				if err != nil {
					errs <- err
					return
				}
				if len(jobs) == 0 {
					return
				}
				var ds []tocsin.Delivery
				mu.Lock()
				for _, j := range jobs {
					claimed[j.SubscriberID]++
					d := j.Delivery
					d.Status = tocsin.DeliverySent
					ds = append(ds, d)
				}
				mu.Unlock()
				if err := db.FinishDeliveries(ctx, ds); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("worker: %v", err)
	}
	if len(claimed) != subscribers {
		t.Errorf("%d rows claimed, want %d", len(claimed), subscribers)
	}
	for id, n := range claimed {
		if n != 1 {
			t.Errorf("subscriber %d claimed %d times", id, n)
		}
	}
	done, err := db.CompleteAlert(ctx, "a1")
	if err != nil || !done {
		t.Fatalf("CompleteAlert = %v, %v", done, err)
	}
	got, err := db.GetAlert(ctx, "a1")
	if err != nil {
		t.Fatal(err)
	}
	if got.Sent != subscribers {
		t.Errorf("sent = %d, want %d", got.Sent, subscribers)
	}
}

// A claim held open in one transaction does not block another worker: it
// skips the locked rows and takes the next ones.
func TestClaimSkipsLocked(t *testing.T) {
	ctx := t.Context()
	db := open(t, freshSchema(t, serverURL(t)))
	defer db.Close()
	var rs []tocsin.Recipient
	for i := range 4 {
		s := &tocsin.Subscriber{PhoneHash: []byte{byte(i)}, Sealed: []byte("sealed"), Lang: tocsin.English, Active: true}
		if err := db.SaveSubscriber(ctx, s); err != nil {
			t.Fatal(err)
		}
		rs = append(rs, tocsin.Recipient{SubscriberID: s.ID})
	}
	if err := db.CreateAlert(ctx, &tocsin.Alert{ID: "a1", Ref: "R1", State: tocsin.AlertApproved}); err != nil {
		t.Fatal(err)
	}
	if err := db.CreateLedger(ctx, "a1", rs); err != nil {
		t.Fatal(err)
	}
	held := make(chan struct{})
	release := make(chan struct{})
	txErr := make(chan error, 1)
	go func() {
		txErr <- db.InTx(ctx, func(q store.Querier) error {
			jobs, err := q.ClaimDeliveries(ctx, "a1", 2, "w1", claimTime)
			if err != nil {
				return err
			}
			if len(jobs) != 2 || jobs[0].SubscriberID != rs[0].SubscriberID {
				t.Errorf("first claim = %+v", jobs)
			}
			close(held)
			<-release
			return nil
		})
	}()
	<-held
	cctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	jobs, err := db.ClaimDeliveries(cctx, "a1", 10, "w1", claimTime)
	cancel()
	close(release)
	if err != nil {
		t.Fatalf("second claim while the first is open: %v", err)
	}
	if len(jobs) != 2 || jobs[0].SubscriberID != rs[2].SubscriberID || jobs[1].SubscriberID != rs[3].SubscriberID {
		t.Errorf("second claim = %+v, want the last two rows", jobs)
	}
	if err := <-txErr; err != nil {
		t.Fatal(err)
	}
}

// claimTime is when the tests' worker "w1" claims ledger rows.
var claimTime = time.Date(2026, 11, 25, 14, 0, 0, 0, time.UTC)
