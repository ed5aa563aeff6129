import 'server-only';
import { db } from '@/lib/db';
import { recordEvent } from '@/lib/audit/record-event';
import type { RequestInfo } from '@/lib/audit/request-info';
import { noticeDeps } from '@/lib/notices/notice-deps';
import { sendNotice } from '@/lib/notices/send-notice';
import {
  twoStepMethodChangedNotice,
  type TwoStepMethod,
} from '@/lib/notices/two-step-method-changed-notice';

// An administrator removes a user's own second factors (authenticator app, backup codes,
// passkeys): the way back for someone who lost their phone, with the admin's own fresh code
// (admin-fresh-code.ts), audited, and told to the user for each method (RC-04, RC-05). Email,
// SMS and voice are not removed: they come from the user's contact details.

export async function resetSecondFactors(input: {
  userId: string;
  actor: { id: string } & RequestInfo;
}): Promise<{ removed: TwoStepMethod[] } | null> {
  const user = await db.user.findUnique({ where: { id: input.userId }, select: { email: true } });
  if (!user) return null;
  const [app, codes, passkeys] = await db.$transaction([
    db.authenticatorApp.deleteMany({ where: { userId: input.userId } }),
    db.backupCode.deleteMany({ where: { userId: input.userId } }),
    db.passkey.deleteMany({ where: { userId: input.userId } }),
  ]);
  const removed: TwoStepMethod[] = [];
  if (app.count) removed.push('authenticator-app');
  if (codes.count) removed.push('backup-codes');
  if (passkeys.count) removed.push('passkey');
  const { ip, userAgent } = input.actor;
  await recordEvent({
    type: 'two_step.changed',
    userId: input.userId,
    ip,
    userAgent,
    detail: { change: 'reset-by-admin', removed, actorId: input.actor.id },
  });
  const deps = noticeDeps();
  for (const method of removed) {
    const message = twoStepMethodChangedNotice({
      to: user.email,
      method,
      change: 'reset-by-admin',
      at: deps.now(),
      origin: deps.origin,
    });
    const who = { userId: input.userId, ip, userAgent };
    await sendNotice(deps, { message, kind: 'two-step-method-changed', ...who });
  }
  return { removed };
}
