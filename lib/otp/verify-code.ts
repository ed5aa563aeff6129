import type { ExpiringStore } from '@/lib/store/expiring-store';
import { codeKey } from '@/lib/auth/login-ticket';
import { hashCode, isWellFormedCode } from '@/lib/otp/code';

export type VerifyCodeResult =
  | { ok: true }
  | { ok: false; reason: 'malformed' }
  | { ok: false; reason: 'mismatch'; attemptsLeft: number }
  | { ok: false; reason: 'burnt' }
  | { ok: false; reason: 'expired' }
  | { ok: false; reason: 'no-code' };

/**
 * Checks a submitted code for a ticket. The comparison, the attempt count and the single use
 * happen in one atomic store operation (OTP-03, OTP-05). A malformed entry (not six digits) is
 * refused without costing a try: it cannot be a guess at the code.
 */
export async function verifyCode(input: {
  store: ExpiringStore;
  hmacKey: Buffer;
  ticketId: string;
  code: string;
  now: number;
}): Promise<VerifyCodeResult> {
  const code = input.code.trim();
  if (!isWellFormedCode(code)) return { ok: false, reason: 'malformed' };
  const attempt = await input.store.attemptCode(
    codeKey(input.ticketId),
    hashCode(input.hmacKey, input.ticketId, code),
    input.now,
  );
  switch (attempt.outcome) {
    case 'match':
      return { ok: true };
    case 'mismatch':
      return attempt.attemptsLeft > 0
        ? { ok: false, reason: 'mismatch', attemptsLeft: attempt.attemptsLeft }
        : { ok: false, reason: 'burnt' };
    case 'expired':
      return { ok: false, reason: 'expired' };
    case 'missing':
      return { ok: false, reason: 'no-code' };
  }
}
