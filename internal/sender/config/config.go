// Package config is the sender's configuration, which the Sender and each
// of its services hold and read (never write) once the Sender is built.
package config

import (
	"fmt"
	"log/slog"
	"time"

	"github.com/tocsin/tocsin/internal/alarm"
	"github.com/tocsin/tocsin/internal/geo"
	"github.com/tocsin/tocsin/internal/phone"
	"github.com/tocsin/tocsin/internal/sender/vault"
	"github.com/tocsin/tocsin/internal/sms"
	"github.com/tocsin/tocsin/internal/store"
)

// Config is what a Sender needs.
type Config struct {
	Store store.Store
	Keys  *vault.Keys
	// Provider is the one provider when Routes is empty.
	Provider sms.Provider
	// Routes are the providers in order of preference, each with its pace;
	// the next takes over when one keeps failing.
	Routes []Route
	ZIPs   *geo.ZIPs
	Log    *slog.Logger
	Now    func() time.Time
	// Poll is how often the sender looks for work when not woken.
	Poll time.Duration
	// Batch is how many ledger rows are claimed at once.
	Batch int
	// Workers is how many messages of a batch are handed over at once.
	Workers int
	// Lanes is how many batches of one alert are in progress at once.
	Lanes int
	// Name is the service name used in replies ("tocsin").
	Name string
	// CodesPerHour bounds confirmation codes texted to one number.
	CodesPerHour int
	// CodesPerBlockPerHour bounds confirmation codes texted to the numbers
	// of one block (phone.Number.Block: 10,000 numbers), so that cycling
	// through a range is stopped; 0 means DefaultCodesPerBlock.
	CodesPerBlockPerHour int
	// SMSPolicy is the numbers the sender texts codes and replies to; nil
	// means phone.DefaultPolicy (the US and its territories).
	SMSPolicy *phone.Policy
	// TrustAnchor is the root public key (Ed25519) the roster chain must
	// verify back to. Without one (before tocsin init) every alert is
	// refused.
	TrustAnchor []byte
	// ReconcileEvery is how often providers' message lists are compared
	// with what the sender sent.
	ReconcileEvery time.Duration
	// LogKey signs the transparency log's checkpoints (a note signer key,
	// tlog.NewSigner); without it no log is kept. LogOrigin names the log.
	LogKey, LogOrigin string
	// StateDir is a directory only the sender writes: the alerts it has
	// started and the freeze orders it has applied.
	StateDir string
	// Worker: this process only delivers ledgers (and takes its turn at the
	// cluster's periodic work); it never starts an alert nor signs the log.
	// Without it the process may be the primary (see cluster.go).
	Worker bool
	// ClaimLease: ledger rows claimed longer ago than this by another
	// sender are taken to be a dead sender's and go back to the queue.
	ClaimLease time.Duration
	// Alarm tells operators of high and critical security events over a
	// channel that does not go through the SMS provider; nil for none.
	Alarm alarm.Notifier
	// AutoFreeze: the rules (RuleCanarySubscriber, …) that freeze outbound
	// messaging at once; nil means every rule.
	AutoFreeze map[string]bool
	// CanaryHook checks the webhooks of the canary subscribers' own
	// account or carrier (another Twilio account, another carrier's
	// Kannel), queued as hook requests of provider CanaryHookName: every
	// text arriving there is a text to a canary. Nil for none.
	CanaryHook sms.Webhooks
	// PublicURL is the site's address, for the links in a correction and in
	// alarms ("" for none).
	PublicURL string
	// EventNetworkRetention and EventRetention: how long the network
	// details of security events, and the events, are kept.
	EventNetworkRetention, EventRetention time.Duration
}

// Route is one provider the sender may send through, in order of
// preference, with its pace.
type Route struct {
	Provider sms.Provider
	// Rate is messages per second through this provider (its sending
	// numbers' combined throughput); 0 means no limit.
	Rate float64
}

// ErrNoRoute: every provider is out of rotation; the message waits, and
// does not count as an attempt.
var ErrNoRoute = fmt.Errorf("%w: no provider in rotation", sms.ErrTemporary)
