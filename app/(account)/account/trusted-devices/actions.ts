'use server';

import { revalidatePath } from 'next/cache';
import { redirect, unstable_rethrow } from 'next/navigation';
import { z } from 'zod';
import { requireUser } from '@/lib/web/current-user';
import { requireFreshCode } from '@/lib/web/require-fresh-code';
import { getRequestInfo } from '@/lib/web/request-info';
import type { FormState } from '@/lib/auth/form-state';
import { parseDeviceName } from '@/lib/devices/device-name';
import { clearDeviceToken, getDeviceToken } from '@/lib/web/device-cookie';
import {
  deleteOtherTrustedDevices,
  deleteTrustedDevice,
  renameTrustedDevice,
} from '@/lib/devices/trusted-devices';
import { deviceNotices, type DeviceNotice } from './device-notices';

const PAGE = '/account/trusted-devices';
const NOT_FOUND = deviceNotices['not-found'].text;
const UNAVAILABLE = deviceNotices.unavailable.text;

// A device id is only ever compared with the signed-in user's own rows; anything odd is "not found".
const deviceId = z.string().trim().min(1).max(64);
const renameForm = z.object({ deviceId, name: z.string().max(4096) });
const deleteForm = z.object({ deviceId });

const noticeUrl = (notice: DeviceNotice) => `${PAGE}?notice=${notice}`;

export async function renameDeviceAction(_prev: FormState, formData: FormData): Promise<FormState> {
  const typed = String(formData.get('name') ?? '');
  const form = renameForm.safeParse({
    deviceId: formData.get('deviceId'),
    name: formData.get('name'),
  });
  if (!form.success) return { error: NOT_FOUND, values: { name: typed } };
  const name = parseDeviceName(form.data.name);
  if (!name.ok) return { error: name.error, values: { name: typed } };

  const user = await requireUser();
  try {
    const renamed = await renameTrustedDevice({
      userId: user.id,
      deviceId: form.data.deviceId,
      name: name.name,
      ...(await getRequestInfo()),
    });
    if (!renamed) return { error: NOT_FOUND, values: { name: typed } };
  } catch (error) {
    unstable_rethrow(error);
    console.error('trusted devices: rename failed', error);
    return { error: UNAVAILABLE, values: { name: typed } };
  }
  revalidatePath(PAGE);
  return { info: 'Name saved.', values: { name: name.name } };
}

export async function deleteDeviceAction(formData: FormData): Promise<void> {
  const form = deleteForm.safeParse({ deviceId: formData.get('deviceId') });
  if (!form.success) redirect(noticeUrl('not-found'));

  const user = await requireUser();
  let notice: DeviceNotice;
  try {
    const result = await deleteTrustedDevice({
      userId: user.id,
      deviceId: form.data.deviceId,
      currentToken: await getDeviceToken(),
      ...(await getRequestInfo()),
    });
    // The row is gone either way (TD-03); dropping the cookie keeps the browser from offering a dead token.
    if (result.ok && result.wasCurrent) await clearDeviceToken();
    notice = !result.ok ? 'not-found' : result.wasCurrent ? 'deleted-this' : 'deleted';
  } catch (error) {
    unstable_rethrow(error);
    console.error('trusted devices: delete failed', error);
    notice = 'unavailable';
  }
  redirect(noticeUrl(notice));
}

export async function deleteOtherDevicesAction(): Promise<void> {
  const user = await requireUser();
  // SE-07, TD-10: a code entered recently, even on a trusted browser; otherwise back to the page to get one.
  await requireFreshCode(user.id, PAGE);
  let notice: DeviceNotice;
  try {
    await deleteOtherTrustedDevices({
      userId: user.id,
      currentToken: await getDeviceToken(),
      ...(await getRequestInfo()),
    });
    notice = 'deleted-others';
  } catch (error) {
    unstable_rethrow(error);
    console.error('trusted devices: delete others failed', error);
    notice = 'unavailable';
  }
  redirect(noticeUrl(notice));
}
