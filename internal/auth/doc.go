// Package auth holds the pure cryptographic and policy primitives behind
// operator authentication in tocsin's web console: argon2id password
// hashing, TOTP second factors with replay refusal, random session,
// enrolment and CSRF tokens, failed-login back-off and the under-attack rule, and the role/permission
// matrix for admins, dispatchers and viewers.
//
// The threat model it serves: whoever holds one operator's password must not
// be able to do anything without the second factor. This package supplies
// the checks; callers must combine them (a session is only useful once both
// VerifyPassword and CheckTOTP have succeeded, and the TOTP step returned by
// CheckTOTP must be stored so the same code can never be used twice).
//
// The package is deliberately free of storage, HTTP and clocks: every
// function that depends on time takes now as an argument, and there is no
// package-level mutable state.
//
// It must never:
//   - store, log or return a plaintext password, TOTP secret or raw token
//     anywhere other than back to its caller (persist only the hashes:
//     the PHC string from HashPassword and the digest from NewToken/HashToken);
//   - compare secrets, hashes, codes or MACs in variable time;
//   - accept a TOTP code for a time step at or before the last one used;
//   - fail open: malformed input, unknown roles and unknown actions are
//     always refused;
//   - read the wall clock or the network.
package auth
