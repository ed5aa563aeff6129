import { describe, expect, it } from 'vitest';
import { db } from '@/lib/db';
import { submitPassword } from '@/lib/auth/sign-in';
import { sendCode } from '@/lib/auth/sign-in-code';
import { maskEmail, maskPhone } from '@/lib/delivery/mask-destination';
import { DeliveryError, type OutgoingMessage, type Sender } from '@/lib/delivery/sender';
import { sendNotice } from '@/lib/notices/send-notice';
import { createUser, PASSWORD, testDeps } from '../support/sign-in-fixtures';

// Providers' error messages can quote the recipient (Twilio: "The 'To' number +1… is not a valid
// phone number"; Postmark: "Illegal email address '…'"). What the audit log and the invitation
// keep of them carries the destination masked, and no other number or address in clear.

const who = { ip: '198.51.100.77', userAgent: 'vitest masking' };
const failingWith = (error: Error): Sender => ({
  async send() {
    throw error;
  },
});

describe('RC-06 provider errors are stored with destinations masked', () => {
  it('RC-06 code.send_failed keeps a Twilio error that quotes the number with the number masked', async () => {
    const user = await createUser({ phone: '+14155550123' });
    const twilio = failingWith(
      new DeliveryError(
        "Twilio did not accept the SMS: The 'To' number +14155550123 is not a valid phone number; also tried 14155550123 and +1 (415) 555-0188",
        { channel: 'sms', retryable: false },
      ),
    );
    const deps = testDeps({ senderFor: () => twilio });
    const started = await submitPassword(deps, {
      username: user.username,
      password: PASSWORD,
      ...who,
    });
    if (!started.ok) throw new Error('password step failed');
    expect(await sendCode(deps, { ticketId: started.ticketId, channel: 'sms', ...who })).toEqual({
      ok: false,
      reason: 'delivery-failed',
      retryable: false,
    });
    const failed = await db.auditEvent.findFirstOrThrow({
      where: { userId: user.id, type: 'code.send_failed' },
    });
    const error = (failed.detail as { error: string }).error;
    expect(error).toBe(
      `Twilio did not accept the SMS: The 'To' number ${maskPhone('+14155550123')} is not a valid phone number; also tried ${maskPhone('+14155550123')} and ${maskPhone('+14155550188')}`,
    );
    expect(JSON.stringify(failed.detail).replace(/\D/g, '')).not.toMatch(/4155550(123|188)/);
  });

  it('RC-06 a notice that Postmark refuses is audited, and returned, with the address masked', async () => {
    const user = await createUser();
    const message: OutgoingMessage = {
      channel: 'email',
      to: user.email,
      subject: 'Test notice',
      text: 'Hello',
    };
    const postmark = failingWith(
      new Error(
        `Error parsing 'To': Illegal email address '${user.email}'. Reply-To ops@corp.example`,
      ),
    );
    const outcome = await sendNotice(
      { senderFor: () => postmark },
      { message, kind: 'password-changed', userId: user.id, ...who },
    );
    const masked = `Error parsing 'To': Illegal email address '${maskEmail(user.email)}'. Reply-To ${maskEmail('ops@corp.example')}`;
    expect(outcome).toEqual({ sent: false, error: masked });
    const failed = await db.auditEvent.findFirstOrThrow({
      where: { userId: user.id, type: 'notice.failed' },
    });
    expect(failed.detail).toMatchObject({ notice: 'password-changed', error: masked });
    expect(JSON.stringify(failed.detail)).not.toContain(user.email);
  });
});
