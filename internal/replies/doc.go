// Package replies holds the fixed texts tocsin sends to one person at a
// time: the answers to keywords (HELP, STOP, START, JOIN, LANG, REPORT and
// their Spanish words), the sign-up confirmation code and the welcome text,
// in English and Spanish. The sender formats them; the web tier reads the
// same templates to recognise them when someone pastes one into /verify.
//
// Every text starts with the service's name and is GSM-7 (the Spanish texts
// avoid á, í, ó and ú, which would force UCS-2). The HELP text and every
// opt-in confirmation name the opt-out word, the help word and say that
// message and data rates may apply, as the CTIA handbook asks; every
// keyword a text names is one internal/keyword accepts, in the text's own
// language.
//
// The package is pure data and formatting: no I/O, no package-level
// mutable state. It must never depend on the sender, the vault, the store
// or a provider: the web tier imports it.
package replies
