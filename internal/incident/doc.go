// Package incident turns what tocsin recorded about an incident (its
// security events and audit entries) into what responders hand on: a STIX
// 2.1 bundle of network indicators for other groups and for abuse desks
// ([IOCs], written by the STIX 2.1 rules of package stix and checked by its
// Validate before it is returned), and a Markdown incident report ([Report])
// that says, from an inventory of what tocsin stores (package inventory),
// what the compromised components exposed and what they did not.
//
// It is pure: no database, no network, no clock (the caller passes the time),
// no randomness except the id of each bundle.
//
// It must never put a phone number, a report, a reporter or a subscriber into
// a bundle: a bundle is meant to be published, so it holds network
// indicators only (source addresses, user agents, request methods and paths
// without query strings), and [IOCs] refuses to produce one in which any
// string looks like an E.164 number. Request headers other than a short
// allow-list never leave it: they can carry the canary key itself, a
// session cookie or a credential. Everything an attacker sent (user agents,
// paths) is treated as hostile text: escaped in patterns and in Markdown,
// never trusted to be well-formed.
package incident
