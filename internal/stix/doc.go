// Package stix holds the rules of STIX 2.1 that tocsin writes its incident
// indicators by: the canonical JSON (RFC 8785) and the deterministic ids of
// cyber observables (§2.9), the pattern string literal ([Quote]), and a check
// of a bundle ([Validate]) and of a STIX pattern ([ValidatePattern], a
// parser of the pattern grammar) against the specification.
//
// It is pure: no database, no network, no clock. It knows nothing of tocsin's
// incidents (package incident builds the bundles); what it checks is
// attacker-influenced text, so it must never panic or loop on any input
// (FuzzValidatePattern).
package stix
