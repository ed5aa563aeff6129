import { createHmac, hkdfSync, randomInt } from 'node:crypto';

/** Digits in a code. Six gives 10^6 values; with 5 tries per code, 1 in 200,000 per code. */
export const CODE_DIGITS = 6;
/** Wrong tries before a code is burnt (OTP-05). */
export const CODE_MAX_ATTEMPTS = 5;

/** A code from the CSPRNG, leading zeros kept (OTP-01). */
export function generateCode(random: (max: number) => number = (max) => randomInt(0, max)): string {
  return String(random(10 ** CODE_DIGITS)).padStart(CODE_DIGITS, '0');
}

export function isWellFormedCode(input: string): boolean {
  return /^\d{6}$/.test(input);
}

/** The key that hashes codes, derived from AUTH_SECRET so one secret need not be set twice. */
export function deriveCodeKey(secret: string): Buffer {
  return Buffer.from(hkdfSync('sha256', secret, 'latchkey', 'one-time code hmac v1', 32));
}

/**
 * What the store keeps instead of the code (OTP-07): an HMAC bound to its challenge, so a code is
 * worth nothing outside the sign-in or change it was sent for (OTP-04).
 */
export function hashCode(key: Buffer, challengeId: string, code: string): string {
  return createHmac('sha256', key).update(`${challengeId}\0${code}`).digest('base64url');
}
