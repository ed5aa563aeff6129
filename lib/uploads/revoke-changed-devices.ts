import 'server-only';
import { revokeAllTrustedDevices } from '@/lib/devices/trusted-devices';
import type { ContactChange } from './import-batch';

/**
 * Ends the trusted devices of every user whose phone or email an import changed (TD-06, OTP-10).
 * Called right after the commit that made the change, through the one function every
 * trust-ending event uses. Not inside the transaction: that function has its own connection,
 * which embedded PostgreSQL would make wait for the transaction.
 */
export async function revokeChangedDevices(
  changes: ContactChange[],
  actorId: string,
  who: { ip: string | null; userAgent: string | null },
) {
  for (const change of changes) {
    await revokeAllTrustedDevices({
      userId: change.userId,
      reason: change.phoneChanged ? 'phone-changed' : 'email-changed',
      actorId,
      ...who,
    });
  }
}
