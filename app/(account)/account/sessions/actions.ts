'use server';

import { redirect, unstable_rethrow } from 'next/navigation';
import { z } from 'zod';
import { signOut } from '@/lib/web/auth';
import { getCurrentSessionId, requireUser } from '@/lib/web/current-user';
import { getRequestInfo } from '@/lib/web/request-info';
import { signOutOtherSessions, signOutSession } from '@/lib/auth/sessions/manage-sessions';
import type { SessionNotice } from './session-notices';

const PAGE = '/account/sessions';
function go(notice: SessionNotice): never {
  redirect(`${PAGE}?notice=${notice}`);
}
// A session id is only ever compared with the signed-in user's own rows; anything odd is "not found".
const sessionId = z.string().trim().min(1).max(64);

/** Signs out one of the person's own sessions (SE-06): its row goes, so its cookie stops working. */
export async function signOutSessionAction(formData: FormData): Promise<void> {
  const id = sessionId.safeParse(formData.get('sessionId'));
  if (!id.success) go('not-found');
  const user = await requireUser();
  const currentId = await getCurrentSessionId();
  let notice: SessionNotice;
  let wasCurrent = false;
  try {
    const result = await signOutSession({
      userId: user.id,
      sessionId: id.data,
      currentId,
      ...(await getRequestInfo()),
    });
    wasCurrent = result.ok && result.wasCurrent;
    notice = result.ok ? 'signed-out-one' : 'not-found';
  } catch (error) {
    unstable_rethrow(error);
    console.error('sessions: sign out one failed', error);
    notice = 'unavailable';
  }
  // This browser's own row is gone: finish the sign-out here too (cookie and page).
  if (wasCurrent) await signOut({ redirectTo: '/login?notice=signed-out' });
  go(notice);
}

/** "Sign out everywhere else": every session but this browser's ends at its next request. */
export async function signOutOtherSessionsAction(): Promise<void> {
  const user = await requireUser();
  let notice: SessionNotice;
  try {
    await signOutOtherSessions({
      userId: user.id,
      currentId: await getCurrentSessionId(),
      ...(await getRequestInfo()),
    });
    notice = 'signed-out-others';
  } catch (error) {
    unstable_rethrow(error);
    console.error('sessions: sign out others failed', error);
    notice = 'unavailable';
  }
  go(notice);
}
