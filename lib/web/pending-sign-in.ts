import 'server-only';
import { cookies } from 'next/headers';
import { ticketCookieName } from '@/lib/auth/cookies';
import { viewTicket, type TicketView } from '@/lib/auth/sign-in-code';
import { getSignInDeps } from '@/lib/web/wiring';

/** The ticket id in this browser's cookie, if any. */
export async function getTicketId(): Promise<string | undefined> {
  return (await cookies()).get(ticketCookieName)?.value;
}

/** The pending sign-in of this browser, or null when there is none (expired, used, forged). */
export async function getPendingSignIn(): Promise<(TicketView & { ticketId: string }) | null> {
  const ticketId = await getTicketId();
  if (!ticketId) return null;
  const view = await viewTicket(getSignInDeps(), ticketId);
  return view ? { ...view, ticketId } : null;
}
