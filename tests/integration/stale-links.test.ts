import { createHash, randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { db } from '@/lib/db';
import { checkPassword } from '@/lib/auth/password';
import { findPasswordReset, requestPasswordReset, resetPassword } from '@/lib/auth/password-reset';
import type { AdminUserDeps } from '@/lib/admin/admin-actor';
import { createUser as createUserAsAdmin } from '@/lib/admin/create-user';
import { inviteUser } from '@/lib/admin/invite-user';
import { updateUser } from '@/lib/admin/update-user';
import {
  confirmContactChange,
  confirmIdentity,
  requestContactChange,
  sendIdentityCode,
} from '@/lib/account/contact-change';
import { findInvitation, redeemInvitation } from '@/lib/invitations/redeem-invitation';
import { pendingInvitationUserIds, sendInvitations } from '@/lib/invitations/send-invitation';
import { importUpload } from '@/lib/uploads/import-upload';
import type { UserInput } from '@/lib/users/user-form';
import { contactChangeSetup, securitySetup, who } from '../support/account-security-fixtures';
import { capturingSender, createUser, PASSWORD } from '../support/sign-in-fixtures';
import { createAdmin, csvText, upload, uniquePrefix } from '../support/upload-fixtures';

// Links that went to an address the account no longer has (decision 0019): every email change
// (an admin's edit, a CSV update, the profile) ends the unused invitation and reset links, and an
// invitation never replaces a password the owner already chose. Against the real database and
// store; the browser's view of an old invitation is tests/e2e/stale-links.spec.ts.

const NEW_PASSWORD = 'seven lanterns over quiet water';
const INVITED_PASSWORD = 'a perfectly fine passphrase';

const unique = () => randomUUID().slice(0, 8);
const hashOf = async (userId: string) =>
  (await db.user.findUniqueOrThrow({ where: { id: userId } })).passwordHash;
const tokenIn = (text: string, path: RegExp) => path.exec(text)![1]!;
const invitationToken = (text: string) => tokenIn(text, /\/invite\/([A-Za-z0-9_-]{43})/);
const resetToken = (text: string) => tokenIn(text, /[?&]token=([A-Za-z0-9_-]{43})/);
const lastEvent = (userId: string, type: string) =>
  db.auditEvent.findFirst({ where: { userId, type }, orderBy: { createdAt: 'desc' } });

function adminDeps() {
  const sender = capturingSender();
  const deps: AdminUserDeps = {
    senderFor: (c) => (c === 'email' ? sender : null),
    origin: 'https://login.example.test',
    now: () => new Date(),
  };
  return { sender, deps };
}

/** A user an admin created, with the invitation emailed to (mistyped) `email`. */
async function invitedByAdmin(email: string) {
  const admin = await createAdmin();
  const { sender, deps } = adminDeps();
  const input: UserInput = {
    username: `inv-${unique()}`,
    name: null,
    email,
    phone: null,
    role: 'user',
    twoFactor: false,
    disabled: false,
  };
  const created = await createUserAsAdmin(input, admin, deps);
  if (!created.ok || created.invitation !== 'sent') throw new Error('not invited');
  return { admin, sender, deps, input, id: created.id, token: invitationToken(sender.last().text) };
}

/** Asks for a reset as the person would and returns the token from the emailed link. */
async function emailedResetToken(t: ReturnType<typeof securitySetup>, identifier: string) {
  await requestPasswordReset(t.deps, { identifier, ...who });
  await t.flush();
  return resetToken(t.sender.last().text);
}

describe('RC-02 OTP-10 an email change ends the links sent to the old address', () => {
  it('RC-02 OTP-10 an admin corrects a mistyped email: the invitation sent there is refused and sets nothing; a new one waits for the new address, and the admin is told', async () => {
    const p = unique();
    const invited = await invitedByAdmin(`${p}@exmaple.test`);
    const before = await hashOf(invited.id);
    expect(await findInvitation(invited.token)).toMatchObject({ ok: true });

    const result = await updateUser(
      invited.id,
      { ...invited.input, email: `${p}@example.test` },
      invited.admin,
      invited.deps,
    );
    expect(result).toEqual({ ok: true, changed: ['email'], invitationEnded: true });

    expect(await findInvitation(invited.token)).toEqual({ ok: false, reason: 'address-changed' });
    expect(await redeemInvitation(invited.token, INVITED_PASSWORD, who)).toEqual({
      ok: false,
      reason: 'address-changed',
    });
    expect(await hashOf(invited.id)).toBe(before);
    expect((await lastEvent(invited.id, 'invitation.refused'))?.detail).toMatchObject({
      reason: 'address-changed',
    });

    // The next invitation goes to the corrected address, and that one works.
    expect(await inviteUser({ userId: invited.id, actor: invited.admin }, invited.deps)).toBe(
      'sent',
    );
    const message = invited.sender.last();
    expect(message.to).toBe(`${p}@example.test`);
    expect(await redeemInvitation(invitationToken(message.text), INVITED_PASSWORD)).toMatchObject({
      ok: true,
    });
  });

  it('RC-02 a change of letter case only is the same mailbox: the invitation keeps working', async () => {
    const p = unique();
    const invited = await invitedByAdmin(`${p}@example.test`);
    const result = await updateUser(
      invited.id,
      { ...invited.input, email: `${p.toUpperCase()}@Example.test` },
      invited.admin,
      invited.deps,
    );
    expect(result).toEqual({ ok: true, changed: ['email'] });
    expect(await findInvitation(invited.token)).toMatchObject({ ok: true, userId: invited.id });
  });

  it('RC-02 CSV-05 a CSV update that changes an email ends the invitation; the upload sends a new one to the new address', async () => {
    const admin = await createAdmin();
    const p = uniquePrefix();
    const row = (email: string) => [[`${p}csv`, '', email, '', 'user', 'no']];
    const first = await upload(admin.id, csvText(row(`${p}@exmaple.com`)));
    if (!first.ok) throw new Error('upload refused');
    const created = await importUpload({
      uploadId: first.uploadId,
      adminId: admin.id,
      allOrNothing: false,
      existingMode: 'skip',
      sender: capturingSender(),
    });
    expect(created).toMatchObject({ ok: true, created: 1 });
    const userId = (await db.user.findFirstOrThrow({ where: { uploadId: first.uploadId } })).id;
    const sender = capturingSender();
    await sendInvitations([userId], { actorId: admin.id, sender });
    const oldToken = invitationToken(sender.last().text);

    const second = await upload(admin.id, csvText(row(`${p}@example.com`)));
    if (!second.ok) throw new Error('upload refused');
    expect(
      await importUpload({
        uploadId: second.uploadId,
        adminId: admin.id,
        allOrNothing: false,
        existingMode: 'update',
        sender: capturingSender(),
      }),
    ).toMatchObject({ ok: true, updated: 1 });

    expect(await findInvitation(oldToken)).toEqual({ ok: false, reason: 'address-changed' });
    expect(await pendingInvitationUserIds(second.uploadId, 10)).toEqual([userId]);
    await sendInvitations([userId], { actorId: admin.id, sender });
    expect(sender.last().to).toBe(`${p}@example.com`);
    expect(await findInvitation(invitationToken(sender.last().text))).toMatchObject({ ok: true });
  });

  it('RC-02 OTP-10 a reset link asked for before a self-service email change no longer works after it', async () => {
    const t = contactChangeSetup();
    const reset = securitySetup();
    const user = await createUser();
    const token = await emailedResetToken(reset, user.username);
    expect(await findPasswordReset(reset.deps, token)).toMatchObject({ ok: true });

    expect(await sendIdentityCode(t.deps, { userId: user.id, ...who })).toMatchObject({ ok: true });
    const identity = t.sender.last().code!;
    expect(await confirmIdentity(t.deps, { userId: user.id, code: identity, ...who })).toEqual({
      ok: true,
    });
    const to = `new-${unique()}@example.test`;
    expect(
      await requestContactChange(t.deps, { userId: user.id, kind: 'email', value: to, ...who }),
    ).toMatchObject({ ok: true });
    const code = t.sender.last().code!;
    expect(await confirmContactChange(t.deps, { userId: user.id, code, ...who })).toEqual({
      ok: true,
      kind: 'email',
    });

    // Gone from the store, not merely refused.
    const key = `password-reset:${createHash('sha256').update(token).digest('hex')}`;
    expect(await reset.deps.store.get(key)).toBeNull();
    expect(await resetPassword(reset.deps, { token, password: NEW_PASSWORD, ...who })).toEqual({
      ok: false,
      reason: 'invalid',
    });
    expect(await checkPassword(PASSWORD, await hashOf(user.id))).toMatchObject({ ok: true });
  });

  it('RC-02 OTP-10 a reset link asked for before an admin changes the email is refused', async () => {
    const t = securitySetup();
    const admin = await createAdmin();
    const user = await createUser();
    const token = await emailedResetToken(t, user.email);
    const input: UserInput = {
      username: user.username,
      name: user.name,
      email: `moved-${unique()}@example.test`,
      phone: user.phone,
      role: 'user',
      twoFactor: user.twoFactor,
      disabled: false,
    };
    expect(await updateUser(user.id, input, admin, adminDeps().deps)).toMatchObject({ ok: true });

    expect(await findPasswordReset(t.deps, token)).toEqual({ ok: false, reason: 'invalid' });
    expect(await resetPassword(t.deps, { token, password: NEW_PASSWORD, ...who })).toEqual({
      ok: false,
      reason: 'invalid',
    });
    expect(await checkPassword(PASSWORD, await hashOf(user.id))).toMatchObject({ ok: true });
  });

  it('RC-02 both links are bound to the address they went to: an email changed by a path that ends nothing still refuses them', async () => {
    const t = securitySetup();
    const p = unique();
    const invited = await invitedByAdmin(`${p}@example.test`);
    const resetLink = await emailedResetToken(t, invited.input.username);
    await db.user.update({ where: { id: invited.id }, data: { email: `${p}@elsewhere.test` } });

    expect(await findInvitation(invited.token)).toEqual({ ok: false, reason: 'address-changed' });
    expect(await findPasswordReset(t.deps, resetLink)).toEqual({ ok: false, reason: 'invalid' });
  });
});

describe('RC-02 an invitation never replaces a password its owner chose', () => {
  it('RC-02 an invited user who reset their password by the emailed link: the invitation is refused, the password stays, and the refusal is audited', async () => {
    const t = securitySetup();
    const invited = await invitedByAdmin(`inv-${unique()}@example.test`);
    const link = await emailedResetToken(t, invited.input.email);
    expect(
      await resetPassword(t.deps, { token: link, password: NEW_PASSWORD, ...who }),
    ).toMatchObject({ ok: true });

    expect(await findInvitation(invited.token)).toEqual({ ok: false, reason: 'password-set' });
    expect(await redeemInvitation(invited.token, INVITED_PASSWORD, who)).toEqual({
      ok: false,
      reason: 'password-set',
    });
    const hash = await hashOf(invited.id);
    expect(await checkPassword(NEW_PASSWORD, hash)).toMatchObject({ ok: true });
    expect(await checkPassword(INVITED_PASSWORD, hash)).toEqual({ ok: false });
    expect(await lastEvent(invited.id, 'invitation.refused')).toMatchObject({
      ip: who.ip,
      detail: { reason: 'password-set' },
    });
    // And no new invitation is sent to an account that has a password.
    expect(await inviteUser({ userId: invited.id, actor: invited.admin }, invited.deps)).toBe(
      'skipped',
    );
  });
});
