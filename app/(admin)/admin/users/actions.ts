'use server';

import { redirect, unstable_rethrow } from 'next/navigation';
import { z } from 'zod';
import { requireAdmin } from '@/lib/web/current-user';
import { getAccountSecurityDeps } from '@/lib/web/wiring';
import {
  createUserAsAdmin,
  revokeDeviceAsAdmin,
  revokeDevicesAsAdmin,
  updateUserAsAdmin,
} from '@/lib/admin/admin-fresh-code';
import { getRequestInfo } from '@/lib/web/request-info';
import { env } from '@/lib/env';
import { inviteUser, type InvitationOutcome } from '@/lib/admin/invite-user';
import { parseUserForm, userFormValues, type UserFormState } from '@/lib/users/user-form';
import { confirmFirstPath, NOT_FRESH_TEXT, userNotices, type UserNotice } from './user-notices';

// Every action checks the admin role itself (requireAdmin → 404): the server refuses non-admins,
// whatever the menu shows, and a server action can be called without its page. The role is
// checked before the form is even read. Changes to how someone signs in also need the admin's
// own fresh code (SE-07, decision 12), checked here by the *AsAdmin functions, not by the page.

const CHECK_FIELDS = 'Some fields need attention: see the messages beside them.';
const UNAVAILABLE = userNotices.unavailable.text;

const id = z.string().regex(/^[\w-]{1,64}$/);
const userPage = (userId: string, notice: UserNotice, anchor = '') =>
  `/admin/users/${userId}?notice=${notice}${anchor}`;

async function actor() {
  const admin = await requireAdmin();
  return { id: admin.id, ...(await getRequestInfo()) };
}

export async function createUserAction(
  _prev: UserFormState,
  formData: FormData,
): Promise<UserFormState> {
  const by = await actor();
  const values = userFormValues(formData);
  const form = parseUserForm(formData, { defaultRegion: env.PHONE_DEFAULT_REGION });
  if (!form.ok) return { error: CHECK_FIELDS, fieldErrors: form.errors, values };
  let result;
  try {
    result = await createUserAsAdmin(getAccountSecurityDeps(), form.user, by);
  } catch (error) {
    unstable_rethrow(error);
    console.error('admin: creating a user failed', error);
    return { error: UNAVAILABLE, values };
  }
  if (!result.ok)
    return 'reason' in result
      ? { error: NOT_FRESH_TEXT, values }
      : { error: CHECK_FIELDS, fieldErrors: result.errors, values };
  const notice: Record<InvitationOutcome, UserNotice> = {
    sent: 'created',
    failed: 'created-invitation-failed',
    skipped: 'created-not-invited',
  };
  redirect(userPage(result.id, notice[result.invitation]));
}

export async function inviteUserAction(formData: FormData): Promise<void> {
  const by = await actor();
  const userId = id.safeParse(formData.get('userId'));
  if (!userId.success) redirect('/admin/users');
  let notice: UserNotice;
  try {
    const outcome = await inviteUser({ userId: userId.data, actor: by });
    notice =
      outcome === 'sent'
        ? 'invited'
        : outcome === 'failed'
          ? 'invitation-failed'
          : 'invitation-not-needed';
  } catch (error) {
    unstable_rethrow(error);
    console.error('admin: sending an invitation failed', error);
    notice = 'unavailable';
  }
  redirect(userPage(userId.data, notice));
}

/** Bound to the user's id by the edit page (`updateUserAction.bind(null, id)`). */
export async function updateUserAction(
  userId: string,
  _prev: UserFormState,
  formData: FormData,
): Promise<UserFormState> {
  const by = await actor();
  const values = userFormValues(formData);
  const target = id.safeParse(userId);
  if (!target.success) redirect('/admin/users');
  const form = parseUserForm(formData, { defaultRegion: env.PHONE_DEFAULT_REGION });
  if (!form.ok) return { error: CHECK_FIELDS, fieldErrors: form.errors, values };
  let result;
  try {
    result = await updateUserAsAdmin(getAccountSecurityDeps(), target.data, form.user, by);
  } catch (error) {
    unstable_rethrow(error);
    console.error('admin: saving a user failed', error);
    return { error: UNAVAILABLE, values };
  }
  if (!result.ok && result.reason === 'not-found') redirect('/admin/users');
  if (!result.ok && result.reason === 'not-fresh') return { error: NOT_FRESH_TEXT, values };
  if (!result.ok) return { error: CHECK_FIELDS, fieldErrors: result.errors, values };
  if (!result.changed.length) return { info: userNotices.unchanged.text };
  redirect(userPage(target.data, result.invitationEnded ? 'saved-invitation-ended' : 'saved'));
}

const deviceForm = z.object({ userId: id, deviceId: id });

export async function revokeDeviceAction(formData: FormData): Promise<void> {
  const by = await actor();
  const form = deviceForm.safeParse({
    userId: formData.get('userId'),
    deviceId: formData.get('deviceId'),
  });
  if (!form.success) redirect('/admin/users');
  let notice: UserNotice;
  try {
    const result = await revokeDeviceAsAdmin(getAccountSecurityDeps(), { ...form.data, actor: by });
    if (!result.ok) redirect(confirmFirstPath(form.data.userId));
    notice = result.value ? 'device-revoked' : 'device-not-found';
  } catch (error) {
    unstable_rethrow(error);
    console.error('admin: revoking a device failed', error);
    notice = 'unavailable';
  }
  redirect(userPage(form.data.userId, notice, '#devices'));
}

export async function revokeAllDevicesAction(formData: FormData): Promise<void> {
  const by = await actor();
  const userId = id.safeParse(formData.get('userId'));
  if (!userId.success) redirect('/admin/users');
  let notice: UserNotice;
  try {
    const result = await revokeDevicesAsAdmin(getAccountSecurityDeps(), {
      userId: userId.data,
      actor: by,
    });
    if (!result.ok) redirect(confirmFirstPath(userId.data));
    notice = 'devices-revoked';
  } catch (error) {
    unstable_rethrow(error);
    console.error('admin: revoking all devices failed', error);
    notice = 'unavailable';
  }
  redirect(userPage(userId.data, notice, '#devices'));
}
