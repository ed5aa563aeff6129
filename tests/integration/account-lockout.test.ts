import { randomUUID } from 'node:crypto';
import { describe, expect, inject, it } from 'vitest';
import { db } from '@/lib/db';
import { submitPassword } from '@/lib/auth/sign-in';
import { lockStatus } from '@/lib/rate-limit/account-lockout';
import { lockoutPolicy } from '@/lib/rate-limit/policies';
import { getAccountLock, unlockAccount } from '@/lib/admin/unlock-account';
import { recordEvent } from '@/lib/audit/record-event';
import type { ExpiringStore } from '@/lib/store/expiring-store';
import { createMemoryStore } from '@/lib/store/memory-store';
import { createUpstashStore } from '@/lib/store/upstash-store';
import { canonicalUsername } from '@/lib/users/username';
import { createUser, manualClock, PASSWORD } from '../support/sign-in-fixtures';
import { freshIp, limitedDeps, perHour } from '../support/limit-fixtures';

// Account lockout through the real password step: real database, the run's store, argon2.

const upstash = inject('upstash');
const prefix = inject('storeKeyPrefix');
const WRONG = 'not the password at all';
const INVALID = { ok: false, reason: 'invalid' };
// Address limits out of the way: these tests are about the per-account counter.
const roomy = { 'password-ip': perHour(10_000), 'password-global': perHour(100_000) };

type Deps = ReturnType<typeof limitedDeps>;
const attempt = (deps: Deps, username: string, password: string, ip = freshIp()) =>
  submitPassword(deps, { username, password, ip, userAgent: 'vitest' });

async function failTimes(deps: Deps, username: string, times: number) {
  for (let i = 0; i < times; i++) expect(await attempt(deps, username, WRONG)).toEqual(INVALID);
}

/** Whole minutes left on a lock (the store's clock runs while the test does). */
const lockMinutes = async (store: ExpiringStore, username: string) => {
  const { lockedForMs } = await lockStatus(store, canonicalUsername(username));
  return lockedForMs === null ? null : Math.ceil(lockedForMs / 60_000);
};
/** The in-process store, and Upstash (the real Redis through the bridge) when the run has one. */
const stores = () =>
  [
    ['in-process store', () => createMemoryStore()],
    ...(upstash
      ? [
          [
            'Upstash (Redis through the bridge)',
            () =>
              createUpstashStore({
                url: upstash.url,
                token: upstash.token,
                keyPrefix: `${prefix}lockout:${randomUUID()}:`,
              }),
          ] as const,
        ]
      : []),
  ] as const;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

describe('BF-01 account lockout', () => {
  it('BF-01 after 5 failures even the right password gets the generic answer, in the same time', async () => {
    const deps = limitedDeps({ policies: roomy });
    const user = await createUser();
    await failTimes(deps, user.username, 5);
    expect(await db.auditEvent.count({ where: { userId: user.id, type: 'signin.locked' } })).toBe(
      1,
    );

    const timings = { locked: [] as number[], wrong: [] as number[], unknown: [] as number[] };
    const other = await createUser();
    for (let round = 0; round < 5; round++) {
      for (const [name, username, password] of [
        ['locked', user.username, PASSWORD],
        ['wrong', other.username, WRONG],
        ['unknown', `nobody-${randomUUID()}`, WRONG],
      ] as const) {
        const started = performance.now();
        expect(await attempt(deps, username, password)).toEqual(INVALID);
        timings[name].push(performance.now() - started);
      }
    }
    // Every path pays one argon2id verify: the locked one against the dummy hash.
    expect(median(timings.locked)).toBeGreaterThan(median(timings.wrong) * 0.5);
    expect(median(timings.unknown)).toBeGreaterThan(median(timings.wrong) * 0.5);
    const reasons = await db.auditEvent.findMany({
      where: { userId: user.id, type: 'signin.password_failed' },
      select: { detail: true },
    });
    expect(
      reasons.filter((r) => (r.detail as { reason: string }).reason === 'locked'),
    ).toHaveLength(5);
  });

  it('BF-01 the lock ends by itself after a minute; then the right password works and the counter starts again', async () => {
    const clock = manualClock();
    const store = createMemoryStore({ now: clock.now });
    const deps = limitedDeps({ policies: roomy, store, now: clock.now });
    const user = await createUser();
    const key = canonicalUsername(user.username);
    await failTimes(deps, user.username, 5);
    expect(await lockStatus(store, key)).toEqual({ failures: 5, lockedForMs: 60_000 });
    clock.advance(59_000);
    expect(await attempt(deps, user.username, PASSWORD)).toEqual(INVALID); // counts: 6
    clock.advance(1_000);
    expect(await attempt(deps, user.username, PASSWORD)).toMatchObject({
      ok: true,
      next: 'method',
    });
    expect(await lockStatus(store, key)).toEqual({ failures: 0, lockedForMs: null });
  });

  it('BF-01 the delay grows: the 10th failure locks for 2 minutes, the 15th for 4', async () => {
    const store = createMemoryStore();
    const deps = limitedDeps({ policies: roomy, store });
    const user = await createUser();
    await failTimes(deps, user.username, 10);
    expect(await lockMinutes(store, user.username)).toBe(2);
    await failTimes(deps, user.username, 5);
    expect(await lockMinutes(store, user.username)).toBe(4);
    expect(await db.auditEvent.count({ where: { userId: user.id, type: 'signin.locked' } })).toBe(
      3,
    );
  });
});

