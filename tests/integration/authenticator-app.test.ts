import { describe, expect, it } from 'vitest';
import { db } from '@/lib/db';
import { env } from '@/lib/env';
import {
  confirmAppEnrolment,
  decryptSecret,
  encryptSecret,
  getAppStatus,
  removeApp,
  startAppEnrolment,
  totpAt,
  verifyAppCode,
  viewPendingEnrolment,
} from '@/lib/factors/authenticator-app';
import { totpKey } from '@/lib/factors/totp';
import { createUser } from '../support/sign-in-fixtures';

const NOW = new Date('2026-03-02T10:00:15Z');
const at = (ms: number) => new Date(NOW.getTime() + ms);

/** A user whose app is set up and confirmed at NOW - 90 s (three steps before NOW). */
async function enrolledUser() {
  const user = await createUser();
  const setup = await startAppEnrolment({ userId: user.id, username: user.username, now: NOW });
  if (!setup.ok) throw new Error('setup refused');
  const then = at(-90_000);
  const confirmed = await confirmAppEnrolment({
    userId: user.id,
    code: totpAt(setup.secret, then.getTime()),
    now: then,
  });
  expect(confirmed).toEqual({ ok: true });
  return { user, secret: setup.secret };
}

describe('authenticator app', () => {
  it('OTP-07 the secret is stored encrypted: the column never holds the base32 secret, decrypts with the key, and fails with another key (GCM tag)', async () => {
    const user = await createUser();
    const setup = await startAppEnrolment({ userId: user.id, username: user.username, now: NOW });
    if (!setup.ok) throw new Error('setup refused');
    const row = await db.authenticatorApp.findUniqueOrThrow({ where: { userId: user.id } });
    expect(row.secretEncrypted).not.toContain(setup.secret);
    expect(row.secretEncrypted.startsWith('v1.')).toBe(true);
    const key = totpKey(env.AUTH_SECRET, env.TOTP_ENCRYPTION_KEY);
    expect(decryptSecret(key, row.secretEncrypted)).toBe(setup.secret);
    const otherKey = totpKey('another-secret-that-is-at-least-thirty-two-characters');
    expect(() => decryptSecret(otherKey, row.secretEncrypted)).toThrow();
    expect(encryptSecret(key, setup.secret)).not.toBe(row.secretEncrypted);
  });

  it('setup shows a QR code and can be shown again from the stored secret', async () => {
    const user = await createUser();
    const setup = await startAppEnrolment({ userId: user.id, username: user.username, now: NOW });
    if (!setup.ok) throw new Error('setup refused');
    expect(setup.secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(setup.otpauthUri).toContain(`Latchkey:${user.username}`);
    expect(setup.qrSvg).toMatch(/^<svg[\s\S]*<\/svg>\s*$/);
    expect(await viewPendingEnrolment(user.id, user.username)).toEqual({
      secret: setup.secret,
      otpauthUri: setup.otpauthUri,
      qrSvg: setup.qrSvg,
    });
    // Starting again replaces the unfinished setup with a new secret.
    const again = await startAppEnrolment({ userId: user.id, username: user.username, now: NOW });
    if (!again.ok) throw new Error('setup refused');
    expect(again.secret).not.toBe(setup.secret);
    expect((await viewPendingEnrolment(user.id, user.username))?.secret).toBe(again.secret);
    const stale = await confirmAppEnrolment({
      userId: user.id,
      code: totpAt(setup.secret, NOW.getTime()),
      now: NOW,
    });
    expect(stale).toEqual({ ok: false, reason: 'mismatch' });
  });

  it('setup counts only after a valid code: verifyAppCode says no-app before confirmation; a wrong code does not confirm', async () => {
    const user = await createUser();
    expect(await confirmAppEnrolment({ userId: user.id, code: '123456', now: NOW })).toEqual({
      ok: false,
      reason: 'no-enrolment',
    });
    const setup = await startAppEnrolment({ userId: user.id, username: user.username, now: NOW });
    if (!setup.ok) throw new Error('setup refused');
    const code = totpAt(setup.secret, NOW.getTime());
    expect(await verifyAppCode({ userId: user.id, code, now: NOW })).toBe('no-app');
    expect(await getAppStatus(user.id)).toBeNull();

    const wrong = code === '000000' ? '111111' : '000000';
    expect(await confirmAppEnrolment({ userId: user.id, code: wrong, now: NOW })).toEqual({
      ok: false,
      reason: 'mismatch',
    });
    expect(await confirmAppEnrolment({ userId: user.id, code: '12 34', now: NOW })).toEqual({
      ok: false,
      reason: 'malformed',
    });
    expect(await getAppStatus(user.id)).toBeNull();

    const spaced = `${code.slice(0, 3)} ${code.slice(3)}`;
    expect(await confirmAppEnrolment({ userId: user.id, code: spaced, now: NOW })).toEqual({
      ok: true,
    });
    expect(await getAppStatus(user.id)).toEqual({ confirmedAt: NOW, lastUsedAt: null });
    expect(await viewPendingEnrolment(user.id, user.username)).toBeNull();
    // The setup code itself is spent; a new setup is refused while this app exists.
    expect(await verifyAppCode({ userId: user.id, code, now: NOW })).toBe('replayed');
    expect(await startAppEnrolment({ userId: user.id, username: user.username, now: NOW })).toEqual(
      { ok: false, reason: 'already-enrolled' },
    );
  });

  it('OTP-03 an app code is single use: the same code twice → match then replayed; 20 concurrent submissions → exactly one match', async () => {
    const { user, secret } = await enrolledUser();
    const code = totpAt(secret, NOW.getTime());
    expect(await verifyAppCode({ userId: user.id, code, now: NOW })).toBe('match');
    expect(await verifyAppCode({ userId: user.id, code, now: at(5_000) })).toBe('replayed');
    expect(await getAppStatus(user.id)).toEqual({ confirmedAt: at(-90_000), lastUsedAt: NOW });

    const next = at(30_000);
    const results = await Promise.all(
      Array.from({ length: 20 }, () =>
        verifyAppCode({ userId: user.id, code: totpAt(secret, next.getTime()), now: next }),
      ),
    );
    expect(results.filter((r) => r === 'match')).toHaveLength(1);
    expect(results.filter((r) => r === 'replayed')).toHaveLength(19);
  });

  it('OTP-02 ±1 step accepted, ±2 steps refused', async () => {
    const { user, secret } = await enrolledUser();
    const verify = (offset: number) =>
      verifyAppCode({ userId: user.id, code: totpAt(secret, NOW.getTime() + offset), now: NOW });
    const inWindow = [-30_000, 0, 30_000].map((d) => totpAt(secret, NOW.getTime() + d));
    // A code two steps away that happens to equal one in the window (1 in 10⁶) proves nothing.
    for (const offset of [-60_000, 60_000])
      if (!inWindow.includes(totpAt(secret, NOW.getTime() + offset)))
        expect(await verify(offset)).toBe('mismatch');
    // In step order, as each later step must be greater than the last used one.
    expect(await verify(-30_000)).toBe('match');
    expect(await verify(0)).toBe('match');
    expect(await verify(30_000)).toBe('match');
    // Having used the step ahead, the current one is now behind the last used step.
    expect(await verify(0)).toBe('replayed');
    expect(await verifyAppCode({ userId: user.id, code: '12345', now: NOW })).toBe('malformed');
  });

  it('removing the app: verifyAppCode → no-app', async () => {
    const { user, secret } = await enrolledUser();
    expect(await removeApp(user.id)).toBe(true);
    const code = totpAt(secret, NOW.getTime());
    expect(await verifyAppCode({ userId: user.id, code, now: NOW })).toBe('no-app');
    expect(await getAppStatus(user.id)).toBeNull();
    expect(await removeApp(user.id)).toBe(false);
    // A fresh setup is allowed once the old app is gone.
    const again = await startAppEnrolment({ userId: user.id, username: user.username, now: NOW });
    expect(again.ok).toBe(true);
  });
});
