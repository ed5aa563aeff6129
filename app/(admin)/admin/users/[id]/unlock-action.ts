'use server';

import { revalidatePath } from 'next/cache';
import { unstable_rethrow } from 'next/navigation';
import { z } from 'zod';
import { requireAdmin } from '@/lib/web/current-user';
import { getAccountSecurityDeps } from '@/lib/web/wiring';
import { unlockAsAdmin } from '@/lib/admin/admin-fresh-code';
import { getRequestInfo } from '@/lib/web/request-info';
import { NOT_FRESH_TEXT } from '../user-notices';

export type UnlockState = { error?: string; info?: string };

const id = z.string().regex(/^[\w-]{1,64}$/);

/** The Unlock button: ends a sign-in lockout (BF-01), audited with this admin as actor; needs the admin's fresh code (SE-07). */
export async function unlockAccountAction(
  _prev: UnlockState,
  formData: FormData,
): Promise<UnlockState> {
  const admin = await requireAdmin();
  const userId = id.safeParse(formData.get('userId'));
  if (!userId.success) return { error: 'That user was not found.' };
  try {
    const result = await unlockAsAdmin(getAccountSecurityDeps(), {
      userId: userId.data,
      actor: { id: admin.id, ...(await getRequestInfo()) },
    });
    if (!result.ok) return { error: NOT_FRESH_TEXT };
    if (!result.value) return { error: 'That user was not found.' };
  } catch (error) {
    unstable_rethrow(error);
    console.error('admin: unlocking an account failed', error);
    return {
      error: 'The account could not be unlocked right now. Nothing was changed; try again shortly.',
    };
  }
  revalidatePath(`/admin/users/${userId.data}`);
  return { info: 'The account was unlocked. The user can sign in now.' };
}
