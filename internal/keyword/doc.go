// Package keyword turns the body of an inbound SMS into a Command: JOIN or
// ALTA with ZIP codes, the carrier opt-out words (STOP, ALTO, BAJA, ...),
// START, HELP or AYUDA, LANG or IDIOMA, and REPORT or REPORTE with a free-text
// description.
//
// Matching is case- and accent-insensitive ("AYÚDA", "ayuda" and "Ayuda" are
// the same word), ignores surrounding whitespace and punctuation
// ("JOIN: 90210,"), and reports in Command.Lang whether the keyword itself
// was English or Spanish so the reply can be sent in the same language.
//
// Opt-out follows US carrier (CTIA) practice and errs on the side of
// honouring it: a message whose first word is an opt-out word is a Stop,
// whatever follows. Callers must act on a Stop before anything else.
//
// The package is pure: no I/O, no clock, no package-level mutable state, and
// Parse is safe for concurrent use.
//
// It must never:
//   - panic, whatever the input (it is fuzzed; bodies over MaxBodyBytes are
//     refused with Problem TooLong before any work is done);
//   - read a Stop as anything else, or read anything but an explicit opt-in
//     word as Join or Start;
//   - log, store or see the sender's phone number: it is given the body only;
//   - rewrite what a reporter typed: Command.Text is a slice of the original
//     body (only trimmed, and invalid UTF-8 replaced), never case- or
//     accent-folded.
package keyword
