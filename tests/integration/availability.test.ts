import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from '@/lib/generated/prisma/client';
import { completeSignIn, submitPassword } from '@/lib/auth/sign-in';
import { sendCode, viewTicket } from '@/lib/auth/sign-in-code';
import { challengeKeys } from '@/lib/challenges/challenge';
import { createUpstashStore } from '@/lib/store/upstash-store';
import { StoreUnavailableError } from '@/lib/store/expiring-store';
import { createPostmarkSender } from '@/lib/delivery/postmark-sender';
import { startFakePostmark, type FakePostmark } from '../support/fake-postmark';
import { capturingSender, createUser, PASSWORD, testDeps } from '../support/sign-in-fixtures';

const who = { ip: '198.51.100.4', userAgent: 'vitest' };

describe('AV-01 the store or the database down: fail closed', () => {
  it('AV-01 an unreachable Redis stops the sign-in with an error and creates nothing', async () => {
    const user = await createUser();
    const deadStore = createUpstashStore({
      url: 'http://127.0.0.1:1',
      token: 'x',
      keyPrefix: 'dead:',
      timeoutMs: 500,
    });
    const deps = { ...testDeps(), store: deadStore };
    await expect(
      submitPassword(deps, { username: user.username, password: PASSWORD, ...who }),
    ).rejects.toBeInstanceOf(StoreUnavailableError);
    await expect(completeSignIn(deps, { ticketId: 'A'.repeat(43), ...who })).rejects.toBeInstanceOf(
      StoreUnavailableError,
    );
  });

  it('AV-01 an unreachable PostgreSQL stops the sign-in with an error, never a session', async () => {
    const deadDb = new PrismaClient({
      adapter: new PrismaPg({
        connectionString: 'postgresql://postgres@127.0.0.1:1/none',
        connectionTimeoutMillis: 500,
      }),
    });
    const real = testDeps();
    const deps = {
      ...real,
      users: {
        ...real.users,
        findByUsernameKey: (key: string) => deadDb.user.findUnique({ where: { usernameKey: key } }),
      },
    };
    await expect(
      submitPassword(deps, { username: 'anyone', password: PASSWORD, ...who }),
    ).rejects.toThrow();
    await deadDb.$disconnect();
  });
});

describe('AV-02 the email provider failing or slow', () => {
  let postmark: FakePostmark;
  beforeAll(async () => {
    postmark = await startFakePostmark();
  });
  afterAll(async () => {
    await postmark.close();
  });

  const deps = () =>
    testDeps({
      senderFor: (channel) =>
        channel === 'email'
          ? createPostmarkSender({
              serverToken: postmark.token,
              from: 'login@example.test',
              messageStream: 'outbound',
              apiHost: postmark.host,
              timeoutMs: 700,
            })
          : capturingSender(),
      config: { resendCooldownSeconds: 30 },
    });

  for (const failure of [
    { status: 500, body: { ErrorCode: 500, Message: 'boom' } },
    { delayMs: 2000 },
  ] as const) {
    it(`AV-02 a send that fails (${'status' in failure ? 'HTTP 500' : 'timeout'}) says so, stores no code, charges no cooldown, and another channel works at once`, async () => {
      const d = deps();
      const user = await createUser();
      const started = await submitPassword(d, {
        username: user.username,
        password: PASSWORD,
        ...who,
      });
      if (!started.ok) throw new Error('password step failed');
      const { ticketId } = started;

      postmark.failNext(failure);
      const t0 = performance.now();
      const result = await sendCode(d, { ticketId, channel: 'email', ...who });
      expect(performance.now() - t0).toBeLessThan(1900);
      expect(result).toEqual({ ok: false, reason: 'delivery-failed', retryable: true });
      expect(await d.store.get(challengeKeys(ticketId).code)).toBeNull();
      expect(await d.store.get(challengeKeys(ticketId).cooldown)).toBeNull();
      expect((await viewTicket(d, ticketId))?.ticket.stage).toBe('started');

      const other = await sendCode(d, { ticketId, channel: 'sms', ...who });
      expect(other.ok).toBe(true);
    });
  }
});
