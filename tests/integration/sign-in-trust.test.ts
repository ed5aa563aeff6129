import { describe, expect, it } from 'vitest';
import { db } from '@/lib/db';
import { completeSignIn, submitPassword } from '@/lib/auth/sign-in';
import { sendCode, submitCode } from '@/lib/auth/sign-in-code';
import { nameDevice, viewDeviceNaming } from '@/lib/auth/sign-in-device';
import { capturingSender, createUser, PASSWORD, testDeps } from '../support/sign-in-fixtures';

// "Don't require OTP on this browser" through the sign-in flow: trust comes only with a code,
// belongs to one user, rotates on use, and is announced by email.

const who = {
  ip: '192.0.2.10',
  userAgent:
    'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36',
};

async function signInWithTrust(
  deps: ReturnType<typeof testDeps>,
  sender: ReturnType<typeof capturingSender>,
  username: string,
  deviceName = 'Work laptop',
) {
  const started = await submitPassword(deps, { username, password: PASSWORD, ...who });
  if (!started.ok || started.next !== 'method') throw new Error('expected the method step');
  await sendCode(deps, { ticketId: started.ticketId, channel: 'email', ...who });
  const checked = await submitCode(deps, {
    ticketId: started.ticketId,
    code: sender.last().code!,
    trust: true,
    ...who,
  });
  expect(checked).toEqual({ ok: true, next: 'device-name' });
  const named = await nameDevice(deps, { ticketId: started.ticketId, name: deviceName, ...who });
  if (!named.ok) throw new Error('naming failed');
  expect(await completeSignIn(deps, { ticketId: started.ticketId, ...who })).toMatchObject({
    method: 'code',
  });
  return named.device;
}

describe('trusted browser sign-in', () => {
  it('TD-08 a trusted browser skips the code at the next sign-in, never the password', async () => {
    const sender = capturingSender();
    const deps = testDeps({ sender });
    const user = await createUser();
    const device = await signInWithTrust(deps, sender, user.username);

    const wrong = await submitPassword(deps, {
      username: user.username,
      password: 'not the password',
      deviceToken: device.token,
      ...who,
    });
    expect(wrong).toEqual({ ok: false, reason: 'invalid' });

    const next = await submitPassword(deps, {
      username: user.username,
      password: PASSWORD,
      deviceToken: device.token,
      ...who,
    });
    expect(next).toMatchObject({ ok: true, next: 'session' });
    if (!next.ok) return;
    expect(await completeSignIn(deps, { ticketId: next.ticketId, ...who })).toMatchObject({
      userId: user.id,
      method: 'trusted-device',
    });
  });

  it('TD-08 trust cannot be had without a correct code', async () => {
    const sender = capturingSender();
    const deps = testDeps({ sender });
    const user = await createUser();
    const started = await submitPassword(deps, {
      username: user.username,
      password: PASSWORD,
      ...who,
    });
    if (!started.ok) throw new Error('password failed');
    // No code yet: nothing to name.
    expect(await nameDevice(deps, { ticketId: started.ticketId, name: 'Sneaky', ...who })).toEqual({
      ok: false,
      reason: 'no-ticket',
    });
    await sendCode(deps, { ticketId: started.ticketId, channel: 'email', ...who });
    const wrong = sender.last().code === '000000' ? '111111' : '000000';
    expect(
      await submitCode(deps, { ticketId: started.ticketId, code: wrong, trust: true, ...who }),
    ).toMatchObject({ ok: false });
    expect(await nameDevice(deps, { ticketId: started.ticketId, name: 'Sneaky', ...who })).toEqual({
      ok: false,
      reason: 'no-ticket',
    });
    // A code without the tick verifies the sign-in but offers no trust.
    await submitCode(deps, { ticketId: started.ticketId, code: sender.last().code!, ...who });
    expect(await viewDeviceNaming(deps, started.ticketId)).toBeNull();
    expect(await db.trustedDevice.count({ where: { userId: user.id } })).toBe(0);
  });

  it('TD-08 a password-only sign-in cannot name a device', async () => {
    const deps = testDeps();
    const user = await createUser({ twoFactor: false });
    const started = await submitPassword(deps, {
      username: user.username,
      password: PASSWORD,
      ...who,
    });
    if (!started.ok) throw new Error('password failed');
    expect(await nameDevice(deps, { ticketId: started.ticketId, name: 'Nope', ...who })).toEqual({
      ok: false,
      reason: 'no-ticket',
    });
  });

  it('TD-05 another user on the same browser still gets a code', async () => {
    const sender = capturingSender();
    const deps = testDeps({ sender });
    const alice = await createUser();
    const bob = await createUser();
    const device = await signInWithTrust(deps, sender, alice.username);
    const bobs = await submitPassword(deps, {
      username: bob.username,
      password: PASSWORD,
      deviceToken: device.token,
      ...who,
    });
    expect(bobs).toMatchObject({ ok: true, next: 'method' });
    // Alice's trust is untouched by Bob's attempt.
    expect(
      await submitPassword(deps, {
        username: alice.username,
        password: PASSWORD,
        deviceToken: device.token,
        ...who,
      }),
    ).toMatchObject({ next: 'session' });
  });

  it('TD-04 each trusted sign-in rotates the token; the old one then asks for a code', async () => {
    const sender = capturingSender();
    const deps = testDeps({ sender });
    const user = await createUser();
    const device = await signInWithTrust(deps, sender, user.username);
    const first = await submitPassword(deps, {
      username: user.username,
      password: PASSWORD,
      deviceToken: device.token,
      ...who,
    });
    if (!first.ok || !first.device) throw new Error('expected a rotated device token');
    expect(first.device.token).not.toBe(device.token);
    expect(first.device.deviceId).toBe(device.deviceId);
    const replay = await submitPassword(deps, {
      username: user.username,
      password: PASSWORD,
      deviceToken: device.token,
      ...who,
    });
    expect(replay).toMatchObject({ ok: true, next: 'method' });
  });

  it('TD-09 the user is emailed when a new browser is trusted, with device, time, IP and a link', async () => {
    const sender = capturingSender();
    const deps = testDeps({ sender });
    const user = await createUser();
    await signInWithTrust(deps, sender, user.username, 'Büro <PC> 🖥️');
    const notice = sender.last();
    expect(notice.channel).toBe('email');
    expect(notice.to).toBe(user.email);
    expect(notice.text).toContain('Device: Büro <PC> 🖥️');
    expect(notice.text).toContain(`IP address: ${who.ip}`);
    expect(notice.text).toMatch(/When: \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC/);
    expect(notice.text).toContain('/account/trusted-devices');
  });

  it('a verified ticket names at most one device', async () => {
    const sender = capturingSender();
    const deps = testDeps({ sender });
    const user = await createUser();
    const started = await submitPassword(deps, {
      username: user.username,
      password: PASSWORD,
      ...who,
    });
    if (!started.ok) throw new Error('password failed');
    await sendCode(deps, { ticketId: started.ticketId, channel: 'email', ...who });
    await submitCode(deps, {
      ticketId: started.ticketId,
      code: sender.last().code!,
      trust: true,
      ...who,
    });
    const results = await Promise.all(
      Array.from({ length: 5 }, () =>
        nameDevice(deps, { ticketId: started.ticketId, name: 'Twice', ...who }),
      ),
    );
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(await db.trustedDevice.count({ where: { userId: user.id } })).toBe(1);
  });
});
