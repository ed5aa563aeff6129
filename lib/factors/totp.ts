import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { Secret, TOTP } from 'otpauth';

// The pure half of the authenticator app: codes, the ±1 step window and the secret's encryption
// at rest. No env, no database, so every rule here is checked by plain unit tests.

export const TOTP_ISSUER = 'Latchkey';
const ALGORITHM = 'SHA1';
const DIGITS = 6;
const PERIOD_SECONDS = 30;
/** One step either side of now: a phone clock a little off, or a code typed just as it turned. */
const WINDOW = 1;

const totp = (secretBase32: string, label = '') =>
  new TOTP({
    issuer: TOTP_ISSUER,
    label,
    secret: Secret.fromBase32(secretBase32),
    algorithm: ALGORITHM,
    digits: DIGITS,
    period: PERIOD_SECONDS,
  });

/** A new 20-byte shared secret from the CSPRNG, base32 (what the app and manual entry take). */
export const newSecretBase32 = (): string => Secret.fromHex(randomBytes(20).toString('hex')).base32;

/** The 6-digit code for a moment. */
export const totpAt = (secretBase32: string, atMs: number): string =>
  totp(secretBase32).generate({ timestamp: atMs });

/** The 30-second step a moment falls in. */
export const stepAt = (atMs: number): number => Math.floor(atMs / 1000 / PERIOD_SECONDS);

/** The code as typed, without spaces; null when it is not six digits. */
export function normalizeCode(code: string): string | null {
  const digits = code.replace(/\s+/g, '');
  return /^\d{6}$/.test(digits) ? digits : null;
}

/** The step the code belongs to when it is the current one or one step either side, else null. */
export function matchingStep(secretBase32: string, code: string, atMs: number): number | null {
  const delta = totp(secretBase32).validate({ token: code, timestamp: atMs, window: WINDOW });
  return delta === null ? null : stepAt(atMs) + delta;
}

/** The otpauth:// URI the QR code carries: issuer Latchkey, label the username. */
export const otpauthUri = (secretBase32: string, username: string): string =>
  totp(secretBase32, username).toString();

// AES-256-GCM, stored as `v1.<iv>.<ciphertext>.<tag>` (base64url). The version prefix leaves
// room for a later key or format without guessing what an old row holds.
const FORMAT = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;

function assertKey(key: Buffer): void {
  if (key.length !== 32) throw new RangeError('the TOTP encryption key must be 32 bytes');
}

export function encryptSecret(key: Buffer, secret: string): string {
  assertKey(key);
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const ciphertext = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
  const parts = [iv, ciphertext, cipher.getAuthTag()].map((b) => b.toString('base64url'));
  return [FORMAT, ...parts].join('.');
}

/** Throws when the value is not ours or the tag does not check (another key, altered bytes). */
export function decryptSecret(key: Buffer, stored: string): string {
  assertKey(key);
  const [format, iv, ciphertext, tag, ...rest] = stored.split('.');
  if (format !== FORMAT || iv === undefined || ciphertext === undefined || tag === undefined)
    throw new Error('not an encrypted TOTP secret');
  if (rest.length) throw new Error('not an encrypted TOTP secret');
  const ivBytes = Buffer.from(iv, 'base64url');
  const tagBytes = Buffer.from(tag, 'base64url');
  if (ivBytes.length !== IV_BYTES || tagBytes.length !== TAG_BYTES)
    throw new Error('not an encrypted TOTP secret');
  const decipher = createDecipheriv('aes-256-gcm', key, ivBytes, { authTagLength: TAG_BYTES });
  decipher.setAuthTag(tagBytes);
  return Buffer.concat([
    decipher.update(Buffer.from(ciphertext, 'base64url')),
    decipher.final(),
  ]).toString('utf8');
}

/**
 * The encryption key: TOTP_ENCRYPTION_KEY when set (32 bytes, base64 or base64url — Node's
 * base64url decoder takes both alphabets), else one derived from AUTH_SECRET so the session
 * signing key itself never encrypts anything.
 */
export function totpKey(authSecret: string, encryptionKey?: string): Buffer {
  if (encryptionKey) {
    const key = Buffer.from(encryptionKey, 'base64url');
    assertKey(key);
    return key;
  }
  return Buffer.from(hkdfSync('sha256', authSecret, '', 'latchkey totp secret v1', 32));
}
