import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { db } from '@/lib/db';
import { env } from '@/lib/env';
import { checkPassword } from '@/lib/auth/password';
import { createSessionRecord, findLiveSession } from '@/lib/auth/session-record';
import { listTrustedDevices, trustDevice } from '@/lib/devices/trusted-devices';
import type { AdminUserDeps } from '@/lib/admin/admin-actor';
import { createUser } from '@/lib/admin/create-user';
import { ALREADY_USED } from '@/lib/admin/duplicate-errors';
import { getUserDetail } from '@/lib/admin/get-user-detail';
import { inviteUser } from '@/lib/admin/invite-user';
import { listUsers } from '@/lib/admin/list-users';
import { revokeUserDevice, revokeUserDevices } from '@/lib/admin/revoke-user-devices';
import { updateUser } from '@/lib/admin/update-user';
import { parseUserForm, PHONE_REQUIRED_MESSAGE, type UserInput } from '@/lib/users/user-form';
import { capturingSender, createUser as createUserRow } from '../support/sign-in-fixtures';

// The admin's user domain against the real database. The guard (requireAdmin in every action,
// 404 for anyone else) needs a request and a session: tests/e2e/admin-users.spec.ts covers it.

const who = { ip: '203.0.113.9', userAgent: 'vitest' };

async function newAdmin() {
  const row = await createUserRow();
  await db.user.update({ where: { id: row.id }, data: { role: 'admin' } });
  return { id: row.id, ...who };
}

/** What the create action does: parse the form with the configured region, then create. */
async function submitNew(
  form: Record<string, string>,
  actor: { id: string },
  deps = notices().deps,
) {
  const parsed = parseUserForm(form, { defaultRegion: env.PHONE_DEFAULT_REGION });
  if (!parsed.ok) return { ok: false as const, errors: parsed.errors };
  return createUser(parsed.user, actor, deps);
}

const unique = () => randomUUID().slice(0, 8);
const newForm = (overrides: Record<string, string> = {}) => {
  const username = `new-${unique()}`;
  return {
    username,
    name: 'New Person',
    email: `${username}@example.test`,
    phone: '',
    role: 'user',
    ...overrides,
  };
};

function asInput(user: {
  username: string;
  name: string | null;
  email: string;
  phone: string | null;
  role: 'user' | 'admin';
  twoFactor: boolean;
  disabled: boolean;
}): UserInput {
  const { username, name, email, phone, role, twoFactor, disabled } = user;
  return { username, name, email, phone, role, twoFactor, disabled };
}

function notices() {
  const sender = capturingSender();
  const deps: AdminUserDeps = {
    senderFor: (c) => (c === 'email' ? sender : null),
    origin: 'https://login.example.test',
    now: () => new Date(),
  };
  return { sender, deps };
}

const events = (userId: string, type: string) =>
  db.auditEvent.findMany({ where: { userId, type }, orderBy: { createdAt: 'asc' } });

