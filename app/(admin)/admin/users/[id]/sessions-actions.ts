'use server';

import { unstable_rethrow } from 'next/navigation';
import { z } from 'zod';
import { requireAdmin } from '@/lib/auth/current-user';
import { getRequestInfo } from '@/lib/auth/request-info';
import type { FormState } from '@/lib/auth/form-state';
import { signOutEverywhere } from '@/lib/auth/sessions/manage-sessions';

const userId = z.string().regex(/^[\w-]{1,64}$/);

/** An admin signs a user out of every session (SE-06). The role is checked before the form is read. */
export async function signOutEverywhereAction(_prev: FormState, formData: FormData): Promise<FormState> {
  const admin = await requireAdmin();
  const target = userId.safeParse(formData.get('userId'));
  if (!target.success) return { error: 'That user was not found. Nothing was changed.' };
  try {
    const count = await signOutEverywhere({ userId: target.data, actorId: admin.id, ...(await getRequestInfo()) });
    return { info: count === 0 ? 'The user had no active sessions.' : `Signed out of ${count} ${count === 1 ? 'session' : 'sessions'}. Each browser must sign in again.` };
  } catch (error) {
    unstable_rethrow(error);
    console.error('admin: sign out everywhere failed', error);
    return { error: 'The sessions could not be ended right now. Nothing was changed; try again shortly.' };
  }
}
