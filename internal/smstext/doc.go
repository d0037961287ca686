// Package smstext knows how an SMS body is encoded on the air and how many
// billed segments it takes, so the alert composer can show a live counter
// and offer a cheaper GSM-7 version of a UCS-2 text.
//
// A body whose every character is in the GSM 03.38 (3GPP TS 23.038) default
// alphabet or its extension table is sent as GSM-7: 160 septets in one
// segment, 153 a segment when concatenated, extension characters (€ [ ] { }
// ^ ~ \ | and form feed) taking two. One character outside it (á, í, ó, ú,
// a curly quote, an emoji) turns the whole body into UCS-2: 70 UTF-16 code
// units in one segment, 67 when concatenated. Spanish text therefore often
// costs two to three times as much, and takes as much longer to deliver.
//
// Modelling choices: a GSM-7 escape pair and a UTF-16 surrogate pair are
// never split across two segments (real encoders move them to the next
// part), so Segments can exceed ceil(Units/153) or ceil(Units/67) by one in
// rare cases; an empty body is one segment. National language shift tables
// (3GPP TS 23.038 §6.2.1.2.4, which include a Spanish table with á í ó ú)
// are not modelled: US carriers do not support them.
//
// The browser counter in internal/web/webkit/static/segments.js implements the
// same rules; a test checks that its tables are identical to these.
//
// The package is pure: no I/O, no package-level mutable state, and every
// function is safe for concurrent use.
//
// It must never:
//   - undercount: a composer that says "1 segment" for a two-segment alert
//     misleads operators about cost and delivery time;
//   - change meaning in ToGSM: it only substitutes characters that read the
//     same (curly quotes, dashes, unusual spaces, accents GSM-7 lacks) and
//     leaves anything else, such as an emoji or a Chinese character, as it
//     was, so that the result may still be UCS-2 but is never wrong;
//   - send, store or log anything.
package smstext
