'use server';

import { revalidatePath } from 'next/cache';
import { unstable_rethrow } from 'next/navigation';
import { z } from 'zod';
import { resetSecondFactorsAsAdmin } from '@/lib/admin/admin-fresh-code';
import { requireAdmin } from '@/lib/web/current-user';
import { getRequestInfo } from '@/lib/web/request-info';
import { getAccountSecurityDeps } from '@/lib/web/wiring';
import { NOT_FRESH_TEXT } from '../user-notices';

export type ResetFactorsState = { error?: string; info?: string };

const id = z.string().regex(/^[\w-]{1,64}$/);

/** Removes a user's authenticator app, backup codes and passkeys; needs the admin's fresh code. */
export async function resetSecondFactorsAction(
  _prev: ResetFactorsState,
  formData: FormData,
): Promise<ResetFactorsState> {
  const admin = await requireAdmin();
  const userId = id.safeParse(formData.get('userId'));
  if (!userId.success) return { error: 'That user was not found.' };
  let removed;
  try {
    const result = await resetSecondFactorsAsAdmin(getAccountSecurityDeps(), {
      userId: userId.data,
      actor: { id: admin.id, ...(await getRequestInfo()) },
    });
    if (!result.ok) return { error: NOT_FRESH_TEXT };
    if (!result.value) return { error: 'That user was not found.' };
    removed = result.value.removed;
  } catch (error) {
    unstable_rethrow(error);
    console.error('admin: resetting second factors failed', error);
    return { error: 'This cannot be done right now. Nothing was changed; try again shortly.' };
  }
  revalidatePath(`/admin/users/${userId.data}`);
  return {
    info: removed.length
      ? 'The user’s own sign-in methods were removed; they were told by email.'
      : 'The user had no authenticator app, backup codes or passkeys.',
  };
}