describe('admin: create a user', () => {
  it('with two-step sign-in on and no phone, the phone field says so and nothing is stored', async () => {
    const admin = await newAdmin();
    const form = newForm({ twoFactor: '1' });
    expect(await submitNew(form, admin)).toEqual({
      ok: false,
      errors: { phone: PHONE_REQUIRED_MESSAGE },
    });
    expect(await db.user.count({ where: { username: form.username } })).toBe(0);
  });

  it('a phone typed in national format is stored in E.164 with the default region, and starts unverified (OTP-10)', async () => {
    expect(env.PHONE_DEFAULT_REGION).toBe('US');
    const admin = await newAdmin();
    const result = await submitNew(newForm({ twoFactor: '1', phone: '(415) 555-0142' }), admin);
    expect(result.ok).toBe(true);
    const user = await db.user.findUniqueOrThrow({ where: { id: (result as { id: string }).id } });
    expect(user.phone).toBe('+14155550142');
    expect(user.phoneVerifiedAt).toBeNull();
  });

  it('no password is set: the stored hash is argon2id of a secret nobody kept, so no password signs in', async () => {
    const admin = await newAdmin();
    const result = await submitNew(newForm(), admin);
    const user = await db.user.findUniqueOrThrow({ where: { id: (result as { id: string }).id } });
    expect(user.passwordHash).toMatch(/^\$argon2id\$/);
    for (const guess of ['', 'password', user.username])
      expect((await checkPassword(guess, user.passwordHash)).ok).toBe(false);
  });

  it('CSV-03 RC-02 the new user is emailed a set-password invitation; a disabled one is not; a failed send keeps the user and can be retried', async () => {
    const admin = await newAdmin();
    const { sender, deps } = notices();
    const form = newForm();
    const created = await submitNew(form, admin, deps);
    expect(created).toMatchObject({ ok: true, invitation: 'sent' });
    expect(sender.last()).toMatchObject({
      channel: 'email',
      to: form.email,
      subject: 'You have been invited to sign in with Latchkey',
    });
    expect(sender.last().text).toContain('https://login.example.test/invite/');

    expect(await submitNew(newForm({ disabled: '1' }), admin, deps)).toMatchObject({
      ok: true,
      invitation: 'skipped',
    });
    expect(sender.sent).toHaveLength(1);

    const failing: AdminUserDeps = {
      ...deps,
      senderFor: () => ({
        send: async () => {
          throw new Error('provider down');
        },
      }),
    };
    const unlucky = await submitNew(newForm(), admin, failing);
    expect(unlucky).toMatchObject({ ok: true, invitation: 'failed' });
    const id = (unlucky as { id: string }).id;
    expect(await db.user.count({ where: { id } })).toBe(1);
    expect(await inviteUser({ userId: id, actor: admin }, deps)).toBe('sent');
  });

  it('RC-06 the creation is audited with the admin as actor and no secret in the details', async () => {
    const admin = await newAdmin();
    const result = await submitNew(
      newForm({ role: 'admin', twoFactor: '1', phone: '(415) 555-0143' }),
      admin,
    );
    const [event] = await events((result as { id: string }).id, 'user.created');
    expect(event).toMatchObject({
      ip: who.ip,
      detail: { actorId: admin.id, role: 'admin', twoFactor: true, hasPhone: true },
    });
    expect(JSON.stringify(event!.detail)).not.toMatch(/argon2|password/i);
  });

  it('an administrator cannot be created with two-step sign-in off: the box says why', async () => {
    const admin = await newAdmin();
    expect(await submitNew(newForm({ role: 'admin', phone: '(415) 555-0144' }), admin)).toEqual({
      ok: false,
      errors: { twoFactor: 'Two-step sign-in cannot be switched off for administrators.' },
    });
  });

  it('a username (in any letter case) or an email (in any letter case) already used is refused beside its field', async () => {
    const admin = await newAdmin();
    const existing = await createUserRow();
    const result = await submitNew(
      newForm({ username: existing.username.toUpperCase(), email: existing.email.toUpperCase() }),
      admin,
    );
    expect(result).toEqual({ ok: false, errors: { username: ALREADY_USED, email: ALREADY_USED } });
  });
});

