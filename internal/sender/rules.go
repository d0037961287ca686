package sender

import "github.com/tocsin/tocsin/internal/sender/response"

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
