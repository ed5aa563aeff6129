import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { db } from '@/lib/db';
import { submitPassword } from '@/lib/auth/sign-in';
import type { NoticeDeps } from '@/lib/notices/notice-deps';
import {
  deleteOtherTrustedDevices,
  deleteTrustedDevice,
  listTrustedDevices,
  revokeAllTrustedDevices,
  trustDevice,
} from '@/lib/devices/trusted-devices';
import type { OutgoingMessage, Sender } from '@/lib/delivery/sender';
import { revokeUserDevice, revokeUserDevices } from '@/lib/admin/revoke-user-devices';
import { updateUser } from '@/lib/admin/update-user';
import { recordEvent, typedUsernameSubject } from '@/lib/audit/record-event';
import { sendNotice } from '@/lib/notices/send-notice';
import { unlockAccount } from '@/lib/admin/unlock-account';
import { capturingSender, createUser, PASSWORD } from '../support/sign-in-fixtures';
import { freshIp, limitedDeps, perHour } from '../support/limit-fixtures';
import { withEmailParts } from '@/lib/email/email-parts';

// The device-removed and lockout emails (RC-05), against the real database and the run's store.
// Decision record: docs/decisions/0011-notifications.md.

const ORIGIN = 'https://login.example.test';
const who = { ip: '203.0.113.45', userAgent: 'vitest' };
const isDeviceNotice = (m: { subject: string | null }) =>
  /^(A trusted browser was|Trusted browsers were) removed/.test(m.subject ?? '');
const LOCKOUT_SUBJECT = 'Your Latchkey account was locked after failed sign-ins';
const deviceNotices = (sender: { sent: OutgoingMessage[] }) => sender.sent.filter(isDeviceNotice);
const lockoutNotices = (sender: { sent: OutgoingMessage[] }) =>
  sender.sent.filter((m) => m.subject === LOCKOUT_SUBJECT);
/** What reached the development outbox (the real wiring) for this address. */
const outboxFor = (to: string) => db.outboxMessage.findMany({ where: { to } });

function noticeDeps(sender: Sender = capturingSender()): NoticeDeps {
  return {
    senderFor: (c) => (c === 'email' ? sender : null),
    origin: ORIGIN,
    now: () => new Date(),
  };
}
const failingSender: Sender = {
  send: async () => {
    throw new Error('Postmark is down');
  },
};

const trust = (userId: string, name: string) =>
  trustDevice({ userId, name, lifetimeDays: 30, now: new Date(), ...who });

async function newAdmin() {
  const row = await createUser();
  await db.user.update({ where: { id: row.id }, data: { role: 'admin' } });
  return { id: row.id, ip: '198.51.100.9', userAgent: 'admin browser' };
}

