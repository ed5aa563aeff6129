import { hkdf } from '@panva/hkdf';
import { base64url, calculateJwkThumbprint, EncryptJWT, jwtDecrypt, type JWTPayload } from 'jose';
import type { JWTDecodeParams, JWTEncodeParams } from 'next-auth/jwt';

// The session cookie's JWT, exactly as Auth.js writes and reads it (an encrypted JWT: "dir" with
// A256CBC-HS512, the key derived from the secret by HKDF-SHA-256 with the cookie's name as salt,
// its JWK thumbprint as `kid`), with one difference: each key is derived once per process instead
// of on every call. Auth.js derives the key and hashes its thumbprint for every cookie it writes
// or reads, and it reads and rewrites the cookie on every signed-in request; caching saves about
// a third of a millisecond of CPU each time (issue 13, docs/performance.md). A cookie written by
// either reads with the other, which session-jwt.test.ts checks against Auth.js's own functions.

const ALG = 'dir';
const ENC = 'A256CBC-HS512';
/** Auth.js reads A256GCM too (cookies of older versions); so does this. */
const READABLE_ENCS = [ENC, 'A256GCM'] as const;
/** Auth.js's default when no maxAge is given: 30 days. */
const DEFAULT_MAX_AGE_SECONDS = 30 * 24 * 60 * 60;

type DerivedKey = { key: Uint8Array; kid: string };

/** Derived keys by (encryption, salt, secret). Secrets are few (AUTH_SECRET, rotation aside). */
const derived = new Map<string, Promise<DerivedKey>>();

function derivedKey(enc: string, secret: string, salt: string): Promise<DerivedKey> {
  const id = `${enc}\u0000${salt}\u0000${secret}`;
  let found = derived.get(id);
  if (!found) {
    found = derive(enc, secret, salt);
    // A failed derivation is not kept: the next call tries again.
    found.catch(() => derived.delete(id));
    derived.set(id, found);
  }
  return found;
}

async function derive(enc: string, secret: string, salt: string): Promise<DerivedKey> {
  const length = enc === ENC ? 64 : enc === 'A256GCM' ? 32 : 0;
  if (!length) throw new Error('Unsupported JWT Content Encryption Algorithm');
  const key = await hkdf(
    'sha256',
    secret,
    salt,
    `Auth.js Generated Encryption Key (${salt})`,
    length,
  );
  const kid = await calculateJwkThumbprint(
    { kty: 'oct', k: base64url.encode(key) },
    `sha${key.byteLength << 3}` as 'sha512' | 'sha256',
  );
  return { key, kid };
}

const secretsOf = (secret: string | string[]) => (Array.isArray(secret) ? secret : [secret]);

/** Auth.js's `jwt.encode`, with the derived key cached. */
export async function encodeSessionJwt(params: JWTEncodeParams): Promise<string> {
  const { token = {}, secret, maxAge = DEFAULT_MAX_AGE_SECONDS, salt } = params;
  const first = secretsOf(secret)[0];
  if (!first) throw new Error('No secret to encrypt the session with');
  const { key, kid } = await derivedKey(ENC, first, salt);
  const now = Math.floor(Date.now() / 1000);
  return new EncryptJWT(token as JWTPayload)
    .setProtectedHeader({ alg: ALG, enc: ENC, kid })
    .setIssuedAt(now)
    .setExpirationTime(now + maxAge)
    .setJti(crypto.randomUUID())
    .encrypt(key);
}

/**
 * Auth.js's `jwt.decode`, with the derived keys cached: the key whose thumbprint is the token's
 * `kid` (any of the secrets, for rotation), or the first secret's when the token names none.
 * Throws on a token that does not decrypt or has expired, as Auth.js's does.
 */
export async function decodeSessionJwt(params: JWTDecodeParams): Promise<JWTPayload | null> {
  const { token, secret, salt } = params;
  if (!token) return null;
  const { payload } = await jwtDecrypt(
    token,
    async ({ kid, enc }) => {
      for (const one of secretsOf(secret)) {
        const found = await derivedKey(enc, one, salt);
        if (kid === undefined || kid === found.kid) return found.key;
      }
      throw new Error('no matching decryption secret');
    },
    {
      clockTolerance: 15,
      keyManagementAlgorithms: [ALG],
      contentEncryptionAlgorithms: [...READABLE_ENCS],
    },
  );
  return payload;
}
