import { describe, expect, it } from 'vitest';
import { db } from '@/lib/db';
import { submitPassword } from '@/lib/auth/sign-in';
import { sendCode, submitCode, viewTicket } from '@/lib/auth/sign-in-code';
import { capturingSender, createUser, PASSWORD } from '../support/sign-in-fixtures';
import { freshIp, limitedDeps, perHour } from '../support/limit-fixtures';

// The policy table applied to the sign-in flow: real database, the run's store and limiter
// (@upstash/ratelimit on the real Redis when the machine has one), test-sized numbers.

type Deps = ReturnType<typeof limitedDeps>;
const WRONG = 'not the password at all';
const login = (deps: Deps, username: string, password: string, ip: string) =>
  submitPassword(deps, { username, password, ip, userAgent: 'vitest' });

async function ticketFor(deps: Deps, username: string, ip = freshIp()) {
  const result = await login(deps, username, PASSWORD, ip);
  if (!result.ok) throw new Error(`password step failed: ${result.reason}`);
  return result.ticketId;
}
const send = (
  deps: Deps,
  ticketId: string | undefined,
  channel: 'email' | 'sms' | 'voice',
  ip = '198.51.100.20',
) => sendCode(deps, { ticketId, channel, ip, userAgent: 'vitest' });
const offered = async (deps: Deps, ticketId: string) =>
  (await viewTicket(deps, ticketId))?.choices.map((c) => c.channel);

describe('BF-05 limits per address and for the whole deployment', () => {
  it('BF-05 after N failed passwords from one address, that address is refused (even with a right password) and told when to retry; others are not', async () => {
    const deps = limitedDeps({ policies: { 'password-ip': perHour(3) } });
    const user = await createUser();
    const [stuffer, office] = [freshIp(), freshIp()];
    for (const name of ['ann', 'bob', 'cy'])
      expect(await login(deps, name, WRONG, stuffer)).toEqual({ ok: false, reason: 'invalid' });
    const refused = await login(deps, user.username, PASSWORD, stuffer);
    expect(refused).toMatchObject({ ok: false, reason: 'limited' });
    expect(
      !refused.ok && refused.reason === 'limited' && refused.retryAfterSeconds,
    ).toBeGreaterThan(0);
    expect(
      !refused.ok && refused.reason === 'limited' && refused.retryAfterSeconds,
    ).toBeLessThanOrEqual(3_600);
    expect(await login(deps, user.username, PASSWORD, office)).toMatchObject({ ok: true });
    // Successes are not counted: a busy office is not stopped by its own sign-ins.
    for (let i = 0; i < 4; i++)
      expect(await login(deps, user.username, PASSWORD, office)).toMatchObject({ ok: true });
    expect(await db.auditEvent.count({ where: { type: 'ratelimit.hit', ip: stuffer } })).toBe(1);
  });

  it('BF-05 failures spread over many addresses trip the global limit for everyone', async () => {
    const deps = limitedDeps({ policies: { 'password-global': perHour(4) } });
    const user = await createUser();
    for (let i = 0; i < 4; i++) await login(deps, `stuffed-${i}`, WRONG, freshIp());
    expect(await login(deps, user.username, PASSWORD, freshIp())).toMatchObject({
      ok: false,
      reason: 'limited',
    });
  });
});

describe('FR-01 destination countries for SMS and voice', () => {
  it('FR-01 a phone outside the allowlist is not offered SMS or voice, email still is, and a forced send never reaches the sender', async () => {
    const sender = capturingSender();
    const deps = limitedDeps({ sender, config: { smsAllowedCallingCodes: ['1'] } });
    const user = await createUser({ phone: '+447700900123' });
    const ticketId = await ticketFor(deps, user.username);
    expect(await offered(deps, ticketId)).toEqual(['email']);
    for (const channel of ['sms', 'voice'] as const)
      expect(await send(deps, ticketId, channel)).toEqual({
        ok: false,
        reason: 'channel-unavailable',
      });
    expect(sender.sent).toHaveLength(0);
    expect(await send(deps, ticketId, 'email')).toMatchObject({ ok: true });

    const widened = limitedDeps({ sender, config: { smsAllowedCallingCodes: ['1', '44'] } });
    expect(await offered(widened, ticketId)).toEqual(['email', 'sms', 'voice']);
    expect(await send(widened, ticketId, 'sms')).toMatchObject({ ok: true });
    expect(sender.last()).toMatchObject({ channel: 'sms', to: '+447700900123' });
  });
});

