import 'server-only';
import { cache } from 'react';
import { notFound, redirect } from 'next/navigation';
import { auth } from '@/lib/web/auth';
import { db } from '@/lib/db';
import { userSummaryFields } from '@/lib/users/user-fields';

// The data-access boundary: every page and action that needs a signed-in person calls these.
// `get*` may return null; `require*` redirects to the sign-in page.

/** One Auth.js check (and one Session row lookup) per request, however many callers ask. */
const getSession = cache(() => auth());

export const getCurrentUser = cache(async () => {
  const session = await getSession();
  const id = session?.user?.id;
  if (!id) return null;
  const user = await db.user.findUnique({
    where: { id },
    select: userSummaryFields,
  });
  return user && !user.disabled ? user : null;
});

/** The Session row id of this browser's session (not its secret), to mark "This session". */
export async function getCurrentSessionId(): Promise<string | null> {
  return (await getSession())?.sessionId ?? null;
}

export async function requireUser() {
  const user = await getCurrentUser();
  if (!user) redirect('/login');
  return user;
}

/** For admin pages and actions: the server refuses anyone without the admin role. */
export async function requireAdmin() {
  const user = await requireUser();
  if (user.role !== 'admin') notFound();
  return user;
}