describe('BF-02 the failure counter is exact under concurrency', () => {
  for (const [name, makeStore] of stores()) {
    it(`BF-02 100 parallel wrong logins count exactly 100 (${name})`, async () => {
      const store = makeStore();
      const deps = limitedDeps({ policies: roomy, store });
      const user = await createUser();
      const results = await Promise.all(
        Array.from({ length: 100 }, () => attempt(deps, user.username, WRONG)),
      );
      expect(results.every((r) => !r.ok && r.reason === 'invalid')).toBe(true);
      expect(await lockStatus(store, canonicalUsername(user.username))).toMatchObject({
        failures: 100,
      });
      expect(
        await db.auditEvent.count({ where: { userId: user.id, type: 'signin.password_failed' } }),
      ).toBe(100);
    });
  }
});

describe('BF-01 a lock takes effect inside a burst', () => {
  for (const [name, makeStore] of stores()) {
    it(`BF-01 BF-02 of 20 parallel wrong passwords only ${lockoutPolicy.threshold} reach the real hash, and the right password sent during the burst is refused (${name})`, async () => {
      const base = limitedDeps({ policies: roomy, store: makeStore() });
      const user = await createUser();
      // Counts the checks against the user's real hash (a check without one is the dummy's), and
      // sends the right password once the threshold's worth of them has started: in the burst,
      // while those are still being hashed and none of their failures is recorded.
      let realChecks = 0;
      let thresholdReached!: () => void;
      const reached = new Promise<void>((resolve) => (thresholdReached = resolve));
      const deps = {
        ...base,
        passwords: {
          ...base.passwords,
          check: (password: string, hash: string | null | undefined) => {
            if (hash === user.passwordHash && ++realChecks === lockoutPolicy.threshold)
              thresholdReached();
            return base.passwords.check(password, hash);
          },
        },
      };
      const wrong = Promise.all(
        Array.from({ length: 20 }, () => attempt(deps, user.username, WRONG)),
      );
      const right = Promise.race([reached, wrong]).then(() =>
        attempt(deps, user.username, PASSWORD),
      );
      expect(await wrong).toEqual(Array.from({ length: 20 }, () => INVALID));
      expect(await right).toEqual(INVALID);
      expect(realChecks).toBe(lockoutPolicy.threshold);
      const reasons = (
        await db.auditEvent.findMany({
          where: { userId: user.id, type: 'signin.password_failed' },
          select: { detail: true },
        })
      ).map((r) => (r.detail as { reason: string }).reason);
      expect(reasons.filter((r) => r === 'wrong-password')).toHaveLength(lockoutPolicy.threshold);
      expect(reasons.filter((r) => r === 'locked')).toHaveLength(21 - lockoutPolicy.threshold);
      expect(await lockStatus(base.store, canonicalUsername(user.username))).toMatchObject({
        failures: 21,
        lockedForMs: expect.any(Number),
      });
    });
  }

  it('BF-05 tries refused by the address limit do not count against the name; a right password forgets the count', async () => {
    const store = createMemoryStore();
    const deps = limitedDeps({ policies: { 'password-ip': perHour(2) }, store });
    const user = await createUser();
    const key = canonicalUsername(user.username);
    const ip = freshIp();
    await attempt(deps, user.username, WRONG, ip);
    await attempt(deps, user.username, WRONG, ip);
    for (let i = 0; i < 6; i++)
      expect(await attempt(deps, user.username, WRONG, ip)).toMatchObject({ reason: 'limited' });
    expect(await lockStatus(store, key)).toEqual({ failures: 2, lockedForMs: null });
    expect(await attempt(deps, user.username, PASSWORD)).toMatchObject({ ok: true });
    expect(await lockStatus(store, key)).toEqual({ failures: 0, lockedForMs: null });
  });
});

