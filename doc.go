// Package tocsin holds the domain of a community rapid-response alert network:
// reports of enforcement activity, subscriptions, alerts and their delivery, and
// the small set of error codes every edge maps to its own transport.
//
// It depends on the standard library only. It must never import storage, SMS
// providers, HTTP or anything that can open a sealed phone number.
package tocsin
