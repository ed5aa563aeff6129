import 'server-only';
import { db } from '@/lib/db';
import { recordEvent } from '@/lib/audit/record-event';
import { checkPassword, hashPassword } from '@/lib/auth/password';
import { checkPasswordPolicy } from '@/lib/auth/password-policy';
import { getFreshCodeUntil, type FreshCodeDeps } from '@/lib/auth/fresh-code';
import { revokeAllTrustedDevices } from '@/lib/devices/trusted-devices';
import { passwordChangedNotice } from '@/lib/notices/password-changed-notice';
import { sendNotice } from '@/lib/notices/send-notice';

// A signed-in person changes their password (PW-09). Three proofs: the session, a fresh code
// (SE-07, TD-10: a trusted browser signs in without one), and the current password. Then every
// other session ends and every trusted device is revoked (TD-06), the change is audited and the
// person is told by email (RC-05). This browser's session stays: the person is using it.

export type PasswordChangeDeps = Pick<
  FreshCodeDeps,
  'store' | 'senderFor' | 'now' | 'config' | 'currentSessionId'
>;

type RequestInfo = { ip: string | null; userAgent: string | null };

/** Wrong current passwords per person before the form refuses for a while (a stolen session must not guess it). */
export const CURRENT_PASSWORD_TRIES = 5;
const TRIES_WINDOW_MS = 15 * 60_000;
const triesKey = (userId: string) => `password-change-failures:${userId}`;

export type ChangePasswordResult =
  | { ok: true; sessionsEnded: number; devicesRevoked: number }
  | { ok: false; reason: 'not-fresh' | 'wrong-password' | 'limited' }
  | { ok: false; reason: 'weak'; message: string };

export async function changePassword(
  deps: PasswordChangeDeps,
  input: {
    userId: string;
    currentSessionId: string | null;
    currentPassword: string;
    newPassword: string;
  } & RequestInfo,
): Promise<ChangePasswordResult> {
  const who = { userId: input.userId, ip: input.ip, userAgent: input.userAgent };
  if ((await getFreshCodeUntil(deps, input.userId)) === null)
    return { ok: false, reason: 'not-fresh' };
  if (((await deps.store.get<number>(triesKey(input.userId))) ?? 0) >= CURRENT_PASSWORD_TRIES) {
    await recordEvent({ type: 'password.change_failed', ...who, detail: { reason: 'limited' } });
    return { ok: false, reason: 'limited' };
  }
  const user = await db.user.findUniqueOrThrow({
    where: { id: input.userId },
    select: { username: true, email: true, passwordHash: true },
  });
  const current = await checkPassword(input.currentPassword, user.passwordHash);
  if (!current.ok) {
    await deps.store.increment(triesKey(input.userId), TRIES_WINDOW_MS);
    await recordEvent({
      type: 'password.change_failed',
      ...who,
      detail: { reason: 'wrong-password' },
    });
    return { ok: false, reason: 'wrong-password' };
  }
  // PW-01: 15 code points, because any account may trust a browser, where the password alone signs in.
  const policy = checkPasswordPolicy(input.newPassword, {
    username: user.username,
    email: user.email,
    canBeOnlyFactor: true,
  });
  if (!policy.ok) return { ok: false, reason: 'weak', message: policy.message };

  const passwordHash = await hashPassword(input.newPassword);
  // Trust ends first: if the save then fails, the person enters a code next time, which is safe.
  const devicesRevoked = await revokeAllTrustedDevices({
    userId: input.userId,
    reason: 'password-changed',
    actorId: input.userId,
    ip: input.ip,
    userAgent: input.userAgent,
  });
  const others = input.currentSessionId ? { id: { not: input.currentSessionId } } : {};
  const [, sessions] = await db.$transaction([
    db.user.update({
      where: { id: input.userId },
      data: { passwordHash, invitationPending: false },
    }),
    db.session.deleteMany({ where: { userId: input.userId, ...others } }),
  ]);
  await deps.store.delete(triesKey(input.userId));
  await recordEvent({
    type: 'sessions.revoked',
    ...who,
    detail: { reason: 'password-changed', count: sessions.count, actorId: input.userId },
  });

  // The change stands whatever the mailbox does: the person proved the old password and a fresh code.
  const notice = await sendNotice(deps, {
    kind: 'password-changed',
    message: passwordChangedNotice({
      to: user.email,
      how: 'changed',
      at: new Date(deps.now()),
      ip: input.ip,
      origin: deps.config.origin,
    }),
    ...who,
  });
  await recordEvent({
    type: 'password.changed',
    ...who,
    detail: { sessionsEnded: sessions.count, devicesRevoked, noticeSent: notice.sent },
  });
  return { ok: true, sessionsEnded: sessions.count, devicesRevoked };
}