describe('BF-03 one counter per canonical account', () => {
  it('BF-03 failures typed in different letter cases, widths and spacing lock the one account', async () => {
    const store = createMemoryStore();
    const deps = limitedDeps({ policies: roomy, store });
    const user = await createUser();
    const name = user.username; // user-xxxxxxxx
    const fullwidth = [...name]
      .map((c) => (/[a-z0-9]/.test(c) ? String.fromCodePoint(c.codePointAt(0)! + 0xfee0) : c))
      .join('');
    for (const spelling of [
      name,
      name.toUpperCase(),
      ` ${name} `,
      fullwidth,
      name[0]!.toUpperCase() + name.slice(1),
    ]) {
      expect(await attempt(deps, spelling, WRONG)).toEqual(INVALID);
    }
    expect((await lockStatus(store, canonicalUsername(name))).failures).toBe(5);
    expect(await lockMinutes(store, name)).toBe(1);
    expect(await attempt(deps, name.toLowerCase(), PASSWORD)).toEqual(INVALID);
  });
});

describe('BF-04 no enumeration at the password step', () => {
  it('BF-04 an unknown name and a known one get the same answers, before, during and after a lock', async () => {
    const deps = limitedDeps({ policies: roomy });
    const user = await createUser();
    const unknown = `nobody-${randomUUID().slice(0, 8)}`;
    const answers = async (username: string, password: string) => {
      const out = [];
      for (let i = 0; i < 7; i++)
        out.push(await attempt(deps, username, i === 6 ? password : WRONG));
      return out;
    };
    // The known account's 7th try is its right password, while locked.
    expect(await answers(user.username, PASSWORD)).toEqual(await answers(unknown, PASSWORD));
  });

  it('BF-04 when an address is limited, known and unknown names get the same refusal', async () => {
    const deps = limitedDeps({ policies: { 'password-ip': perHour(2) } });
    const user = await createUser();
    const ip = freshIp();
    await attempt(deps, 'someone-else', WRONG, ip);
    await attempt(deps, 'someone-else', WRONG, ip);
    const known = await attempt(deps, user.username, PASSWORD, ip);
    const unknown = await attempt(deps, 'nobody-at-all', PASSWORD, ip);
    expect(known).toMatchObject({ ok: false, reason: 'limited' });
    expect(unknown).toEqual(known);
  });
});

describe('an admin unlocks', () => {
  it('BF-01 an admin unlock ends the lock at once, is audited, and the user signs in', async () => {
    const deps = limitedDeps({ policies: roomy });
    const user = await createUser();
    const admin = await createUser();
    await failTimes(deps, user.username, 5);
    const unlockDeps = { store: deps.store, limits: deps.limits, audit: recordEvent };
    expect(await getAccountLock(user.id, unlockDeps)).toMatchObject({
      failures: 5,
      lockedForMs: expect.any(Number),
      codesLocked: false,
    });
    expect(
      await unlockAccount(
        { userId: user.id, actor: { id: admin.id, ip: '192.0.2.1' } },
        unlockDeps,
      ),
    ).toBe(true);
    expect(await getAccountLock(user.id, unlockDeps)).toMatchObject({
      failures: 0,
      lockedForMs: null,
    });
    const [event] = await db.auditEvent.findMany({
      where: { userId: user.id, type: 'signin.unlocked' },
    });
    expect(event?.detail).toEqual({
      actorId: admin.id,
      wasLocked: true,
      failures: 5,
      codeFailures: 0,
    });
    expect(await attempt(deps, user.username, PASSWORD)).toMatchObject({ ok: true });
    expect(
      await unlockAccount({ userId: 'no-such-user', actor: { id: admin.id } }, unlockDeps),
    ).toBe(false);
  });
});
