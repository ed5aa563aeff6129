'use server';

import { signOut } from '@/lib/web/auth';

/** Ends the session on the server (its record is deleted), not only the cookie (SE-06). */
export async function signOutAction(): Promise<void> {
  await signOut({ redirectTo: '/login?notice=signed-out' });
}
