import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { db } from '@/lib/db';
import { submitPassword } from '@/lib/auth/sign-in';
import { sendCode, submitCode } from '@/lib/auth/sign-in-code';
import { listTrustedDevices, trustDevice } from '@/lib/devices/trusted-devices';
import type { OutgoingMessage } from '@/lib/delivery/sender';
import { contactChangeSetup } from '../support/account-security-fixtures';
import {
  cancelContactChange,
  confirmContactChange,
  confirmIdentity,
  requestContactChange,
  sendIdentityCode,
  viewContactChange,
} from '@/lib/account/contact-change';
import { createUser, PASSWORD } from '../support/sign-in-fixtures';

// The profile's contact change against the real database and store, with a capturing sender and
// a hand-moved clock. The browser journey is tests/e2e/profile.spec.ts.

const who = { ip: '203.0.113.11', userAgent: 'vitest' };

const setup = contactChangeSetup;

type Setup = ReturnType<typeof setup>;
const codeOf = (m: OutgoingMessage) => m.code!;
const wrong = (code: string) => (code === '000000' ? '111111' : '000000');

/** SE-07: a code to the current email, entered on the profile page. */
async function confirmItsMe({ deps, sender }: Setup, userId: string) {
  expect(await sendIdentityCode(deps, { userId, ...who })).toMatchObject({ ok: true });
  expect(await confirmIdentity(deps, { userId, code: codeOf(sender.last()), ...who })).toEqual({
    ok: true,
  });
}

const userRow = (id: string) => db.user.findUniqueOrThrow({ where: { id } });
const newEmail = () => `new-${randomUUID().slice(0, 8)}@example.test`;

describe('SE-07 a fresh code before a contact change', () => {
  it('SE-07 without a code entered on this page in the last 10 minutes, a change is refused; a fresh sign-in by code does not count', async () => {
    const t = setup();
    const user = await createUser();
    // A complete sign-in with a code, just now.
    const password = await submitPassword(t.signIn, {
      username: user.username,
      password: PASSWORD,
      ...who,
    });
    if (!password.ok) throw new Error('password step failed');
    await sendCode(t.signIn, { ticketId: password.ticketId, channel: 'email', ...who });
    expect(
      await submitCode(t.signIn, {
        ticketId: password.ticketId,
        code: codeOf(t.sender.last()),
        ...who,
      }),
    ).toMatchObject({ ok: true });

    expect(
      await requestContactChange(t.deps, {
        userId: user.id,
        kind: 'email',
        value: newEmail(),
        ...who,
      }),
    ).toEqual({ ok: false, reason: 'not-recent' });
    expect((await viewContactChange(t.deps, user.id)).recentUntil).toBeNull();
  });

  it('SE-07 the confirming code goes to the CURRENT email, says what it is for, and allows changes for 10 minutes only', async () => {
    const t = setup();
    const user = await createUser();
    await sendIdentityCode(t.deps, { userId: user.id, ...who });
    const message = t.sender.last();
    expect(message).toMatchObject({
      channel: 'email',
      to: user.email,
      subject: 'Your Latchkey code to confirm it’s you',
    });
    expect(message.text).not.toContain('sign-in page');
    expect(
      await confirmIdentity(t.deps, { userId: user.id, code: wrong(codeOf(message)), ...who }),
    ).toEqual({ ok: false, reason: 'mismatch', attemptsLeft: 4 });
    expect(
      await confirmIdentity(t.deps, { userId: user.id, code: codeOf(message), ...who }),
    ).toEqual({ ok: true });
    // Single use (OTP-03).
    expect(
      await confirmIdentity(t.deps, { userId: user.id, code: codeOf(message), ...who }),
    ).toEqual({ ok: false, reason: 'no-code' });

    t.clock.advance(9 * 60_000);
    expect((await viewContactChange(t.deps, user.id)).recentUntil).not.toBeNull();
    t.clock.advance(60_001);
    expect(
      await requestContactChange(t.deps, {
        userId: user.id,
        kind: 'email',
        value: newEmail(),
        ...who,
      }),
    ).toEqual({ ok: false, reason: 'not-recent' });
  });

  it('SE-07 a code that has expired no longer confirms', async () => {
    const t = setup();
    const user = await createUser();
    await sendIdentityCode(t.deps, { userId: user.id, ...who });
    t.clock.advance(46_000);
    expect(
      await confirmIdentity(t.deps, { userId: user.id, code: codeOf(t.sender.last()), ...who }),
    ).toEqual({ ok: false, reason: 'expired' });
  });
});

