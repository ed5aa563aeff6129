import 'server-only';
import { headers } from 'next/headers';
import { env } from '@/lib/env';
import { mayReadOutbox, outboxGuard } from '@/lib/delivery/outbox-access';
import { getCurrentUser } from '@/lib/web/current-user';

/**
 * Whether the current request may read the outbox: the outbox page, its JSON route and the
 * banner's link all ask this. Off → never; development → always; production mode → the token
 * header or a signed-in admin (decision 0018).
 */
export async function canReadOutbox(): Promise<boolean> {
  const guard = outboxGuard({
    enabled: env.OUTBOX_ENABLED,
    nodeEnv: env.NODE_ENV,
    token: env.OUTBOX_TOKEN,
  });
  return mayReadOutbox(
    guard,
    await headers(),
    async () => (await getCurrentUser())?.role === 'admin',
  );
}