describe('FR-03 SMS and voice only after a correct password, within caps and budget', () => {
  it('FR-03 no code goes anywhere before a correct password: a wrong one yields no ticket, forged tickets are refused', async () => {
    const sender = capturingSender();
    const deps = limitedDeps({ sender });
    const user = await createUser();
    expect(await login(deps, user.username, WRONG, freshIp())).toEqual({
      ok: false,
      reason: 'invalid',
    });
    for (const ticketId of [undefined, '', 'A'.repeat(43), 'not-a-ticket']) {
      for (const channel of ['sms', 'voice', 'email'] as const)
        expect(await send(deps, ticketId, channel)).toEqual({ ok: false, reason: 'no-ticket' });
    }
    expect(sender.sent).toHaveLength(0);
  });

  it('FR-03 the kill switch takes SMS and voice away and leaves email', async () => {
    const sender = capturingSender();
    const deps = limitedDeps({ sender, config: { smsKillSwitch: true } });
    const ticketId = await ticketFor(deps, (await createUser()).username);
    expect(await offered(deps, ticketId)).toEqual(['email']);
    expect(await send(deps, ticketId, 'sms')).toEqual({ ok: false, reason: 'channel-unavailable' });
    expect(await send(deps, ticketId, 'email')).toMatchObject({ ok: true });
    expect(sender.sent.map((m) => m.channel)).toEqual(['email']);
  });

  it('FR-03 when the daily SMS budget is spent, SMS and voice are no longer offered to anyone and email is', async () => {
    const sender = capturingSender();
    const deps = limitedDeps({ sender, policies: { 'sms-daily-budget': perHour(2) } });
    for (let i = 0; i < 2; i++) {
      const ticketId = await ticketFor(deps, (await createUser()).username);
      expect(await send(deps, ticketId, i ? 'voice' : 'sms')).toMatchObject({ ok: true });
    }
    const ticketId = await ticketFor(deps, (await createUser()).username);
    expect(await offered(deps, ticketId)).toEqual(['email']);
    expect(await send(deps, ticketId, 'sms')).toEqual({ ok: false, reason: 'channel-unavailable' });
    expect(await send(deps, ticketId, 'email')).toMatchObject({ ok: true });
    expect(sender.sent.map((m) => m.channel)).toEqual(['sms', 'voice', 'email']);
  });

  it('FR-03 caps SMS per number prefix and per address across accounts', async () => {
    const sender = capturingSender();
    const deps = limitedDeps({
      sender,
      policies: { 'code-send-prefix': perHour(2), 'code-send-ip': perHour(3) },
    });
    const inRange = async (last: string) =>
      ticketFor(deps, (await createUser({ phone: `+1212555${last}` })).username);
    expect(await send(deps, await inRange('0101'), 'sms', freshIp())).toMatchObject({ ok: true });
    expect(await send(deps, await inRange('0102'), 'sms', freshIp())).toMatchObject({ ok: true });
    expect(await send(deps, await inRange('0103'), 'sms', freshIp())).toMatchObject({
      ok: false,
      reason: 'limited',
    });

    const ip = freshIp();
    for (const phone of ['+13125550155', '+16175550166', '+12065550177']) {
      const ticketId = await ticketFor(deps, (await createUser({ phone })).username);
      expect(await send(deps, ticketId, 'sms', ip)).toMatchObject({ ok: true });
    }
    const fourth = await ticketFor(deps, (await createUser({ phone: '+17135550188' })).username);
    expect(await send(deps, fourth, 'sms', ip)).toMatchObject({ ok: false, reason: 'limited' });
    // Email is not what SMS pumping buys: the same address still gets email codes.
    expect(await send(deps, fourth, 'email', ip)).toMatchObject({ ok: true });
  });
});

