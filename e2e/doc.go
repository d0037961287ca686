// Package e2e holds the end-to-end tests of tocsin. They build the real
// binary once (go build ./cmd/tocsin), run it as separate processes on free
// local ports with fresh data directories (`tocsin serve`, all in one or as
// the web role, and `tocsin sender`), and drive it from the outside: over
// HTTP, through the dev SMS webhook, with the command line operators use
// (`tocsin key new`, `tocsin init`, `tocsin alert approve`, `tocsin freeze`),
// by reading the outbox provider's outbox.jsonl, and by inspecting the files
// it leaves behind.
//
// Some tests also write the SQLite database directly: to seed thousands of
// subscribers cheaply (sealed and hashed with the sender's keys, as test
// set-up), and to play an attacker who can write every table.
//
// Run them with:
//
//	TOCSIN_REQUIRE_BROWSER=1 go test ./e2e/ -count=1 -v
package e2e
