'use server';

import { unstable_rethrow } from 'next/navigation';
import { z } from 'zod';
import { requireAdmin } from '@/lib/web/current-user';
import { getAccountSecurityDeps } from '@/lib/web/wiring';
import { signOutEverywhereAsAdmin } from '@/lib/admin/admin-fresh-code';
import { getRequestInfo } from '@/lib/web/request-info';
import type { FormState } from '@/lib/auth/form-state';
import { NOT_FRESH_TEXT } from '../user-notices';

const userId = z.string().regex(/^[\w-]{1,64}$/);

/** An admin signs a user out of every session (SE-06), with a fresh code (SE-07). The role is checked before the form is read. */
export async function signOutEverywhereAction(
  _prev: FormState,
  formData: FormData,
): Promise<FormState> {
  const admin = await requireAdmin();
  const target = userId.safeParse(formData.get('userId'));
  if (!target.success) return { error: 'That user was not found. Nothing was changed.' };
  try {
    const result = await signOutEverywhereAsAdmin(getAccountSecurityDeps(), {
      userId: target.data,
      actorId: admin.id,
      ...(await getRequestInfo()),
    });
    if (!result.ok) return { error: NOT_FRESH_TEXT };
    const count = result.value;
    return {
      info:
        count === 0
          ? 'The user had no active sessions.'
          : `Signed out of ${count} ${count === 1 ? 'session' : 'sessions'}. Each browser must sign in again.`,
    };
  } catch (error) {
    unstable_rethrow(error);
    console.error('admin: sign out everywhere failed', error);
    return {
      error: 'The sessions could not be ended right now. Nothing was changed; try again shortly.',
    };
  }
}
