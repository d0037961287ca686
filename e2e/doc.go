// Package e2e holds the end-to-end tests of tocsin. They build the real
// binary once (go build ./cmd/tocsin), run it as a separate process on a
// free local port with a fresh data directory, and drive it only from the
// outside: over HTTP, through the dev SMS webhook, by reading the outbox
// provider's DATA/outbox.jsonl, and by inspecting the files it leaves behind.
//
// Run them with:
//
//	go test ./e2e/ -count=1 -v
package e2e
