// Package remote holds the tocsin commands that run away from the server,
// on an operator's machine or anyone's: they reach a server only through its
// JSON API (alert, notice, freeze, unfreeze, verify), and key new makes the
// key they sign with. They never open a database, a provider or the vault.
package remote