describe('RC-05 the owner is emailed when trusted devices are removed', () => {
  it('RC-05 deleting one trusted device emails its owner once, naming it as typed, with when, where and the devices page', async () => {
    const sender = capturingSender();
    const user = await createUser();
    const typed = '<b>Kitchen</b> & "tablet" 🍳';
    const kept = await trust(user.id, 'Work laptop');
    const gone = await trust(user.id, typed);

    expect(
      await deleteTrustedDevice(
        { userId: user.id, deviceId: gone.deviceId, ...who },
        noticeDeps(sender),
      ),
    ).toEqual({ ok: true, wasCurrent: false });
    expect(sender.sent).toHaveLength(1);
    const [notice] = deviceNotices(sender);
    expect(notice).toMatchObject({
      channel: 'email',
      to: user.email,
      subject: 'A trusted browser was removed from your Latchkey account',
    });
    expect(notice!.code).toBeUndefined();
    expect(notice!.text).toContain(`Device:\n- ${typed}\n`);
    expect(notice!.text).not.toContain('Work laptop');
    expect(notice!.text).toContain('By: you');
    expect(notice!.text).toContain('IP address: 203.0.113.45');
    expect(notice!.text).toMatch(/When: \d{4}-\d\d-\d\d \d\d:\d\d UTC/);
    expect(notice!.text).toContain(`${ORIGIN}/account/trusted-devices`);
    expect(notice!.text).toContain('If this was not you');
    // The only link is the devices page: nothing that signs in.
    expect(notice!.text.match(/https?:\/\/\S+/g)).toEqual([`${ORIGIN}/account/trusted-devices`]);

    // A device that is not (or no longer) theirs: nothing deleted, nothing sent.
    expect(
      await deleteTrustedDevice(
        { userId: user.id, deviceId: gone.deviceId, ...who },
        noticeDeps(sender),
      ),
    ).toEqual({ ok: false, reason: 'not-found' });
    expect(sender.sent).toHaveLength(1);
    expect((await listTrustedDevices(user.id, undefined)).map((d) => d.id)).toEqual([
      kept.deviceId,
    ]);
  });

  it('RC-05 deleting all other devices sends one email listing them, not this browser; with none left to delete, none', async () => {
    const sender = capturingSender();
    const user = await createUser();
    const here = await trust(user.id, 'This laptop');
    await trust(user.id, 'Old phone');
    await trust(user.id, 'Hotel PC');

    expect(
      await deleteOtherTrustedDevices(
        { userId: user.id, currentToken: here.token, ...who },
        noticeDeps(sender),
      ),
    ).toBe(2);
    expect(sender.sent).toHaveLength(1);
    const [notice] = deviceNotices(sender);
    expect(notice).toMatchObject({
      to: user.email,
      subject: 'Trusted browsers were removed from your Latchkey account',
    });
    expect(notice!.text).toContain('2 browsers were removed from your trusted devices.');
    expect(notice!.text).toContain('Devices:\n- Hotel PC\n- Old phone\n');
    expect(notice!.text).not.toContain('This laptop');
    expect(notice!.text).toContain('By: you');

    expect(
      await deleteOtherTrustedDevices(
        { userId: user.id, currentToken: here.token, ...who },
        noticeDeps(sender),
      ),
    ).toBe(0);
    expect(sender.sent).toHaveLength(1);
    expect((await listTrustedDevices(user.id, here.token)).map((d) => d.name)).toEqual([
      'This laptop',
    ]);
  });

  it('RC-05 an administrator revoking one device, then all, emails the owner each time that an administrator did it', async () => {
    const sender = capturingSender();
    const admin = await newAdmin();
    const user = await createUser();
    const one = await trust(user.id, 'Desk PC');
    await trust(user.id, 'Tablet');
    await trust(user.id, 'Phone');

    expect(
      await revokeUserDevice(
        { userId: user.id, deviceId: one.deviceId, actor: admin },
        noticeDeps(sender),
      ),
    ).toBe(true);
    expect(deviceNotices(sender)).toHaveLength(1);
    const first = sender.sent[0]!;
    expect(first.to).toBe(user.email);
    expect(first.text).toContain('removed from your trusted devices by an administrator');
    expect(first.text).toContain('Device:\n- Desk PC\n');
    expect(first.text).toContain('By: an administrator');
    expect(first.text).not.toContain(admin.ip); // the administrator's address is not the owner's business

    expect(
      await revokeUserDevice(
        { userId: user.id, deviceId: one.deviceId, actor: admin },
        noticeDeps(sender),
      ),
    ).toBe(false);
    expect(sender.sent).toHaveLength(1);

    expect(await revokeUserDevices({ userId: user.id, actor: admin }, noticeDeps(sender))).toBe(2);
    expect(deviceNotices(sender)).toHaveLength(2);
    expect(sender.sent[1]!.text).toContain('Devices:\n- Phone\n- Tablet\n');
    expect(sender.sent[1]!.text).toContain('By: an administrator');
    // Nothing left: the next revoke-all is audited as before, but there is nothing to tell.
    expect(await revokeUserDevices({ userId: user.id, actor: admin }, noticeDeps(sender))).toBe(0);
    expect(sender.sent).toHaveLength(2);
  });

  it('RC-05 revocations that come with a change sending its own notice send no device-removed email', async () => {
    const sender = capturingSender();
    const admin = await newAdmin();
    const user = await createUser();
    const asInput = {
      username: user.username,
      name: user.name,
      email: user.email,
      phone: user.phone,
      role: user.role,
      twoFactor: user.twoFactor,
      disabled: user.disabled,
    };

    await trust(user.id, 'Laptop');
    // A two-step switch: its own notice, and trust ends (TD-06) without a second email.
    expect(
      await updateUser(user.id, { ...asInput, twoFactor: false }, admin, noticeDeps(sender)),
    ).toEqual({ ok: true, changed: ['twoFactor'] });
    expect(await listTrustedDevices(user.id, undefined)).toEqual([]);
    expect(sender.sent.map((m) => m.subject)).toEqual([
      'Two-step sign-in was turned off for your Latchkey account',
    ]);

    await trust(user.id, 'Laptop again');
    const email = `moved-${randomUUID().slice(0, 8)}@example.test`;
    expect(
      await updateUser(user.id, { ...asInput, twoFactor: false, email }, admin, noticeDeps(sender)),
    ).toMatchObject({ ok: true });
    expect(await listTrustedDevices(user.id, undefined)).toEqual([]);
    expect(sender.sent.map((m) => m.subject)).toEqual([
      'Two-step sign-in was turned off for your Latchkey account',
      'Your Latchkey email address was changed',
    ]);

    // The shared revocation path with a reason (password change, reset, …) sends nothing on its
    // own, through the real wiring either: the outbox gets nothing for either address.
    await trust(user.id, 'Laptop once more');
    expect(
      await revokeAllTrustedDevices({
        userId: user.id,
        reason: 'password-changed',
        actorId: user.id,
        ...who,
      }),
    ).toBe(1);
    expect((await outboxFor(user.email)).filter(isDeviceNotice)).toEqual([]);
    expect((await outboxFor(email)).filter(isDeviceNotice)).toEqual([]);
    expect(deviceNotices(sender)).toEqual([]);
  });

  it('RC-05 RC-06 a device-removed email that cannot be sent is audited without the message, and the removal stands', async () => {
    const admin = await newAdmin();
    const user = await createUser();
    const one = await trust(user.id, 'Laptop');
    await trust(user.id, 'Phone');
    const broken = noticeDeps(failingSender);

    expect(
      await deleteTrustedDevice({ userId: user.id, deviceId: one.deviceId, ...who }, broken),
    ).toEqual({ ok: true, wasCurrent: false });
    expect(await revokeUserDevices({ userId: user.id, actor: admin }, broken)).toBe(1);
    expect(await listTrustedDevices(user.id, undefined)).toEqual([]);
    const failures = await db.auditEvent.findMany({
      where: { userId: user.id, type: 'device.notice_failed' },
      orderBy: { createdAt: 'asc' },
    });
    expect(failures.map((e) => e.detail)).toEqual([
      { notice: 'device-removed', by: 'self', count: 1, error: 'Postmark is down' },
      { notice: 'device-removed', by: 'admin', count: 1, error: 'Postmark is down' },
    ]);
    // The device deletions themselves are on record as usual.
    expect(
      await db.auditEvent.count({
        where: { userId: user.id, type: { in: ['device.deleted', 'device.revoked'] } },
      }),
    ).toBe(2);
  });
});