describe('OTP-06 resend caps beyond the cooldown', () => {
  it('OTP-06 an account gets N codes per window; the next is refused with when to retry, the last code still works, and a sign-in resets the cap', async () => {
    const sender = capturingSender();
    const deps = limitedDeps({ sender, policies: { 'code-send-account': perHour(3) } });
    const user = await createUser();
    const ticketId = await ticketFor(deps, user.username);
    for (let i = 0; i < 3; i++)
      expect(await send(deps, ticketId, i === 1 ? 'sms' : 'email')).toMatchObject({ ok: true });
    const refused = await send(deps, ticketId, 'email');
    expect(refused).toMatchObject({
      ok: false,
      reason: 'limited',
      retryAfterSeconds: expect.any(Number),
    });
    expect(sender.sent).toHaveLength(3);
    // A new sign-in does not get around the cap: it is the account's.
    expect(await send(deps, await ticketFor(deps, user.username), 'email')).toMatchObject({
      ok: false,
      reason: 'limited',
    });
    expect(
      await submitCode(deps, {
        ticketId,
        code: sender.last().code!,
        ip: null,
        userAgent: 'vitest',
      }),
    ).toMatchObject({ ok: true });
    expect(await send(deps, await ticketFor(deps, user.username), 'email')).toMatchObject({
      ok: true,
    });
  });

  it('OTP-06 BF-04 a destination cap shared with another account refuses exactly as the account cap does', async () => {
    const deps = limitedDeps({
      policies: { 'code-send-phone': perHour(2), 'code-send-account': perHour(2) },
    });
    const [first, second] = [
      await createUser({ phone: '+13125550142' }),
      await createUser({ phone: '+13125550142' }),
    ];
    const one = await ticketFor(deps, first.username);
    await send(deps, one, 'sms');
    await send(deps, one, 'sms');
    const byAccount = await send(deps, one, 'email'); // this account's cap
    const byPhone = await send(deps, await ticketFor(deps, second.username), 'sms'); // the number's cap, spent by the other account
    expect(byAccount).toMatchObject({ ok: false, reason: 'limited' });
    expect(Object.keys(byPhone).sort()).toEqual(Object.keys(byAccount).sort());
    // Both windows are hours on the same clock: the same wait, give or take the second between the calls.
    const wait = (r: typeof byAccount) =>
      !r.ok && r.reason === 'limited' ? r.retryAfterSeconds : NaN;
    expect(Math.abs(wait(byPhone) - wait(byAccount))).toBeLessThanOrEqual(1);
  });
});

describe('code tries per sign-in', () => {
  it('OTP-05 a sign-in gets 10 code tries across its codes; then even the right code waits', async () => {
    const sender = capturingSender();
    const deps = limitedDeps({ sender });
    const ticketId = await ticketFor(deps, (await createUser()).username);
    const tryCode = (code: string) =>
      submitCode(deps, { ticketId, code, ip: null, userAgent: 'vitest' });
    const newCode = async () => {
      expect(await send(deps, ticketId, 'email')).toMatchObject({ ok: true });
      return sender.last().code!;
    };
    const wrong = (right: string) => (right === '000000' ? '111111' : '000000');
    for (let round = 0; round < 2; round++) {
      const code = await newCode();
      const answers = [];
      for (let i = 0; i < 5; i++) answers.push(await tryCode(wrong(code)));
      expect(answers.at(-1)).toEqual({ ok: false, reason: 'burnt' });
    }
    expect(await tryCode(await newCode())).toMatchObject({ ok: false, reason: 'limited' });
    // A malformed entry is no guess and is not counted or refused as one.
    expect(await tryCode('12')).toEqual({ ok: false, reason: 'malformed' });
  });
});
