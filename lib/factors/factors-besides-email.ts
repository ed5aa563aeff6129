import 'server-only';
import { db } from '@/lib/db';

/** Whether the account has a way to sign in that does not go through its mailbox. */
export async function hasFactorBesidesEmail(userId: string): Promise<boolean> {
  const user = await db.user.findUnique({
    where: { id: userId },
    select: {
      phone: true,
      authenticatorApp: { select: { confirmedAt: true } },
      _count: { select: { backupCodes: { where: { usedAt: null } }, passkeys: true } },
    },
  });
  if (!user) return false;
  return (
    !!user.phone ||
    !!user.authenticatorApp?.confirmedAt ||
    user._count.backupCodes > 0 ||
    user._count.passkeys > 0
  );
}
