import type { LoginTicket } from '@/lib/auth/login-ticket';
import type { RequestInfo, SignInDeps } from '@/lib/auth/sign-in';
import type { OutgoingMessage } from '@/lib/otp/delivery/sender';
import { subjectKey } from '@/lib/rate-limit/rate-limiter';
import { utcMinute } from '@/lib/format-time';

/** Wrong codes on one sign-in after which its owner is told (OTP-13); a burnt code takes 5. */
export const FAILED_CODE_NOTICE_AFTER = 3;

/**
 * The email sent when someone passed the password step and then entered wrong codes (OTP-13):
 * whoever it was knows the password. Plain text; no code, no link that signs in.
 */
export function composeFailedCodeNotice(input: {
  to: string;
  wrongCodes: number;
  at: Date;
  ip: string | null;
  origin: string;
}): OutgoingMessage {
  const when = utcMinute(input.at);
  const link = new URL('/account', input.origin).toString();
  return {
    channel: 'email',
    to: input.to,
    subject: 'Wrong security codes were entered for your Latchkey sign-in',
    text: [
      `Someone entered your password correctly and then ${input.wrongCodes} wrong security codes.`,
      '',
      `When: ${when}`,
      `IP address: ${input.ip ?? 'unknown'}`,
      '',
      'If this was you, there is nothing to do.',
      `If it was not, someone knows your password: sign in at ${link} and change it, and tell your administrator.`,
    ].join('\n'),
  };
}

/**
 * Counts a wrong code against its sign-in and, when the count reaches the threshold (exactly
 * once per sign-in, whatever the concurrency), emails the owner. Best effort, like TD-09: the
 * notice failing is audited, never shown to whoever is typing codes.
 */
export async function tellOwnerOfWrongCodes(
  deps: Pick<SignInDeps, 'store' | 'users' | 'senderFor' | 'audit' | 'config' | 'now'>,
  input: { ticketId: string; ticket: LoginTicket } & RequestInfo,
): Promise<void> {
  const now = deps.now();
  const wrong = await deps.store.increment(
    `wrong-codes:${subjectKey(input.ticketId)}`,
    Math.max(1000, input.ticket.expiresAt - now),
  );
  if (wrong !== FAILED_CODE_NOTICE_AFTER) return;
  const user = await deps.users.findById(input.ticket.userId);
  if (!user) return;
  const who = { userId: user.id, ip: input.ip, userAgent: input.userAgent };
  try {
    const email = deps.senderFor('email');
    if (!email) throw new Error('no email sender is configured');
    await email.send(
      composeFailedCodeNotice({
        to: user.email,
        wrongCodes: wrong,
        at: new Date(now),
        ip: input.ip,
        origin: deps.config.origin,
      }),
    );
    await deps.audit({ type: 'code.failures_notified', ...who, detail: { wrongCodes: wrong } });
  } catch (error) {
    await deps.audit({
      type: 'code.failures_notice_failed',
      ...who,
      detail: { error: String(error instanceof Error ? error.message : error) },
    });
  }
}
