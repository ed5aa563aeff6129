import { randomBytes } from 'node:crypto';
import { Secret } from 'otpauth';
import { describe, expect, it } from 'vitest';
import {
  decryptSecret,
  encryptSecret,
  matchingStep,
  newSecretBase32,
  normalizeCode,
  otpauthUri,
  stepAt,
  totpAt,
  totpKey,
} from '@/lib/factors/totp';

const RFC_SECRET = Secret.fromLatin1('12345678901234567890').base32;

describe('TOTP codes', () => {
  it('RFC 6238 test vectors (SHA-1)', () => {
    // The RFC lists 8 digits; a 6-digit code is the last six of them.
    const vectors: Array<[seconds: number, eightDigits: string]> = [
      [59, '94287082'],
      [1111111109, '07081804'],
      [1111111111, '14050471'],
      [1234567890, '89005924'],
      [2000000000, '69279037'],
      [20000000000, '65353130'],
    ];
    for (const [seconds, eight] of vectors)
      expect(totpAt(RFC_SECRET, seconds * 1000), `T=${seconds}`).toBe(eight.slice(2));
  });

  it('OTP-02 ±1 step accepted, ±2 steps refused', () => {
    const secret = newSecretBase32();
    const now = 1_750_000_015_000;
    const step = stepAt(now);
    expect(matchingStep(secret, totpAt(secret, now), now)).toBe(step);
    expect(matchingStep(secret, totpAt(secret, now - 30_000), now)).toBe(step - 1);
    expect(matchingStep(secret, totpAt(secret, now + 30_000), now)).toBe(step + 1);
    // A ±2 code may by chance equal one inside the window (1 in 10⁶ per step); then it is that one.
    for (const offset of [-60_000, 60_000]) {
      const far = totpAt(secret, now + offset);
      const inWindow = [-30_000, 0, 30_000].map((d) => totpAt(secret, now + d));
      if (!inWindow.includes(far)) expect(matchingStep(secret, far, now)).toBeNull();
    }
  });

  it('a new secret is 20 random bytes, different each time', () => {
    const a = newSecretBase32();
    expect(Secret.fromBase32(a).bytes).toHaveLength(20);
    expect(newSecretBase32()).not.toBe(a);
  });

  it('a code is six digits once spaces are removed', () => {
    expect(normalizeCode(' 123 456 ')).toBe('123456');
    for (const bad of ['12345', '1234567', '12345a', '', '１２３４５６'])
      expect(normalizeCode(bad), bad).toBeNull();
  });

  it('the otpauth URI names Latchkey as issuer and the username as label', () => {
    const secret = newSecretBase32();
    const uri = new URL(otpauthUri(secret, 'ada'));
    expect(uri.protocol).toBe('otpauth:');
    expect(uri.pathname).toBe('/Latchkey:ada');
    expect(Object.fromEntries(uri.searchParams)).toEqual({
      issuer: 'Latchkey',
      secret,
      algorithm: 'SHA1',
      digits: '6',
      period: '30',
    });
  });
});

describe('the secret at rest', () => {
  it('OTP-07 encrypts with a fresh IV, decrypts with the key, and fails with another key (GCM tag)', () => {
    const key = randomBytes(32);
    const secret = newSecretBase32();
    const stored = encryptSecret(key, secret);
    expect(stored).toMatch(/^v1\.[\w-]{16}\.[\w-]+\.[\w-]{22}$/);
    expect(stored).not.toContain(secret);
    expect(encryptSecret(key, secret)).not.toBe(stored);
    expect(decryptSecret(key, stored)).toBe(secret);
    expect(() => decryptSecret(randomBytes(32), stored)).toThrow();
    const [v, iv, ciphertext, tag] = stored.split('.');
    const flipped = Buffer.from(ciphertext!, 'base64url');
    flipped[0]! ^= 1;
    expect(() =>
      decryptSecret(key, [v, iv, flipped.toString('base64url'), tag].join('.')),
    ).toThrow();
  });

  it('the key is TOTP_ENCRYPTION_KEY when set, else derived from AUTH_SECRET', () => {
    const raw = randomBytes(32);
    expect(totpKey('x'.repeat(32), raw.toString('base64'))).toEqual(raw);
    expect(totpKey('x'.repeat(32), raw.toString('base64url'))).toEqual(raw);
    const derived = totpKey('x'.repeat(32));
    expect(derived).toHaveLength(32);
    expect(derived.equals(Buffer.from('x'.repeat(32)))).toBe(false);
    expect(totpKey('x'.repeat(32))).toEqual(derived);
    expect(totpKey('y'.repeat(32)).equals(derived)).toBe(false);
  });
});