describe('admin: edit a user', () => {
  it('duplicates of another user are refused; keeping one’s own username and email is not a duplicate', async () => {
    const admin = await newAdmin();
    const [user, other] = [await createUserRow(), await createUserRow()];
    expect(await updateUser(user.id, { ...asInput(user), email: other.email }, admin)).toEqual({
      ok: false,
      reason: 'invalid',
      errors: { email: ALREADY_USED },
    });
    expect(
      await updateUser(
        user.id,
        { ...asInput(user), username: other.username.toUpperCase() },
        admin,
      ),
    ).toEqual({ ok: false, reason: 'invalid', errors: { username: ALREADY_USED } });
    expect(
      await updateUser(user.id, { ...asInput(user), name: 'Renamed' }, admin, notices().deps),
    ).toEqual({ ok: true, changed: ['name'] });
  });

  it('TD-06 SE-06 disabling ends every session and trusted device at once', async () => {
    const admin = await newAdmin();
    const user = await createUserRow();
    const sessionId = await createSessionRecord({ userId: user.id, maxAgeSeconds: 3600, ...who });
    await trustDevice({
      userId: user.id,
      name: 'Laptop',
      lifetimeDays: 30,
      now: new Date(),
      ...who,
    });
    expect(await findLiveSession(sessionId)).not.toBeNull();

    expect(
      await updateUser(user.id, { ...asInput(user), disabled: true }, admin, notices().deps),
    ).toEqual({ ok: true, changed: ['disabled'] });
    expect(await findLiveSession(sessionId)).toBeNull();
    expect(await db.session.count({ where: { userId: user.id } })).toBe(0);
    expect(await listTrustedDevices(user.id, undefined)).toEqual([]);
    expect((await events(user.id, 'device.revoked'))[0]?.detail).toMatchObject({
      reason: 'account-disabled',
      count: 1,
      actorId: admin.id,
    });
    expect((await events(user.id, 'sessions.revoked'))[0]?.detail).toMatchObject({
      count: 1,
      actorId: admin.id,
    });
    expect(await events(user.id, 'user.disabled')).toHaveLength(1);

    await updateUser(user.id, { ...asInput(user), disabled: false }, admin, notices().deps);
    expect(await events(user.id, 'user.enabled')).toHaveLength(1);
  });

  it('OTP-10 TD-06 a new email revokes trusted devices and tells the OLD address', async () => {
    const admin = await newAdmin();
    const user = await createUserRow();
    await trustDevice({
      userId: user.id,
      name: 'Laptop',
      lifetimeDays: 30,
      now: new Date(),
      ...who,
    });
    const { sender, deps } = notices();
    const newEmail = `moved-${unique()}@example.test`;

    expect(await updateUser(user.id, { ...asInput(user), email: newEmail }, admin, deps)).toEqual({
      ok: true,
      changed: ['email'],
    });
    expect(await listTrustedDevices(user.id, undefined)).toEqual([]);
    expect((await events(user.id, 'device.revoked'))[0]?.detail).toMatchObject({
      reason: 'email-changed',
      actorId: admin.id,
    });
    expect(sender.sent).toHaveLength(1);
    expect(sender.last()).toMatchObject({
      channel: 'email',
      to: user.email,
      subject: 'Your Latchkey email address was changed',
    });
    expect(sender.last().text).toContain('by an administrator');
    expect(sender.last().text).not.toContain(newEmail); // masked: the old mailbox learns only a hint
    const [changed] = await events(user.id, 'contact.changed');
    expect(changed?.detail).toMatchObject({ actorId: admin.id, by: 'admin', noticeSent: true });
  });

  it('OTP-10 TD-06 RC-04 lost phone: the admin-assisted change is audited with the actor, stored unverified, revokes trusted devices and tells the email address', async () => {
    const admin = await newAdmin();
    const user = await createUserRow({ phone: '+14155550123' });
    await db.user.update({ where: { id: user.id }, data: { phoneVerifiedAt: new Date() } });
    await trustDevice({
      userId: user.id,
      name: 'Phone',
      lifetimeDays: 30,
      now: new Date(),
      ...who,
    });
    const { sender, deps } = notices();

    const form = parseUserForm(
      { ...asInput(user), name: '', role: 'user', phone: '415 555 0177', twoFactor: '1' },
      { defaultRegion: 'US' },
    );
    if (!form.ok) throw new Error(JSON.stringify(form.errors));
    expect(await updateUser(user.id, form.user, admin, deps)).toEqual({
      ok: true,
      changed: ['phone'],
    });
    const after = await db.user.findUniqueOrThrow({ where: { id: user.id } });
    expect(after).toMatchObject({ phone: '+14155550177', phoneVerifiedAt: null });
    expect(await listTrustedDevices(user.id, undefined)).toEqual([]);
    expect((await events(user.id, 'device.revoked'))[0]?.detail).toMatchObject({
      reason: 'phone-changed',
    });
    expect(sender.last()).toMatchObject({
      to: user.email,
      subject: 'Your Latchkey phone number was changed',
    });
    expect(sender.last().text).toContain('•••• •••• 0177');
    expect((await events(user.id, 'contact.changed'))[0]?.detail).toMatchObject({
      actorId: admin.id,
    });
  });

  it('an email differing only in letter case is the same mailbox: saved, but no devices revoked and no notice', async () => {
    const admin = await newAdmin();
    const user = await createUserRow();
    await trustDevice({
      userId: user.id,
      name: 'Laptop',
      lifetimeDays: 30,
      now: new Date(),
      ...who,
    });
    const { sender, deps } = notices();
    expect(
      await updateUser(user.id, { ...asInput(user), email: user.email.toUpperCase() }, admin, deps),
    ).toEqual({ ok: true, changed: ['email'] });
    expect(await listTrustedDevices(user.id, undefined)).toHaveLength(1);
    expect(sender.sent).toEqual([]);
  });

  it('RC-05 RC-06 TD-06 switching two-step sign-in is audited, ends trusted devices, and the user is told', async () => {
    const admin = await newAdmin();
    const user = await createUserRow();
    await trustDevice({
      userId: user.id,
      name: 'Laptop',
      lifetimeDays: 30,
      now: new Date(),
      ...who,
    });
    const { sender, deps } = notices();
    await updateUser(user.id, { ...asInput(user), twoFactor: false }, admin, deps);
    // TD-06: a two-factor switch is a 2FA reset; trust granted before it ends.
    expect(await listTrustedDevices(user.id, undefined)).toHaveLength(0);
    expect((await events(user.id, 'device.revoked'))[0]?.detail).toMatchObject({
      reason: 'two-factor-reset',
    });
    expect((await events(user.id, 'user.two_factor_changed'))[0]?.detail).toMatchObject({
      actorId: admin.id,
      enabled: false,
      noticeSent: true,
    });
    expect(sender.last()).toMatchObject({
      to: user.email,
      subject: 'Two-step sign-in was turned off for your Latchkey account',
    });
    expect((await events(user.id, 'user.updated'))[0]?.detail).toMatchObject({
      actorId: admin.id,
      fields: ['twoFactor'],
    });
  });

  it('an admin cannot disable their own account or remove their own admin role', async () => {
    const admin = await newAdmin();
    const self = asInput({ ...(await db.user.findUniqueOrThrow({ where: { id: admin.id } })) });
    expect(await updateUser(admin.id, { ...self, disabled: true, role: 'user' }, admin)).toEqual({
      ok: false,
      reason: 'invalid',
      errors: {
        disabled: 'You cannot disable your own account.',
        role: 'You cannot remove your own admin role.',
      },
    });
  });

  it('an unknown user id is "not found"', async () => {
    const admin = await newAdmin();
    const user = await createUserRow();
    expect(await updateUser('no-such-user', asInput(user), admin)).toEqual({
      ok: false,
      reason: 'not-found',
    });
  });
});