describe('OTP-10 a new email or phone takes effect only after the code sent to it', () => {
  it('OTP-10 a new email: the code goes to the NEW address; nothing changes until it is entered; then devices are revoked and the old address is told', async () => {
    const t = setup();
    const user = await createUser();
    await trustDevice({
      userId: user.id,
      name: 'Laptop',
      lifetimeDays: 30,
      now: new Date(),
      ...who,
    });
    await confirmItsMe(t, user.id);
    const to = newEmail();

    expect(
      await requestContactChange(t.deps, {
        userId: user.id,
        kind: 'email',
        value: ` ${to} `,
        ...who,
      }),
    ).toMatchObject({ ok: true });
    const message = t.sender.last();
    expect(message).toMatchObject({ channel: 'email', to });
    expect((await userRow(user.id)).email).toBe(user.email);
    expect(await listTrustedDevices(user.id, undefined)).toHaveLength(1);

    expect(
      await confirmContactChange(t.deps, { userId: user.id, code: wrong(codeOf(message)), ...who }),
    ).toEqual({ ok: false, reason: 'mismatch', attemptsLeft: 4 });
    expect((await userRow(user.id)).email).toBe(user.email);

    expect(
      await confirmContactChange(t.deps, { userId: user.id, code: codeOf(message), ...who }),
    ).toEqual({ ok: true, kind: 'email' });
    const after = await userRow(user.id);
    expect(after.email).toBe(to);
    expect(after.emailVerified).not.toBeNull();
    expect(await listTrustedDevices(user.id, undefined)).toEqual([]);
    expect(t.sender.last()).toMatchObject({
      channel: 'email',
      to: user.email,
      subject: 'Your Latchkey email address was changed',
    });
    const changed = await db.auditEvent.findFirst({
      where: { userId: user.id, type: 'contact.changed' },
    });
    expect(changed?.detail).toMatchObject({ kind: 'email', by: 'self', noticeSent: true });
    expect(JSON.stringify(changed?.detail)).not.toContain(codeOf(message));
    expect((await viewContactChange(t.deps, user.id)).change).toBeNull();
  });

  it('OTP-10 a new phone typed in national format: the code goes by SMS to its E.164, and once entered the phone is verified', async () => {
    const t = setup();
    const user = await createUser({ phone: '+14155550123' });
    await trustDevice({
      userId: user.id,
      name: 'Laptop',
      lifetimeDays: 30,
      now: new Date(),
      ...who,
    });
    await confirmItsMe(t, user.id);

    expect(
      await requestContactChange(t.deps, {
        userId: user.id,
        kind: 'phone',
        value: '(415) 555-0188',
        ...who,
      }),
    ).toMatchObject({ ok: true });
    const sms = t.sender.last();
    expect(sms).toMatchObject({ channel: 'sms', to: '+14155550188', validitySeconds: 45 });
    expect(sms.text.split('\n').at(-1)).toBe(`@login.example.test #${codeOf(sms)}`);
    expect((await userRow(user.id)).phone).toBe('+14155550123');

    expect(
      await confirmContactChange(t.deps, { userId: user.id, code: codeOf(sms), ...who }),
    ).toEqual({ ok: true, kind: 'phone' });
    const after = await userRow(user.id);
    expect(after.phone).toBe('+14155550188');
    expect(after.phoneVerifiedAt).not.toBeNull();
    expect(await listTrustedDevices(user.id, undefined)).toEqual([]);
    expect(t.sender.last()).toMatchObject({
      channel: 'email',
      to: user.email,
      subject: 'Your Latchkey phone number was changed',
    });
  });

  it('OTP-10 after the change, sign-in codes go to the new email and the new phone (read at send time)', async () => {
    const t = setup();
    const user = await createUser({ phone: '+14155550123' });
    await confirmItsMe(t, user.id);
    const to = newEmail();
    await requestContactChange(t.deps, { userId: user.id, kind: 'email', value: to, ...who });
    await confirmContactChange(t.deps, { userId: user.id, code: codeOf(t.sender.last()), ...who });
    await requestContactChange(t.deps, {
      userId: user.id,
      kind: 'phone',
      value: '+1 415 555 0199',
      ...who,
    });
    await confirmContactChange(t.deps, { userId: user.id, code: codeOf(t.sender.last()), ...who });

    const password = await submitPassword(t.signIn, {
      username: user.username,
      password: PASSWORD,
      ...who,
    });
    if (!password.ok) throw new Error('password step failed');
    await sendCode(t.signIn, { ticketId: password.ticketId, channel: 'email', ...who });
    expect(t.sender.last()).toMatchObject({ channel: 'email', to });
    await sendCode(t.signIn, { ticketId: password.ticketId, channel: 'sms', ...who });
    expect(t.sender.last()).toMatchObject({ channel: 'sms', to: '+14155550199' });
  });

  it('OTP-10 an expired or burnt code changes nothing', async () => {
    const t = setup();
    const user = await createUser();
    await confirmItsMe(t, user.id);
    await requestContactChange(t.deps, {
      userId: user.id,
      kind: 'email',
      value: newEmail(),
      ...who,
    });
    t.clock.advance(46_000);
    expect(
      await confirmContactChange(t.deps, {
        userId: user.id,
        code: codeOf(t.sender.last()),
        ...who,
      }),
    ).toEqual({ ok: false, reason: 'expired' });

    await requestContactChange(t.deps, {
      userId: user.id,
      kind: 'email',
      value: newEmail(),
      ...who,
    });
    const code = codeOf(t.sender.last());
    for (let i = 0; i < 4; i++)
      await confirmContactChange(t.deps, { userId: user.id, code: wrong(code), ...who });
    expect(
      await confirmContactChange(t.deps, { userId: user.id, code: wrong(code), ...who }),
    ).toEqual({ ok: false, reason: 'burnt' });
    expect(await confirmContactChange(t.deps, { userId: user.id, code, ...who })).toEqual({
      ok: false,
      reason: 'no-code',
    });
    expect((await userRow(user.id)).email).toBe(user.email);
  });

  it('OTP-04 the code that confirmed identity cannot confirm the change', async () => {
    const t = setup();
    const user = await createUser();
    await sendIdentityCode(t.deps, { userId: user.id, ...who });
    const identityCode = codeOf(t.sender.last());
    await confirmIdentity(t.deps, { userId: user.id, code: identityCode, ...who });
    await requestContactChange(t.deps, {
      userId: user.id,
      kind: 'email',
      value: newEmail(),
      ...who,
    });
    if (codeOf(t.sender.last()) === identityCode) return; // one in a million: the same six digits
    expect(
      await confirmContactChange(t.deps, { userId: user.id, code: identityCode, ...who }),
    ).toMatchObject({ ok: false, reason: 'mismatch' });
  });

  it('BF-04 an email used by another account is refused only after its code was entered, and nothing changes', async () => {
    const t = setup();
    const [user, other] = [await createUser(), await createUser()];
    await confirmItsMe(t, user.id);
    // Asking gives no hint: the code is sent as for any address.
    expect(
      await requestContactChange(t.deps, {
        userId: user.id,
        kind: 'email',
        value: other.email.toUpperCase(),
        ...who,
      }),
    ).toMatchObject({ ok: true });
    expect(
      await confirmContactChange(t.deps, {
        userId: user.id,
        code: codeOf(t.sender.last()),
        ...who,
      }),
    ).toEqual({ ok: false, reason: 'already-used' });
    expect((await userRow(user.id)).email).toBe(user.email);
  });

  it('refuses an invalid or unchanged destination with a message, and a cancelled change is gone', async () => {
    const t = setup();
    const user = await createUser({ phone: '+14155550123' });
    await confirmItsMe(t, user.id);
    const ask = (kind: 'email' | 'phone', value: string) =>
      requestContactChange(t.deps, { userId: user.id, kind, value, ...who });
    expect(await ask('email', 'nope')).toMatchObject({ ok: false, reason: 'invalid' });
    expect(await ask('email', user.email.toUpperCase())).toEqual({
      ok: false,
      reason: 'invalid',
      error: 'That is already your email address.',
    });
    expect(await ask('phone', '415 555 0123')).toEqual({
      ok: false,
      reason: 'invalid',
      error: 'That is already your phone number.',
    });
    expect(await ask('phone', '12')).toMatchObject({ ok: false, reason: 'invalid' });

    await ask('email', newEmail());
    await cancelContactChange(t.deps, user.id);
    expect(
      await confirmContactChange(t.deps, {
        userId: user.id,
        code: codeOf(t.sender.last()),
        ...who,
      }),
    ).toEqual({ ok: false, reason: 'no-change' });
  });

  it('FR-03 OTP-06 codes from this page count against the same hourly account limit as sign-in codes', async () => {
    const t = setup();
    const user = await createUser();
    await confirmItsMe(t, user.id);
    const limit = t.deps.limits.policies['code-send-account'].limit;
    // The confirmation code restarted the count when it was entered (OTP-06).
    for (let i = 1; i <= limit; i++) {
      expect(
        await requestContactChange(t.deps, {
          userId: user.id,
          kind: 'email',
          value: newEmail(),
          ...who,
        }),
      ).toMatchObject({ ok: true });
    }
    expect(
      await requestContactChange(t.deps, {
        userId: user.id,
        kind: 'email',
        value: newEmail(),
        ...who,
      }),
    ).toMatchObject({ ok: false, reason: 'limited' });
  });
});