// Address limits out of the way: these tests are about the per-account lock and its email.
const roomy = { 'password-ip': perHour(100_000), 'password-global': perHour(1_000_000) };
const WRONG = 'not the password at all';
const INVALID = { ok: false, reason: 'invalid' };
type Deps = ReturnType<typeof limitedDeps>;
const attempt = (deps: Deps, username: string, password = WRONG, ip = freshIp()) =>
  submitPassword(deps, { username, password, ip, userAgent: 'vitest' });

describe('RC-05 BF-04 the owner is emailed when their account is locked', () => {
  it('RC-05 BF-04 the failure that starts a lock emails the owner once, only after the response', async () => {
    const sender = capturingSender();
    const deps = limitedDeps({ sender, policies: roomy });
    const user = await createUser();
    for (let i = 0; i < 4; i++) expect(await attempt(deps, user.username)).toEqual(INVALID);
    await deps.flushDeferred();
    expect(sender.sent).toEqual([]);

    // The 5th failure starts the lock: its answer is back while the email is still held, so the
    // response neither waits for the send nor differs by it (BF-04).
    expect(await attempt(deps, user.username, WRONG, '192.0.2.77')).toEqual(INVALID);
    expect(sender.sent).toEqual([]);
    expect(deps.deferred).toHaveLength(1);
    await deps.flushDeferred();
    expect(lockoutNotices(sender)).toHaveLength(1);
    const [notice] = lockoutNotices(sender);
    expect(notice).toMatchObject({ channel: 'email', to: user.email });
    expect(notice!.code).toBeUndefined();
    expect(notice!.text).toContain('locked after 5 failed password attempts');
    expect(notice!.text).toContain('IP address of the last attempt: 192.0.2.77');
    expect(notice!.text).toMatch(/Locked until: \d{4}-\d\d-\d\d \d\d:\d\d UTC/);
    expect(notice!.text).toContain('ask your administrator to unlock');
    const links = notice!.text.match(/https?:\/\/[^\s,]+/g);
    expect(links).toEqual([
      new URL('/login', deps.config.origin).toString(),
      new URL('/forgot-password', deps.config.origin).toString(),
    ]);

    // Five more (refused while locked) start a longer lock: the owner already knows, no second email.
    for (let i = 0; i < 5; i++) expect(await attempt(deps, user.username)).toEqual(INVALID);
    await deps.flushDeferred();
    expect(await db.auditEvent.count({ where: { userId: user.id, type: 'signin.locked' } })).toBe(
      2,
    );
    expect(lockoutNotices(sender)).toHaveLength(1);
  });

  it('RC-05 after an admin unlocks the account, the next lock is news again and emails the owner', async () => {
    const sender = capturingSender();
    const deps = limitedDeps({ sender, policies: roomy });
    const user = await createUser();
    for (let i = 0; i < 5; i++) await attempt(deps, user.username);
    await deps.flushDeferred();
    expect(lockoutNotices(sender)).toHaveLength(1);

    const admin = await newAdmin();
    expect(
      await unlockAccount(
        { userId: user.id, actor: admin },
        { store: deps.store, limits: deps.limits, audit: recordEvent },
      ),
    ).toBe(true);
    for (let i = 0; i < 5; i++) await attempt(deps, user.username);
    await deps.flushDeferred();
    expect(lockoutNotices(sender)).toHaveLength(2);
  });

  it('RC-05 BF-04 an unknown username is locked like a known one but emails nobody and defers nothing', async () => {
    const sender = capturingSender();
    const deps = limitedDeps({ sender, policies: roomy });
    const nobody = `nobody-${randomUUID().slice(0, 8)}`;
    for (let i = 0; i < 5; i++) expect(await attempt(deps, nobody)).toEqual(INVALID);
    expect(
      await db.auditEvent.count({
        where: { subject: typedUsernameSubject(nobody), type: 'signin.locked' },
      }),
    ).toBe(1);
    expect(deps.deferred).toHaveLength(0);
    await deps.flushDeferred();
    expect(sender.sent).toEqual([]);
  });

  it('RC-05 BF-02 100 parallel wrong passwords start several locks but send one lockout email', async () => {
    const sender = capturingSender();
    const deps = limitedDeps({ sender, policies: roomy });
    const user = await createUser();
    const answers = await Promise.all(
      Array.from({ length: 100 }, () => attempt(deps, user.username)),
    );
    expect(answers.every((a) => a.ok === false && a.reason === 'invalid')).toBe(true);
    // The counter is exact (BF-02), and every 5th attempt starts a lock (the store's countAttempt
    // answers startedLockMs): 20 lock starts, 20 deferred notices…
    expect(await db.auditEvent.count({ where: { userId: user.id, type: 'signin.locked' } })).toBe(
      20,
    );
    expect(deps.deferred).toHaveLength(20);
    expect(sender.sent).toEqual([]);
    // …run at once, as after() would run them from 20 responses: one claim wins, one email.
    await Promise.all(deps.deferred.splice(0).map((task) => task()));
    expect(lockoutNotices(sender)).toHaveLength(1);
    expect(sender.sent).toHaveLength(1);
  });

  it('RC-05 RC-06 a lockout email that cannot be sent is audited without the message; the answers are the usual ones', async () => {
    const deps = limitedDeps({ sender: failingSender, policies: roomy });
    const user = await createUser();
    for (let i = 0; i < 5; i++) expect(await attempt(deps, user.username)).toEqual(INVALID);
    await deps.flushDeferred();
    const events = await db.auditEvent.findMany({
      where: { userId: user.id, type: 'signin.lock_notice_failed' },
    });
    expect(events.map((e) => e.detail)).toEqual([{ notice: 'lockout', error: 'Postmark is down' }]);
    // The lock holds: even the right password gets the generic answer.
    expect(await attempt(deps, user.username, PASSWORD)).toEqual(INVALID);
  });

  it('RC-05 a disabled account is not emailed about a lock', async () => {
    const sender = capturingSender();
    const deps = limitedDeps({ sender, policies: roomy });
    const user = await createUser({ disabled: true });
    for (let i = 0; i < 5; i++) expect(await attempt(deps, user.username)).toEqual(INVALID);
    await deps.flushDeferred();
    expect(sender.sent).toEqual([]);
  });
});

