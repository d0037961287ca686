// Package host holds the commands that run on the host, beside the data
// directory, and neither serve nor send: init (the root key, the trust
// anchor, roster version 1), roster, operator, audit, canary, apikey and
// incident. Each opens the database and the keys directory through datadir,
// does its one thing and exits.
//
// It starts no role: the wiring of serve and sender stays in the main
// package, which also holds the command table (FirstAdmin is the one piece
// serve borrows). What runs away from the server is in remote.
package host
