// The password hash of a user an upload invited, until they set a password (CSV-03).
//
// argon2id (PW-08's parameters) of 256 random bits that were generated once, hashed and thrown
// away: nobody has a password that matches it, and checking a password against it costs exactly
// what checking a real one costs, so a sign-in attempt cannot tell "invited, no password yet"
// from "wrong password" by its timing (PW-10). A constant instead of a fresh hash per import:
// hashing allocated 19 MB at the start of every import (docs/performance.md), to make another
// value nobody can match. A sentinel such as `!invited` would be cheaper still, but
// lib/auth/password.ts answers a malformed hash at once, without hashing, which timing would tell.
// invited-password.test.ts fails when PASSWORD_HASH_OPTIONS change: make a new one then with
//   node -e "require('@node-rs/argon2').hash(require('crypto').randomBytes(32).toString('base64url'), {algorithm: 2, memoryCost: M, timeCost: T, parallelism: P}).then(console.log)"
export const INVITED_PASSWORD_HASH =
  '$argon2id$v=19$m=19456,t=2,p=1$aiYQvjCSx0hckZ/i+o3JzQ$MK4EWF8NIFYWahuRT5FNxdWV6GQShHtzhmB6EVCv4Sw';
