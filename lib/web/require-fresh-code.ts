import 'server-only';
import { redirect } from 'next/navigation';
import { getFreshCodeUntil } from '@/lib/auth/fresh-code';
import { getAccountSecurityDeps } from '@/lib/web/wiring';

/**
 * For actions that make a sensitive change (SE-07, TD-10): unless this session entered a code
 * within SENSITIVE_ACTION_WINDOW_MINUTES, back to `page`, which then offers to send one.
 */
export async function requireFreshCode(userId: string, page: string): Promise<void> {
  if ((await getFreshCodeUntil(getAccountSecurityDeps(), userId)) === null)
    redirect(`${page}?fresh=required`);
}
