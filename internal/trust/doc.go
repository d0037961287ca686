// Package trust is the trust core of tocsin: the code that decides whether
// a message may go out. It holds
//
//   - the canonical alert statement (Statement): a deterministic, versioned,
//     domain-separated text encoding of exactly what will be sent — every
//     language's text, the target area, the audience bound, the alert id and
//     the validity window — whose SHA-256 digest operators sign;
//   - operator approvals (Approval): Ed25519 signatures over that digest;
//   - the operator roster (Roster): members, roles, keys and policy as a
//     chain of threshold-signed versions anchored in an offline root key,
//     in the pattern of TUF root metadata;
//   - the k-of-n quorum check of approvals (CheckApprovals);
//   - the notice statement (NoticeStatement) of a public incident notice,
//     signed in a domain of its own (SignNotice, VerifyNoticeApproval) and
//     counted by CheckNoticeApprovals against the policy's strictest alert
//     rule (Policy.NoticeSignatures), since a notice reaches everyone;
//   - the signed freeze/unfreeze orders of the kill switch, and
//     ReplayFreeze/VerifyFreezeState, the strict verifier of a whole order
//     history for third parties (every order signed, no gaps, any invalid
//     order means frozen).
//
// The sender applies freeze orders one at a time itself rather than through
// VerifyFreezeState: it obeys a freeze order even unsigned (stopping is
// always safe), and an unfreeze only with the roster's unfreeze threshold of
// signatures; an unfreeze still waiting for signatures never stops a later
// freeze. It resolves an alert's recipients from the statement's signed ZIP
// codes and circle; the statement's S2 cells are informative.
//
// The encodings are specified in FORMAT.md, with test vectors in testdata/;
// the pieces they are made of (the line reader, canonical numbers and
// times, text checks, digests) are in internal/canon, which only the trust
// core can import. The codecs of the alert statement, the notice and the
// freeze order are in the subpackages statement, notice and freeze, named
// here by aliases; their signatures are checked here. Operators' passphrase-protected key files
// are in the subpackage keyfile.
//
// Trust is rooted in signatures, not in the database. The sender treats
// everything it reads from the database as attacker-controlled and believes
// only what verifies here, back to the root public key it was configured
// with.
//
// This package must never:
//   - trust anything read from the database that is not signed: a roster is
//     believed only through VerifyChain from the configured root key, an
//     alert only through CheckApprovals over the digest of its canonical
//     encoding, a notice only through CheckNoticeApprovals, an unfreeze only with its threshold of roster signatures
//     (a freeze only stops sending, so it may be obeyed unsigned);
//   - hold, generate or store an operator's private key on the server: keys
//     are created by keyfile.New on the operator's own device and opened only
//     there (the server and the sender only ever see public keys and
//     signatures);
//   - accept an encoding that is not byte-identical to its canonical form
//     (decoders re-encode and compare), so one statement has exactly one
//     digest;
//   - fail open: malformed input, unknown keys, unknown roles, unknown
//     signature kinds and broken chains are refused, and an unverifiable
//     freeze history means "frozen";
//   - read the wall clock or keep package-level mutable state: every
//     function that depends on time takes it as an argument.
package trust
