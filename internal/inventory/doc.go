// Package inventory describes what tocsin stores (or deliberately does not):
// where each kind of data lives, how it is protected, and which compromised
// component exposes it ([Default]); and says, for the components an incident
// touched, what was exposed and why ([Assess]). The incident report
// (package incident) is written from it.
//
// It is pure data and pure functions: no database, no network, no clock. It
// must describe tocsin as docs/threat-model.md does, conservatively: when
// exposure depends on the deployment it assumes the all-in-one default.
package inventory
