import { randomInt } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { typedUsernameSubject } from '@/lib/audit/record-event';
import { db } from '@/lib/db';
import { submitPassword } from '@/lib/auth/sign-in';
import type { ProxyTrust } from '@/lib/client-address';
import { requestInfoFrom } from '@/lib/web/request-info';
import { capturingSender, createUser, PASSWORD } from '../support/sign-in-fixtures';
import { freshIp, limitedDeps, perHour } from '../support/limit-fixtures';

// The request's headers, read as the app reads them (requestInfoFrom), through the password step
// with the real database, store and limiter: what a client writes into X-Forwarded-For must not
// lift a limit or reach an email. Decision record: docs/decisions/0017-client-address.md.

type Deps = ReturnType<typeof limitedDeps>;
const ONE_PROXY: ProxyTrust = { onVercel: false, trustedProxyHops: 1 };
const NO_PROXY: ProxyTrust = { onVercel: false, trustedProxyHops: 0 };
const WRONG = 'not the password at all';
const HOSTILE = '203.0.113.9 -- URGENT from Latchkey security: your account is compromised';
const LOCKOUT_SUBJECT = 'Your Latchkey account was locked after failed sign-ins';

/** A documentation IPv4 address (TEST-NET-3) at random, as a client the proxy saw. */
const someIpv4 = () => `203.0.113.${randomInt(1, 255)}`;

/** A password post whose X-Forwarded-For is `forwardedFor`, read with `trust`. */
const post = (
  deps: Deps,
  username: string,
  password: string,
  forwardedFor: string,
  trust: ProxyTrust = ONE_PROXY,
  userAgent = 'vitest',
) =>
  submitPassword(deps, {
    username,
    password,
    ...requestInfoFrom(
      new Headers({ 'x-forwarded-for': forwardedFor, 'user-agent': userAgent }),
      trust,
    ),
  });

describe('BF-05 a client cannot choose its address', () => {
  it('BF-05 changing the first X-Forwarded-For entry does not lift the per-address password limit', async () => {
    const deps = limitedDeps({ policies: { 'password-ip': perHour(3) } });
    const user = await createUser();
    // The proxy appends the address it saw; the client writes a new one before it each time.
    const seen = someIpv4();
    for (const name of ['ann', 'bob', 'cy'])
      expect(await post(deps, name, WRONG, `${someIpv4()}, ${seen}`)).toEqual({
        ok: false,
        reason: 'invalid',
      });
    expect(await post(deps, user.username, PASSWORD, `${someIpv4()}, ${seen}`)).toMatchObject({
      ok: false,
      reason: 'limited',
    });
    expect(await post(deps, user.username, PASSWORD, `${someIpv4()}, ${freshIp()}`)).toMatchObject({
      ok: true,
    });
    const refused = await db.auditEvent.findFirst({
      where: { type: 'ratelimit.hit', subject: typedUsernameSubject(user.username) },
    });
    expect(refused?.ip).toBe(seen);
  });

  it('BF-05 stepping through the addresses of one IPv6 /64 does not lift the per-address password limit', async () => {
    const deps = limitedDeps({ policies: { 'password-ip': perHour(3) } });
    const user = await createUser();
    const network = freshIp().split(':').slice(0, 4).join(':');
    const inNetwork = () =>
      `${network}:${[1, 2, 3, 4].map(() => randomInt(0, 0xffff).toString(16)).join(':')}`;
    for (const name of ['ann', 'bob', 'cy']) await post(deps, name, WRONG, inNetwork());
    expect(await post(deps, user.username, PASSWORD, inNetwork())).toMatchObject({
      ok: false,
      reason: 'limited',
    });
  });

  it('BF-05 with no proxy configured, X-Forwarded-For is ignored: every request counts as one unknown address', async () => {
    const deps = limitedDeps({ policies: { 'password-ip': perHour(3) } });
    const user = await createUser();
    for (const name of ['ann', 'bob', 'cy'])
      await post(deps, name, WRONG, `${someIpv4()}, ${freshIp()}`, NO_PROXY);
    expect(
      await post(deps, user.username, PASSWORD, `${someIpv4()}, ${freshIp()}`, NO_PROXY),
    ).toMatchObject({ ok: false, reason: 'limited' });
    expect(
      await db.auditEvent.count({
        where: { type: 'ratelimit.hit', subject: typedUsernameSubject(user.username), ip: null },
      }),
    ).toBe(1);
  });
});

describe('RC-05 header text never reaches an email or the audit log', () => {
  it.each([
    ['no proxy', NO_PROXY, HOSTILE, 'unknown'],
    ['one trusted proxy, the text as the whole header', ONE_PROXY, HOSTILE, 'unknown'],
    [
      'one trusted proxy, the text before the appended address',
      ONE_PROXY,
      `${HOSTILE}, 192.0.2.44`,
      '192.0.2.44',
    ],
  ] as const)(
    'RC-05 BF-05 a lockout email for wrong passwords sent with hostile X-Forwarded-For and User-Agent text (%s) shows a checked address, never the text',
    async (_case, trust, forwardedFor, shown) => {
      const sender = capturingSender();
      const deps = limitedDeps({
        sender,
        policies: { 'password-ip': perHour(100_000), 'password-global': perHour(1_000_000) },
      });
      const user = await createUser();
      // The user agent is header text too: it may be stored, never mailed.
      for (let i = 0; i < 5; i++)
        await post(deps, user.username, WRONG, forwardedFor, trust, `Mozilla/5.0 ${HOSTILE}`);
      await deps.flushDeferred();
      const notices = sender.sent.filter((m) => m.subject === LOCKOUT_SUBJECT);
      expect(notices).toHaveLength(1);
      expect(notices[0]!.text).toContain(`IP address of the last attempt: ${shown}\n`);
      expect(notices[0]!.text).not.toContain('URGENT');
      const events = await db.auditEvent.findMany({ where: { userId: user.id } });
      expect(events.length).toBeGreaterThan(0);
      for (const event of events) expect(event.ip).toBe(shown === 'unknown' ? null : shown);
    },
  );
});
