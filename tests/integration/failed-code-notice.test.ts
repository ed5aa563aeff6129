import { describe, expect, it } from 'vitest';
import { db } from '@/lib/db';
import { sendCode, submitCode, submitPassword } from '@/lib/auth/sign-in';
import type { OutgoingMessage, Sender } from '@/lib/otp/delivery/sender';
import { capturingSender, createUser, PASSWORD } from '../support/sign-in-fixtures';
import { freshIp, limitedDeps } from '../support/limit-fixtures';

// OTP-13: a correct password followed by wrong codes means someone else may know the password;
// the owner hears of it by email, once per sign-in.

const SUBJECT = 'Wrong security codes were entered for your Latchkey sign-in';
const who = { ip: '203.0.113.99', userAgent: 'vitest' };
const notices = (sender: { sent: OutgoingMessage[] }) =>
  sender.sent.filter((m) => m.subject === SUBJECT);

async function signInWithCodeBy(
  deps: ReturnType<typeof limitedDeps>,
  username: string,
  channel: 'email' | 'sms',
) {
  const password = await submitPassword(deps, {
    username,
    password: PASSWORD,
    ip: freshIp(),
    userAgent: 'vitest',
  });
  if (!password.ok) throw new Error('password step failed');
  expect(await sendCode(deps, { ticketId: password.ticketId, channel, ...who })).toMatchObject({
    ok: true,
  });
  return password.ticketId;
}

describe('OTP-13 the owner is told of wrong codes after a correct password', () => {
  it('OTP-13 the third wrong code emails the account owner once per sign-in, with no code in it', async () => {
    const sender = capturingSender();
    const deps = limitedDeps({ sender });
    const user = await createUser();
    const ticketId = await signInWithCodeBy(deps, user.username, 'sms');
    const code = sender.last().code!;
    const wrong = code === '000000' ? '111111' : '000000';
    for (let i = 0; i < 2; i++) await submitCode(deps, { ticketId, code: wrong, ...who });
    expect(notices(sender)).toHaveLength(0);
    await submitCode(deps, { ticketId, code: wrong, ...who });
    expect(notices(sender)).toHaveLength(1);
    const [notice] = notices(sender);
    expect(notice).toMatchObject({ channel: 'email', to: user.email });
    expect(notice!.text).toContain(
      'entered your password correctly and then 3 wrong security codes',
    );
    expect(notice!.text).toContain('203.0.113.99');
    expect(notice!.code).toBeUndefined();
    expect(notice!.text).not.toContain(code);

    // The code burns at the 5th wrong try; a resend and more wrong codes: still one notice.
    for (let i = 0; i < 2; i++) await submitCode(deps, { ticketId, code: wrong, ...who });
    await sendCode(deps, { ticketId, channel: 'email', ...who });
    await submitCode(deps, {
      ticketId,
      code: sender.last().code === '000000' ? '111111' : '000000',
      ...who,
    });
    expect(notices(sender)).toHaveLength(1);
    expect(
      await db.auditEvent.count({ where: { userId: user.id, type: 'code.failures_notified' } }),
    ).toBe(1);

    // Another sign-in with wrong codes is news again.
    const next = await signInWithCodeBy(deps, user.username, 'email');
    const nextWrong = sender.last().code === '000000' ? '111111' : '000000';
    for (let i = 0; i < 3; i++) await submitCode(deps, { ticketId: next, code: nextWrong, ...who });
    expect(notices(sender)).toHaveLength(2);
  });

  it('OTP-13 one or two wrong codes before the right one tell nobody', async () => {
    const sender = capturingSender();
    const deps = limitedDeps({ sender });
    const ticketId = await signInWithCodeBy(deps, (await createUser()).username, 'email');
    const code = sender.last().code!;
    for (let i = 0; i < 2; i++)
      await submitCode(deps, { ticketId, code: code === '000000' ? '111111' : '000000', ...who });
    expect(await submitCode(deps, { ticketId, code, ...who })).toMatchObject({ ok: true });
    expect(notices(sender)).toHaveLength(0);
  });

  it('OTP-13 a notice that cannot be sent is audited and the person typing codes sees only the usual answer', async () => {
    const codes = capturingSender();
    const broken: Sender = {
      async send(message) {
        if (message.subject === SUBJECT) throw new Error('Postmark is down');
        await codes.send(message);
      },
    };
    const deps = limitedDeps({ sender: broken });
    const user = await createUser();
    const ticketId = await signInWithCodeBy(deps, user.username, 'email');
    const wrong = codes.last().code === '000000' ? '111111' : '000000';
    const answers = [];
    for (let i = 0; i < 3; i++)
      answers.push(await submitCode(deps, { ticketId, code: wrong, ...who }));
    expect(answers.at(-1)).toEqual({ ok: false, reason: 'mismatch', attemptsLeft: 2 });
    const [event] = await db.auditEvent.findMany({
      where: { userId: user.id, type: 'code.failures_notice_failed' },
    });
    expect(event?.detail).toEqual({ error: 'Postmark is down' });
  });
});