describe('admin: list, detail and devices', () => {
  it('searches username, name, email and phone (also typed with spaces) case-insensitively, with paging and a total', async () => {
    const tag = `tag${unique()}`;
    const rows = [];
    for (let i = 0; i < 5; i++) rows.push(await createUserRow());
    await db.user.update({
      where: { id: rows[0]!.id },
      data: { name: `Zed ${tag.toUpperCase()}` },
    });
    await db.user.update({ where: { id: rows[1]!.id }, data: { email: `${tag}@example.test` } });
    await db.user.update({
      where: { id: rows[2]!.id },
      data: { username: `${tag}-x`, usernameKey: `${tag}-x` },
    });

    const page1 = await listUsers({ query: tag, page: 1, pageSize: 2 });
    expect(page1).toMatchObject({ total: 3, page: 1, pageCount: 2 });
    expect(page1.users).toHaveLength(2);
    const page2 = await listUsers({ query: tag, page: 2, pageSize: 2 });
    expect(page2.users).toHaveLength(1);
    expect(new Set([...page1.users, ...page2.users].map((u) => u.id))).toEqual(
      new Set(rows.slice(0, 3).map((r) => r.id)),
    );
    // A page past the end shows the last page rather than nothing.
    expect((await listUsers({ query: tag, page: 99, pageSize: 2 })).page).toBe(2);

    const phone = `+1415555${String(Date.now()).slice(-4)}`;
    await db.user.update({ where: { id: rows[3]!.id }, data: { phone } });
    const typed = `${phone.slice(2, 5)} ${phone.slice(5, 8)}-${phone.slice(8)}`;
    expect((await listUsers({ query: typed })).users.map((u) => u.id)).toContain(rows[3]!.id);
  });

  it('a user’s page lists their trusted devices and their last 20 audit events, newest first', async () => {
    const user = await createUserRow();
    await trustDevice({
      userId: user.id,
      name: 'Laptop',
      lifetimeDays: 30,
      now: new Date(),
      ...who,
    });
    for (let i = 0; i < 25; i++)
      await db.auditEvent.create({
        data: {
          type: 'code.sent',
          userId: user.id,
          createdAt: new Date(Date.now() + i * 1000),
          detail: { n: i },
        },
      });
    const detail = await getUserDetail(user.id);
    expect(detail?.devices.map((d) => d.name)).toEqual(['Laptop']);
    expect(detail?.events).toHaveLength(20);
    expect(detail?.events[0]?.detail).toEqual({ n: 24 });
    expect(await getUserDetail('no-such-user')).toBeNull();
  });

  it('TD-06 an admin revokes one device of the user, not another user’s; or all of them', async () => {
    const admin = await newAdmin();
    const [user, other] = [await createUserRow(), await createUserRow()];
    const mine = await trustDevice({
      userId: user.id,
      name: 'One',
      lifetimeDays: 30,
      now: new Date(),
      ...who,
    });
    await trustDevice({ userId: user.id, name: 'Two', lifetimeDays: 30, now: new Date(), ...who });
    const theirs = await trustDevice({
      userId: other.id,
      name: 'Other',
      lifetimeDays: 30,
      now: new Date(),
      ...who,
    });

    expect(
      await revokeUserDevice({ userId: user.id, deviceId: theirs.deviceId, actor: admin }),
    ).toBe(false);
    expect(await listTrustedDevices(other.id, undefined)).toHaveLength(1);
    expect(await revokeUserDevice({ userId: user.id, deviceId: mine.deviceId, actor: admin })).toBe(
      true,
    );
    expect((await listTrustedDevices(user.id, undefined)).map((d) => d.name)).toEqual(['Two']);
    expect((await events(user.id, 'device.revoked'))[0]?.detail).toMatchObject({
      reason: 'admin',
      deviceId: mine.deviceId,
      actorId: admin.id,
    });

    expect(await revokeUserDevices({ userId: user.id, actor: admin })).toBe(1);
    expect(await listTrustedDevices(user.id, undefined)).toEqual([]);
    expect(await revokeUserDevices({ userId: 'no-such-user', actor: admin })).toBeNull();
  });
});
