package sender

// What the command line and the tests name from the sender's services,
// under the names they had when the services were part of package sender.

import (
	"context"
	"time"

	"github.com/tocsin/tocsin"
	"github.com/tocsin/tocsin/internal/phone"
	"github.com/tocsin/tocsin/internal/sender/canary"
	"github.com/tocsin/tocsin/internal/sender/inbound"
	"github.com/tocsin/tocsin/internal/sender/response"
	"github.com/tocsin/tocsin/internal/sender/signups"
	"github.com/tocsin/tocsin/internal/sender/vault"
)

// The auto-freeze rules (package response).
const (
	RuleCanarySubscriber = response.RuleCanarySubscriber
	RuleReconcileUnknown = response.RuleReconcileUnknown
	RuleCanaryCredential = response.RuleCanaryCredential
)

// Rules are every auto-freeze rule, all on by default.
var Rules = response.Rules

// ParseAutoFreeze reads a comma-separated list of rules ("all" or "none").
func ParseAutoFreeze(s string) (map[string]bool, error) { return response.ParseAutoFreeze(s) }

// DefaultCodesPerBlock is how many confirmation codes an hour go to the
// numbers of one block of 10,000 (package signups).
const DefaultCodesPerBlock = signups.DefaultCodesPerBlock

// CanaryFile is the canary subscribers' file in the state directory
// (package canary).
const CanaryFile = canary.File

// CanaryHookName is the provider name of the canary hook's requests.
const CanaryHookName = canary.HookName

// Canary is a canary subscriber as the sender's directory records it.
type Canary = canary.Canary

// ReadCanaries reads the canary subscribers of a state directory.
func ReadCanaries(stateDir string) ([]Canary, error) { return canary.ReadCanaries(stateDir) }

// AddCanarySubscriber subscribes a canary and records it in the state
// directory (canary.AddCanarySubscriber).
func AddCanarySubscriber(ctx context.Context, st canary.TxStore, keys *vault.Keys, stateDir, label string, otherAccount bool, number phone.Number, areas []tocsin.SubscriberArea, now time.Time) error {
	return canary.AddCanarySubscriber(ctx, st, keys, stateDir, label, otherAccount, number, areas, now)
}

// HookReplayWindow is how long the sender remembers the webhook requests
// it acted on (package inbound).
const HookReplayWindow = inbound.HookReplayWindow
