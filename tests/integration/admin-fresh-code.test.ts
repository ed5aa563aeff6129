import { describe, expect, it } from 'vitest';
import { db } from '@/lib/db';
import { recordEvent } from '@/lib/audit/record-event';
import {
  freshCodeTarget,
  adminUploadFreshCodePage,
  adminUserFreshCodePage,
} from '@/app/(account)/account/_fresh-code/fresh-code-wording';
import {
  createUserAsAdmin,
  importUploadAsAdmin,
  revokeDeviceAsAdmin,
  revokeDevicesAsAdmin,
  signOutEverywhereAsAdmin,
  unlockAsAdmin,
  updateUserAsAdmin,
} from '@/lib/admin/admin-fresh-code';
import { confirmFreshCode, sendFreshCode } from '@/lib/auth/fresh-code';
import { createSessionRecord, findLiveSession } from '@/lib/auth/session-record';
import { listTrustedDevices, trustDevice } from '@/lib/devices/trusted-devices';
import type { UserInput } from '@/lib/users/user-form';
import { limiterFor } from '../support/limit-fixtures';
import { capturingSender, createUser } from '../support/sign-in-fixtures';
import { securitySetup, who } from '../support/account-security-fixtures';
import { csvText, uniquePrefix, upload } from '../support/upload-fixtures';

// An admin's own fresh code before changing how another person signs in (SE-07, decision 12),
// through the functions the admin actions call, against the real database and store with a
// hand-moved clock. The browser journey is tests/e2e/admin-users.spec.ts.

type Setup = ReturnType<typeof securitySetup>;

async function newAdmin() {
  const row = await createUser();
  return db.user.update({ where: { id: row.id }, data: { role: 'admin' } });
}

/** The admin (or anyone) asks for a code and enters it, as the "Confirm it's you" step does. */
async function confirmItsMe(t: Setup, userId: string) {
  expect(await sendFreshCode(t.deps, { userId, action: 'admin', ...who })).toMatchObject({
    ok: true,
  });
  expect(await confirmFreshCode(t.deps, { userId, code: t.sender.last().code!, ...who })).toEqual({
    ok: true,
  });
}

const asInput = ({
  username,
  name,
  email,
  phone,
  role,
  twoFactor,
  disabled,
}: UserInput): UserInput => ({ username, name, email, phone, role, twoFactor, disabled });

/** A user with a live session and a trusted device: what every gated action would end. */
async function target() {
  const user = await createUser();
  const sessionId = await createSessionRecord({ userId: user.id, maxAgeSeconds: 3600, ...who });
  const device = await trustDevice({
    userId: user.id,
    name: 'Laptop',
    lifetimeDays: 30,
    now: new Date(),
    ...who,
  });
  return { user, sessionId, deviceId: device.deviceId };
}

const unlockDeps = (t: Setup) => ({
  store: t.deps.store,
  limits: limiterFor({}, t.deps.store),
  audit: recordEvent,
});
const eventTypes = async (userId: string) =>
  (await db.auditEvent.findMany({ where: { userId }, select: { type: true } })).map((e) => e.type);

/** Every gated change, one after the other; returns each outcome. */
async function tryEverything(t: Setup, adminId: string, userId: string, deviceId: string) {
  const actor = { id: adminId, ...who };
  const stored = await db.user.findUniqueOrThrow({ where: { id: userId } });
  const edits: Partial<UserInput>[] = [
    { email: `changed-${stored.username}@example.test` },
    { phone: '+14155550199' },
    { twoFactor: false },
    { role: 'admin' },
    { disabled: true },
  ];
  const updates = [];
  // Each edit adds to the ones before, as an admin changing one field after another would.
  let form = asInput(stored);
  for (const edit of edits) {
    form = { ...form, ...edit };
    updates.push(await updateUserAsAdmin(t.deps, userId, form, actor));
  }
  return {
    updates,
    revokeOne: await revokeDeviceAsAdmin(t.deps, { userId, deviceId, actor }),
    unlock: await unlockAsAdmin(t.deps, { userId, actor }, unlockDeps(t)),
    signOut: await signOutEverywhereAsAdmin(t.deps, { userId, actorId: adminId, ...who }),
    revokeAll: await revokeDevicesAsAdmin(t.deps, { userId, actor }),
  };
}

async function expectUntouched(t: Setup, before: Awaited<ReturnType<typeof target>>) {
  const now = await db.user.findUniqueOrThrow({ where: { id: before.user.id } });
  expect(asInput(now)).toEqual(asInput(before.user));
  expect(now.phoneVerifiedAt).toEqual(before.user.phoneVerifiedAt);
  expect((await listTrustedDevices(before.user.id, undefined)).map((d) => d.id)).toEqual([
    before.deviceId,
  ]);
  expect(await findLiveSession(before.sessionId)).not.toBeNull();
  // Only the fixture's own device.trusted: anything else would be a change.
  expect(await eventTypes(before.user.id)).toEqual(['device.trusted']);
}