describe('RC-05 RC-06 every notice fails the same way', () => {
  it('RC-06 a change notice that cannot be sent, or has no sender, is audited with its kind and the error; the change stands', async () => {
    const admin = await newAdmin();
    const user = await createUser();
    const asInput = {
      username: user.username,
      name: user.name,
      email: user.email,
      phone: user.phone,
      role: user.role,
      twoFactor: user.twoFactor,
      disabled: user.disabled,
    };
    const email = `moved-${randomUUID().slice(0, 8)}@example.test`;
    expect(
      await updateUser(user.id, { ...asInput, email }, admin, noticeDeps(failingSender)),
    ).toMatchObject({ ok: true });
    const noSender = { ...noticeDeps(), senderFor: () => null };
    expect(
      await updateUser(user.id, { ...asInput, email, twoFactor: false }, admin, noSender),
    ).toMatchObject({ ok: true });

    const failures = await db.auditEvent.findMany({
      where: { userId: user.id, type: 'notice.failed' },
      orderBy: { createdAt: 'asc' },
    });
    expect(failures.map((e) => [e.detail, e.ip])).toEqual([
      [{ notice: 'contact-changed', error: 'Postmark is down' }, admin.ip],
      [{ notice: 'two-factor-changed', error: 'No email delivery is configured.' }, admin.ip],
    ]);
    const trail = await db.auditEvent.findMany({
      where: { userId: user.id, type: { in: ['contact.changed', 'user.two_factor_changed'] } },
      orderBy: { createdAt: 'asc' },
    });
    expect(trail.map((e) => (e.detail as { noticeSent: boolean }).noticeSent)).toEqual([
      false,
      false,
    ]);
    expect(await db.user.findUniqueOrThrow({ where: { id: user.id } })).toMatchObject({
      email,
      twoFactor: false,
    });
  });

  it('RC-06 sendNotice returns the failure, and throws it only when asked, after the audit', async () => {
    const user = await createUser();
    const message: OutgoingMessage = {
      channel: 'email',
      to: user.email,
      subject: 'Test notice',
      text: 'Hello',
    };
    const notice = { message, kind: 'password-changed' as const, userId: user.id, ...who };
    const sender = capturingSender();
    expect(await sendNotice({ senderFor: () => sender }, notice)).toEqual({ sent: true });
    // Sent with its email parts: the text with its last line, and the HTML (decision 0021).
    expect(sender.sent).toEqual([await withEmailParts(message)]);
    expect(await sendNotice({ senderFor: () => failingSender }, notice)).toEqual({
      sent: false,
      error: 'Postmark is down',
    });
    await expect(
      sendNotice({ senderFor: () => failingSender }, notice, { rethrow: true }),
    ).rejects.toThrow('Postmark is down');
    const failures = await db.auditEvent.findMany({
      where: { userId: user.id, type: 'notice.failed' },
    });
    expect(failures.map((e) => e.detail)).toEqual([
      { notice: 'password-changed', error: 'Postmark is down' },
      { notice: 'password-changed', error: 'Postmark is down' },
    ]);
    // The message never reaches the audit trail (RC-06).
    expect(JSON.stringify(failures)).not.toContain('Hello');
  });
});
