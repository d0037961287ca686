// Package scalebench measures tocsin at 1,000,000 subscribers on both
// stores, SQLite and PostgreSQL, side by side: recipient resolution (the
// sender's in-memory index and the store's own query), ledger creation, the
// sender's hand-off rate to a provider that does nothing, and report intake
// over real HTTP under a concurrent load generator.
//
// Everything is in its test files, as BenchmarkScale, which runs only when
// asked for (go test -bench BenchmarkScale with TOCSIN_BENCH_SCALE=1);
// scripts/bench runs it and prints the table. See docs/performance.md.
package scalebench