const NOT_FRESH = { ok: false, reason: 'not-fresh' };

describe('SE-07 an admin confirms it is them before changing how another person signs in', () => {
  it('SE-07 a stale admin (no code in the window, e.g. a trusted browser) is refused every sign-in change, and nothing is changed', async () => {
    const t = securitySetup();
    const admin = await newAdmin();
    const victim = await target();
    const outcome = await tryEverything(t, admin.id, victim.user.id, victim.deviceId);
    expect(outcome).toEqual({
      updates: Array(5).fill(NOT_FRESH),
      revokeOne: NOT_FRESH,
      unlock: NOT_FRESH,
      signOut: NOT_FRESH,
      revokeAll: NOT_FRESH,
    });
    await expectUntouched(t, victim);
  });

  it('SE-07 without a code an admin may still fix a name or username, and create a plain user, but not an admin', async () => {
    const t = securitySetup();
    const admin = await newAdmin();
    const { user } = await target();
    const actor = { id: admin.id, ...who };
    expect(
      await updateUserAsAdmin(
        t.deps,
        user.id,
        { ...asInput(user), name: 'Renamed Person', username: `${user.username}-x` },
        actor,
      ),
    ).toEqual({ ok: true, changed: ['username', 'name'] });

    const fresh = (role: 'user' | 'admin') => {
      const username = `created-${role}-${user.username}`;
      return {
        username,
        name: null,
        email: `${username}@example.test`,
        phone: null,
        role,
        twoFactor: false,
        disabled: true,
      };
    };
    expect(await createUserAsAdmin(t.deps, fresh('admin'), actor)).toEqual(NOT_FRESH);
    expect(await db.user.count({ where: { username: fresh('admin').username } })).toBe(0);
    expect(await createUserAsAdmin(t.deps, fresh('user'), actor)).toMatchObject({ ok: true });
  });

  it('SE-07 after the admin enters a code sent to THEIR email, every change goes through', async () => {
    const t = securitySetup();
    const admin = await newAdmin();
    const victim = await target();
    expect(
      await sendFreshCode(t.deps, { userId: admin.id, action: 'admin', ...who }),
    ).toMatchObject({ ok: true });
    expect(t.sender.last()).toMatchObject({
      to: admin.email,
      subject: 'Your Latchkey code to confirm it’s you',
    });
    expect(t.sender.last().text).toContain('as an administrator');
    expect(
      await confirmFreshCode(t.deps, { userId: admin.id, code: t.sender.last().code!, ...who }),
    ).toEqual({ ok: true });

    const outcome = await tryEverything(t, admin.id, victim.user.id, victim.deviceId);
    expect(outcome.updates.map((u) => u.ok)).toEqual([true, true, true, true, true]);
    // The new email already ended the device (TD-06), so the single revoke finds none left.
    expect(outcome.revokeOne).toEqual({ ok: true, value: false });
    expect(outcome.unlock).toEqual({ ok: true, value: true });
    expect(outcome.signOut).toEqual({ ok: true, value: 0 });
    expect(outcome.revokeAll).toEqual({ ok: true, value: 0 });
    const now = await db.user.findUniqueOrThrow({ where: { id: victim.user.id } });
    expect(now).toMatchObject({
      phone: '+14155550199',
      twoFactor: false,
      role: 'admin',
      disabled: true,
    });
    expect(now.email).toMatch(/^changed-/);
    expect(await findLiveSession(victim.sessionId)).toBeNull();
    expect(await eventTypes(victim.user.id)).toEqual(
      expect.arrayContaining([
        'user.updated',
        'contact.changed',
        'user.disabled',
        'signin.unlocked',
      ]),
    );
    expect(
      await db.auditEvent.count({ where: { userId: admin.id, type: 'reauth.confirmed' } }),
    ).toBe(1);
  });

  it('SE-07 the code counts for the configured window only: at its end the admin is refused again and nothing changes', async () => {
    const t = securitySetup({ windowMinutes: 3 });
    const admin = await newAdmin();
    const victim = await target();
    await confirmItsMe(t, admin.id);
    t.clock.advance(3 * 60_000 - 1);
    const lastMoment = await revokeDeviceAsAdmin(t.deps, {
      userId: victim.user.id,
      deviceId: victim.deviceId,
      actor: { id: admin.id, ...who },
    });
    expect(lastMoment).toEqual({ ok: true, value: true });

    const other = await target();
    t.clock.advance(1);
    expect(await tryEverything(t, admin.id, other.user.id, other.deviceId)).toMatchObject({
      revokeOne: NOT_FRESH,
      revokeAll: NOT_FRESH,
      signOut: NOT_FRESH,
      unlock: NOT_FRESH,
    });
    await expectUntouched(t, other);

    await confirmItsMe(t, admin.id);
    expect(
      await signOutEverywhereAsAdmin(t.deps, { userId: other.user.id, actorId: admin.id, ...who }),
    ).toEqual({ ok: true, value: 1 });
  });

  it('SE-07 one admin’s fresh code does not help another admin, and the user’s own code does not help an admin', async () => {
    const t = securitySetup();
    const [first, second] = [await newAdmin(), await newAdmin()];
    const victim = await target();
    await confirmItsMe(t, first.id);
    await confirmItsMe(t, victim.user.id);
    const outcome = await tryEverything(t, second.id, victim.user.id, victim.deviceId);
    expect(outcome).toEqual({
      updates: Array(5).fill(NOT_FRESH),
      revokeOne: NOT_FRESH,
      unlock: NOT_FRESH,
      signOut: NOT_FRESH,
      revokeAll: NOT_FRESH,
    });
    expect(asInput(await db.user.findUniqueOrThrow({ where: { id: victim.user.id } }))).toEqual(
      asInput(victim.user),
    );
    expect(await findLiveSession(victim.sessionId)).not.toBeNull();
    expect((await listTrustedDevices(victim.user.id, undefined)).length).toBe(1);
  });

  it("SE-07 a CSV import (new admins, existing users' email, phone, role) needs the admin's code; refused, the upload waits unchanged", async () => {
    const t = securitySetup();
    const admin = await newAdmin();
    const existing = await createUser();
    const p = uniquePrefix();
    const dryRun = await upload(
      admin.id,
      csvText([
        [`${p}boss`, 'New Admin', `${p}boss@example.com`, '+14155550124', 'admin', 'yes'],
        [existing.username, 'Taken Over', `${p}taken@example.com`, '+14155550123', 'admin', 'yes'],
      ]),
    );
    expect(dryRun.ok).toBe(true);
    const uploadId = (dryRun as { uploadId: string }).uploadId;
    const choice = {
      uploadId,
      adminId: admin.id,
      allOrNothing: false,
      existingMode: 'update' as const,
      sender: capturingSender(),
      ...who,
    };

    expect(await importUploadAsAdmin(t.deps, choice)).toEqual(NOT_FRESH);
    expect(await db.user.count({ where: { usernameKey: `${p}boss` } })).toBe(0);
    expect(asInput(await db.user.findUniqueOrThrow({ where: { id: existing.id } }))).toEqual(
      asInput(existing),
    );
    expect(
      await db.userUpload.findUniqueOrThrow({ where: { id: uploadId }, select: { status: true } }),
    ).toEqual({ status: 'validated' });

    await confirmItsMe(t, admin.id);
    expect(await importUploadAsAdmin(t.deps, choice)).toMatchObject({
      ok: true,
      value: { ok: true, created: 1, updated: 1 },
    });
    expect(await db.user.findUniqueOrThrow({ where: { id: existing.id } })).toMatchObject({
      email: `${p}taken@example.com`,
      role: 'admin',
    });
  });

  it('SE-07 the "Confirm it’s you" step sends the admin back only to a user page: a tampered page value goes nowhere else', () => {
    expect(freshCodeTarget(adminUserFreshCodePage('cmabc_12-3'))).toEqual({
      path: '/admin/users/cmabc_12-3',
      action: 'admin',
    });
    expect(freshCodeTarget(adminUploadFreshCodePage('cmup_1'))).toEqual({
      path: '/admin/users/upload?id=cmup_1',
      action: 'admin',
    });
    expect(freshCodeTarget('admin-upload:x&next=//evil.example')).toEqual({
      path: '/account/password',
      action: 'password',
    });
    expect(freshCodeTarget('admin-new-user')).toEqual({
      path: '/admin/users/new',
      action: 'admin',
    });
    for (const tampered of [
      'admin-user:../../login',
      'admin-user:x/../../evil',
      'admin-user://evil.example',
      'admin-user:a?b',
      'admin-user:',
      `admin-user:${'a'.repeat(65)}`,
      'admin-user:a\n',
      '__proto__',
      'constructor',
      42,
      null,
    ]) {
      expect(freshCodeTarget(tampered), String(tampered)).toEqual({
        path: '/account/password',
        action: 'password',
      });
    }
  });
});
