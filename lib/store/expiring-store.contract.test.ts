import { randomUUID } from 'node:crypto';
import { type AddressInfo, createServer, type Socket } from 'node:net';
import { describe, expect, inject, it, vi } from 'vitest';
import {
  type CodeCheck,
  type ExpiringStore,
  type StoredCode,
  StoreUnavailableError,
} from './expiring-store';
import { createMemoryStore } from './memory-store';
import { createUpstashStore } from './upstash-store';

// One contract, two adapters: whatever the memory store promises in development, Upstash must
// keep in production, and the other way round.

type StoreUnderTest = {
  store: ExpiringStore;
  /** A TTL that `afterShortTtl` lets run out. */
  shortTtlMs: number;
  /** Lets `shortTtlMs` pass, then `check` must hold: at once on an injected clock, polled on a real one. */
  afterShortTtl(check: () => Promise<void>): Promise<void>;
  /** Time passes by `ms` (exactly on an injected clock; on a real one, a lower bound). */
  elapse(ms: number): Promise<void>;
};

const upstash = inject('upstash');
const prefix = inject('storeKeyPrefix');

function contract(name: string, makeStore: () => StoreUnderTest) {
  describe(`ExpiringStore contract: ${name}`, () => {
    const code = (over: Partial<StoredCode> = {}): StoredCode => ({
      hash: 'hmac-of-the-right-code',
      expiresAt: Date.now() + 45_000,
      attemptsLeft: 5,
      ...over,
    });

    it('stores, reads and replaces JSON values, and gives each reader its own copy', async () => {
      const { store } = makeStore();
      expect(await store.get('ticket')).toBeNull();
      // Looks numeric on purpose: the Upstash client would turn an unparsed "012345" into 12345.
      await store.put('ticket', { userId: 'u1', stage: 'code', code: '012345' }, 60_000);
      const first = await store.get<{ userId: string; stage: string }>('ticket');
      expect(first).toEqual({ userId: 'u1', stage: 'code', code: '012345' });
      first!.stage = 'tampered';
      expect(await store.get('ticket')).toMatchObject({ stage: 'code' });
      await store.put('ticket', 'replaced', 60_000);
      expect(await store.get('ticket')).toBe('replaced');
      await store.put('plain', '012345', 60_000);
      expect(await store.get('plain')).toBe('012345');
      await store.delete('ticket');
      expect(await store.get('ticket')).toBeNull();
    });

    it('OTP-02 forgets a value when its TTL runs out', async () => {
      const { store, shortTtlMs, afterShortTtl } = makeStore();
      await store.put('short', { v: 1 }, shortTtlMs);
      expect(await store.get('short')).toEqual({ v: 1 });
      await afterShortTtl(async () => {
        expect(await store.get('short')).toBeNull();
        expect(await store.ttlMs('short')).toBeNull();
        expect(await store.take('short')).toBeNull();
      });
    });

    it('reports the time left with ttlMs, and null for a missing key', async () => {
      const { store } = makeStore();
      expect(await store.ttlMs('nothing')).toBeNull();
      await store.put('k', 1, 60_000);
      const left = await store.ttlMs('k');
      expect(left).toBeGreaterThan(55_000);
      expect(left).toBeLessThanOrEqual(60_000);
    });

    it('putIfAbsent stores only the first value until it expires', async () => {
      const { store, shortTtlMs, afterShortTtl } = makeStore();
      expect(await store.putIfAbsent('cooldown', 'first', shortTtlMs)).toBe(true);
      expect(await store.putIfAbsent('cooldown', 'second', shortTtlMs)).toBe(false);
      expect(await store.get('cooldown')).toBe('first');
      await afterShortTtl(async () =>
        expect(await store.putIfAbsent('cooldown', 'third', 60_000)).toBe(true),
      );
      expect(await store.get('cooldown')).toBe('third');
    });

    it('OTP-03 take hands a value to exactly one of 20 concurrent takers', async () => {
      const { store } = makeStore();
      await store.put('once', { ticket: 't1' }, 60_000);
      const taken = await Promise.all(Array.from({ length: 20 }, () => store.take('once')));
      expect(taken.filter((v) => v !== null)).toEqual([{ ticket: 't1' }]);
      expect(await store.get('once')).toBeNull();
    });

    it('BF-02 counts 100 concurrent increments exactly and sets the TTL only when the counter is created', async () => {
      const { store, elapse } = makeStore();
      const counts = await Promise.all(
        Array.from({ length: 100 }, () => store.increment('failures', 60_000)),
      );
      expect([...counts].sort((a, b) => a - b)).toEqual(
        Array.from({ length: 100 }, (_, i) => i + 1),
      );
      await elapse(1_000);
      // A later, longer TTL must not extend the window: otherwise a steady trickle never resets.
      expect(await store.increment('failures', 600_000)).toBe(101);
      expect(await store.ttlMs('failures')).toBeLessThanOrEqual(59_000);
      expect(await store.get('failures')).toBe(101);
    });

    describe('countAttempt: a password attempt counted before its check', () => {
      const attempt = {
        counterKey: 'attempts',
        lockKey: 'lock',
        windowMs: 600_000,
        threshold: 5,
        lockMs: [60_000, 120_000],
      };

      it('BF-01 BF-02 of 20 concurrent attempts, exactly the first 5 find no lock; the 5th starts it, the 10th and 15th lengthen it', async () => {
        const { store } = makeStore();
        const counted = await Promise.all(
          Array.from({ length: 20 }, () => store.countAttempt(attempt)),
        );
        const byCount = [...counted].sort((a, b) => a.attempts - b.attempts);
        expect(byCount.map((c) => c.attempts)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
        expect(byCount.filter((c) => c.lockedForMs === null).map((c) => c.attempts)).toEqual([
          1, 2, 3, 4, 5,
        ]);
        expect(
          byCount.flatMap((c) => (c.startedLockMs ? [[c.attempts, c.startedLockMs]] : [])),
        ).toEqual([
          [5, 60_000],
          [10, 120_000],
          [15, 120_000],
          [20, 120_000],
        ]);
        expect(await store.get('attempts')).toBe(20);
        expect(await store.get('lock')).toEqual({ failures: 20 });
        expect(await store.ttlMs('lock')).toBeGreaterThan(115_000);
        expect(await store.ttlMs('attempts')).toBeGreaterThan(590_000);
      });

      it('BF-01 a lock runs out on its own; the next attempts find none until the next multiple', async () => {
        const { store, shortTtlMs, afterShortTtl } = makeStore();
        const short = { ...attempt, threshold: 2, lockMs: [shortTtlMs] };
        expect(await store.countAttempt(short)).toEqual({
          attempts: 1,
          lockedForMs: null,
          startedLockMs: null,
        });
        expect(await store.countAttempt(short)).toEqual({
          attempts: 2,
          lockedForMs: null,
          startedLockMs: shortTtlMs,
        });
        expect((await store.countAttempt(short)).lockedForMs).toBeGreaterThan(0);
        // A threshold out of reach, so the probes themselves start no lock.
        const probe = { ...short, threshold: 1_000 };
        await afterShortTtl(async () =>
          expect((await store.countAttempt(probe)).lockedForMs).toBeNull(),
        );
      });

      it('BF-05 uncountAttempt takes one attempt back, and the lock only when that attempt started it', async () => {
        const { store } = makeStore();
        for (let i = 0; i < 4; i++) await store.countAttempt(attempt);
        const fifth = await store.countAttempt(attempt);
        expect(fifth.startedLockMs).toBe(60_000);
        const sixth = await store.countAttempt(attempt);
        await store.uncountAttempt(attempt, sixth.attempts);
        expect(await store.get('attempts')).toBe(5);
        expect(await store.get('lock')).toEqual({ failures: 5 });
        await store.uncountAttempt(attempt, fifth.attempts);
        expect(await store.get('attempts')).toBe(4);
        expect(await store.get('lock')).toBeNull();
        expect(await store.ttlMs('attempts')).toBeGreaterThan(590_000);
        await store.uncountAttempt({ counterKey: 'none', lockKey: 'none-lock' }, 1);
        expect(await store.get('none')).toBeNull();
      });

      it('BF-01 an attempt due to start a lock while a longer one runs (its counter restarted) starts nothing and says so', async () => {
        const { store } = makeStore();
        for (let i = 0; i < 10; i++) await store.countAttempt(attempt); // the 10th: 120 s
        await store.delete('attempts'); // the counter's window ended; the lock still runs
        for (let i = 0; i < 4; i++) await store.countAttempt(attempt);
        const fifth = await store.countAttempt(attempt); // due 60 s, but 120 s are running
        expect(fifth.lockedForMs).toBeGreaterThan(60_000);
        expect(fifth.startedLockMs ?? 0).toBe(0);
        expect(await store.get('lock')).toEqual({ failures: 10 });
      });

      it('BF-01 taking back the attempt that started a lock keeps the lock once a later attempt was counted (it met the lock)', async () => {
        const { store } = makeStore();
        for (let i = 0; i < 4; i++) await store.countAttempt(attempt);
        const fifth = await store.countAttempt(attempt); // refused by an address limit, later
        expect(fifth.startedLockMs).toBe(60_000);
        const sixth = await store.countAttempt(attempt); // judged: refused by the lock
        expect(sixth.lockedForMs).toBeGreaterThan(0);
        await store.uncountAttempt(attempt, fifth.attempts);
        expect(await store.get('attempts')).toBe(5);
        expect(await store.get('lock')).toEqual({ failures: 5 });
        const seventh = await store.countAttempt(attempt);
        expect(seventh.lockedForMs).toBeGreaterThan(0);
      });
    });

    describe('checkCode: a code entered for a challenge, in one operation', () => {
      type Challenge = {
        purpose: string;
        userId: string;
        stage: string;
        channel?: string;
        expiresAt: number;
        createdAt: number;
        restartOnMatch?: { key: string; windowMs: number }[];
      };
      const right = 'hmac-of-the-right-code';
      /**
       * A challenge of purpose `sign-in` for user u1 in stage `code-sent`, with a code and a
       * cooldown. Keys are fresh per call; `shared` names keys that several challenges share.
       */
      const setup = async (
        store: ExpiringStore,
        over: Partial<Challenge> = {},
        shared: Partial<Pick<CodeCheck, 'failuresKeyPrefix' | 'wrongCodesKeyPrefix'>> = {},
      ) => {
        const id = randomUUID();
        const keys = {
          recordKey: `t:${id}`,
          codeKey: `c:${id}`,
          cooldownKey: `r:${id}`,
          triesKey: `n:${id}`,
          verifiedKey: `v:${id}`,
          failuresKeyPrefix: `f:${id}:`,
          wrongCodesKeyPrefix: `w:${id}:`,
          ...shared,
        };
        const now = Date.now();
        const record: Challenge = {
          purpose: 'sign-in',
          userId: 'u1',
          stage: 'code-sent',
          channel: 'email',
          createdAt: now,
          expiresAt: now + 600_000,
          ...over,
        };
        const stored = code();
        await store.put(keys.recordKey, record, 600_000);
        await store.put(keys.codeKey, stored, 45_000);
        await store.put(keys.cooldownKey, 1, 30_000);
        const check = (codeHash: string | null, more: Partial<CodeCheck> = {}) =>
          store.checkCode<Challenge>({
            purpose: 'sign-in',
            ...keys,
            codeHash,
            nowMs: Date.now(),
            accountFailureLimit: 100,
            accountFailureWindowMs: 86_400_000,
            wrongCodeWindowMs: 86_400_000,
            challengeTryLimit: 10,
            verifiedTtlMs: null,
            trustRequested: false,
            ...more,
          });
        return {
          keys,
          record,
          stored,
          check,
          failures: () => store.get<number>(`${keys.failuresKeyPrefix}${record.userId}`),
          wrongCodes: () => store.get<number>(`${keys.wrongCodesKeyPrefix}${record.userId}`),
          tries: () => store.get<number>(keys.triesKey),
        };
      };

      it('answers missing without a code, mismatch with the tries left, and match once', async () => {
        const { store } = makeStore();
        const { keys, record, stored, check } = await setup(store);
        await store.delete(keys.codeKey);
        expect(await check(right)).toEqual({ outcome: 'missing', record });
        await store.put(keys.codeKey, stored, 45_000);
        expect(await check('hmac-of-a-wrong-code')).toEqual({
          outcome: 'mismatch',
          attemptsLeft: 4,
          wrongCodes: 1,
          record,
        });
        // Rewritten with every field intact (Redis's cjson must not round epoch milliseconds).
        expect(await store.get(keys.codeKey)).toEqual({ ...stored, attemptsLeft: 4 });
        expect(await store.ttlMs(keys.codeKey)).toBeLessThanOrEqual(45_000); // a wrong try keeps the TTL
        expect(await store.ttlMs(keys.codeKey)).toBeGreaterThan(40_000);
        expect(await check(right)).toEqual({ outcome: 'match', record });
        expect(await check(right)).toEqual({ outcome: 'no-challenge' });
      });

      it('OTP-02 refuses a code past its stored expiresAt even while the key lives', async () => {
        const { store } = makeStore();
        const { keys, record, check } = await setup(store);
        const issuedAt = Date.now();
        await store.put(keys.codeKey, code({ expiresAt: issuedAt + 45_000 }), 600_000);
        expect(await check(right, { nowMs: issuedAt + 45_001 })).toEqual({
          outcome: 'expired',
          record,
        });
        expect(await store.get(keys.codeKey)).toBeNull();
        await store.put(keys.codeKey, code({ expiresAt: issuedAt + 45_000 }), 600_000);
        expect(await check(right, { nowMs: issuedAt + 44_000 })).toEqual({
          outcome: 'match',
          record,
        });
      });

      it('OTP-05 five wrong tries burn the code: the sixth try, even the right code, finds nothing', async () => {
        const { store } = makeStore();
        const { keys, record, check } = await setup(store);
        const left = [];
        for (let i = 0; i < 5; i++) {
          const attempt = await check(`wrong-${i}`);
          expect(attempt.outcome).toBe('mismatch');
          if (attempt.outcome === 'mismatch') left.push(attempt.attemptsLeft);
        }
        expect(left).toEqual([4, 3, 2, 1, 0]);
        expect(await store.get(keys.codeKey)).toBeNull();
        expect(await check(right)).toEqual({ outcome: 'missing', record });
      });

      it('OTP-05 20 concurrent wrong tries spend exactly the 5 tries there are', async () => {
        const { store } = makeStore();
        const { check, failures, wrongCodes, tries } = await setup(store);
        const attempts = await Promise.all(
          Array.from({ length: 20 }, (_, i) => check(`wrong-${i}`, { challengeTryLimit: 100 })),
        );
        const mismatches = attempts.flatMap((a) => (a.outcome === 'mismatch' ? [a] : []));
        expect(mismatches.map((a) => a.attemptsLeft).sort()).toEqual([0, 1, 2, 3, 4]);
        expect(mismatches.map((a) => a.wrongCodes).sort()).toEqual([1, 2, 3, 4, 5]);
        expect(attempts.filter((a) => a.outcome === 'missing')).toHaveLength(15);
        expect(await failures()).toBe(5);
        expect(await wrongCodes()).toBe(5);
        expect(await tries()).toBe(20);
      });

      it('OTP-03 of 20 parallel submissions of the right code exactly one matches', async () => {
        const { store } = makeStore();
        const { keys, check } = await setup(store);
        const attempts = await Promise.all(Array.from({ length: 20 }, () => check(right)));
        expect(attempts.filter((a) => a.outcome === 'match')).toHaveLength(1);
        expect(attempts.filter((a) => a.outcome === 'no-challenge')).toHaveLength(19);
        for (const key of [keys.recordKey, keys.codeKey, keys.triesKey])
          expect(await store.get(key)).toBeNull();
      });

      it('OTP-03 a match answers the record, deletes code, cooldown, tries, record and the account counter, and writes no verified record unless asked', async () => {
        const { store } = makeStore();
        const { keys, record, check, failures, wrongCodes, tries } = await setup(store);
        expect(await check('hmac-of-a-wrong-code')).toEqual({
          outcome: 'mismatch',
          attemptsLeft: 4,
          wrongCodes: 1,
          record,
        });
        expect(await failures()).toBe(1);
        expect(await tries()).toBe(1);
        // The tries are not in the record: it is left as it was written.
        expect(await store.get(keys.recordKey)).toEqual(record);
        expect(await check(right)).toEqual({ outcome: 'match', record });
        for (const key of [
          keys.recordKey,
          keys.codeKey,
          keys.cooldownKey,
          keys.triesKey,
          keys.verifiedKey,
        ])
          expect(await store.get(key)).toBeNull();
        expect(await failures()).toBeNull();
        expect(await wrongCodes()).toBe(1); // the notice counter outlives a match (OTP-13)
        expect(await check(right)).toEqual({ outcome: 'no-challenge' });
      });

      it('OTP-06 a match restarts the current window of each counter the record names, and only that window', async () => {
        const { store } = makeStore();
        const nowMs = Date.now();
        const restartOnMatch = [
          { key: `rl:test:${randomUUID()}`, windowMs: 3_600_000 },
          { key: `rl:test:${randomUUID()}`, windowMs: 60_000 },
        ];
        const { keys, check } = await setup(store, { restartOnMatch });
        const current = restartOnMatch.map((c) => `${c.key}:${Math.floor(nowMs / c.windowMs)}`);
        const previous = `${restartOnMatch[0]!.key}:${Math.floor(nowMs / 3_600_000) - 1}`;
        for (const key of [...current, previous]) await store.increment(key, 3_600_000);
        expect(await check('hmac-of-a-wrong-code', { nowMs })).toMatchObject({
          outcome: 'mismatch',
        });
        for (const key of current) expect(await store.get(key)).toBe(1);
        expect(await check(right, { nowMs, verifiedTtlMs: 60_000 })).toMatchObject({
          outcome: 'match',
        });
        for (const key of current) expect(await store.get(key)).toBeNull();
        expect(await store.get(previous)).toBe(1);
        expect(await store.get(keys.verifiedKey)).not.toHaveProperty('restartOnMatch');
      });

      it('TD-08 a match with a verified TTL writes the verified record with the trust request', async () => {
        const { store } = makeStore();
        const { keys, record, check } = await setup(store);
        const nowMs = Date.now();
        expect(
          await check(right, { verifiedTtlMs: 60_000, trustRequested: true, nowMs }),
        ).toMatchObject({ outcome: 'match' });
        expect(await store.get(keys.verifiedKey)).toEqual({
          ...record,
          stage: 'verified',
          method: 'code',
          trustRequested: true,
          expiresAt: nowMs + 60_000,
        });
        expect(await store.ttlMs(keys.verifiedKey)).toBeGreaterThan(55_000);
        expect(await store.ttlMs(keys.verifiedKey)).toBeLessThanOrEqual(60_000);
      });

      it('answers no-challenge, no-code, malformed (no try charged), and expired past the record or the code', async () => {
        const { store } = makeStore();
        const absent = await setup(store);
        await store.delete(absent.keys.recordKey);
        expect(await absent.check(right)).toEqual({ outcome: 'no-challenge' });
        const old = await setup(store, { expiresAt: Date.now() - 1 });
        expect(await old.check(right)).toEqual({ outcome: 'no-challenge' });
        expect(await old.tries()).toBeNull();
        const early = await setup(store, { stage: 'password' });
        expect(await early.check(right)).toEqual({ outcome: 'no-code', record: early.record });
        expect(await early.tries()).toBeNull();
        const typo = await setup(store);
        expect(await typo.check(null)).toEqual({ outcome: 'malformed', record: typo.record });
        expect(await store.get(typo.keys.recordKey)).toEqual(typo.record);
        expect(await store.get(typo.keys.codeKey)).toMatchObject({ attemptsLeft: 5 });
        expect(await typo.tries()).toBeNull();
        expect(await typo.failures()).toBeNull();
        expect(await typo.wrongCodes()).toBeNull();
        const late = await setup(store);
        expect(await late.check(right, { nowMs: late.stored.expiresAt + 1_000 })).toEqual({
          outcome: 'expired',
          record: late.record,
        });
        expect(await late.check(right)).toEqual({ outcome: 'missing', record: late.record });
        expect(await late.tries()).toBe(2); // a refused try counts too
      });

      it('OTP-04 a record of another purpose answers no-challenge and is left untouched', async () => {
        const { store } = makeStore();
        const { keys, record, stored, check, failures, wrongCodes, tries } = await setup(store);
        for (const codeHash of [right, 'hmac-of-a-wrong-code', null])
          expect(await check(codeHash, { purpose: 'email-change' })).toEqual({
            outcome: 'no-challenge',
          });
        expect(await store.get(keys.recordKey)).toEqual(record);
        expect(await store.get(keys.codeKey)).toEqual(stored);
        expect(await store.get(keys.cooldownKey)).toBe(1);
        expect(await tries()).toBeNull();
        expect(await failures()).toBeNull();
        expect(await wrongCodes()).toBeNull();
        expect(await check(right, { verifiedTtlMs: 60_000 })).toEqual({
          outcome: 'match',
          record,
        });
        expect(await store.get(keys.verifiedKey)).toMatchObject({
          purpose: 'sign-in',
          stage: 'verified',
        });
      });

      it('OTP-05 refuses every code once the account counter is at its limit, and counts tries per challenge up to its limit', async () => {
        const { store } = makeStore();
        const locked = await setup(store);
        await store.increment(`${locked.keys.failuresKeyPrefix}u1`, 60_000);
        expect(await locked.check(right, { accountFailureLimit: 1 })).toEqual({
          outcome: 'locked',
          record: locked.record,
        });
        expect(await store.get(locked.keys.codeKey)).toMatchObject({ attemptsLeft: 5 });
        expect(await locked.tries()).toBeNull();
        const tries = await setup(store);
        expect(await tries.check('wrong-1', { challengeTryLimit: 2 })).toMatchObject({
          outcome: 'mismatch',
          attemptsLeft: 4,
        });
        expect(await tries.check('wrong-2', { challengeTryLimit: 2 })).toMatchObject({
          outcome: 'mismatch',
          attemptsLeft: 3,
        });
        expect(await tries.check(right, { challengeTryLimit: 2 })).toEqual({
          outcome: 'limited',
          record: tries.record,
        });
        expect(await store.get(tries.keys.codeKey)).toMatchObject({ attemptsLeft: 3 });
        expect(await store.get(tries.keys.recordKey)).toEqual(tries.record);
      });

      it("OTP-05 a challenge's tries live under their own key: rewriting the record (a resend's save) does not reset them", async () => {
        const { store } = makeStore();
        const { keys, record, check, tries } = await setup(store);
        const limit = { challengeTryLimit: 3 };
        expect(await check('wrong-1', limit)).toMatchObject({ outcome: 'mismatch' });
        expect(await check('wrong-2', limit)).toMatchObject({ outcome: 'mismatch' });
        expect(await tries()).toBe(2);
        const triesTtl = await store.ttlMs(keys.triesKey);
        expect(triesTtl).toBeLessThanOrEqual(600_000); // as long as the record has left to live
        expect(triesTtl).toBeGreaterThan(590_000);
        // A resend: the record is saved again as read, with a fresh code and cooldown.
        const read = await store.get<Challenge>(keys.recordKey);
        expect(read).toEqual(record);
        await store.put(keys.recordKey, read, 600_000);
        await store.put(keys.codeKey, code(), 45_000);
        await store.put(keys.cooldownKey, 1, 30_000);
        expect(await tries()).toBe(2);
        expect(await check('wrong-3', limit)).toMatchObject({
          outcome: 'mismatch',
          attemptsLeft: 4,
        });
        expect(await check(right, limit)).toEqual({ outcome: 'limited', record });
        expect(await tries()).toBe(4);
        expect(await store.get(keys.recordKey)).toEqual(record);
      });

      it("OTP-13 a mismatch counts the account's notice counter, which a match does not clear", async () => {
        const { store } = makeStore();
        const shared = { wrongCodesKeyPrefix: `w:${randomUUID()}:` };
        const first = await setup(store, {}, shared);
        const second = await setup(store, {}, shared);
        const third = await setup(store, {}, shared);
        expect(await first.check('wrong-1')).toMatchObject({ outcome: 'mismatch', wrongCodes: 1 });
        expect(await second.check('wrong-2')).toMatchObject({
          outcome: 'mismatch',
          wrongCodes: 2,
        });
        expect(await first.check('wrong-3')).toMatchObject({ outcome: 'mismatch', wrongCodes: 3 });
        expect(await third.check(right)).toMatchObject({ outcome: 'match' });
        expect(await third.wrongCodes()).toBe(3);
        expect(await second.check('wrong-4')).toMatchObject({
          outcome: 'mismatch',
          wrongCodes: 4,
        });
        // Counted under the user, with the window it was created with.
        expect(await store.get(`${shared.wrongCodesKeyPrefix}u1`)).toBe(4);
        expect(await store.ttlMs(`${shared.wrongCodesKeyPrefix}u1`)).toBeLessThanOrEqual(
          86_400_000,
        );
        expect(await store.ttlMs(`${shared.wrongCodesKeyPrefix}u1`)).toBeGreaterThan(86_000_000);
      });
    });
  });
}

contract('memory', () => {
  let now = 1_700_000_000_000;
  const store = createMemoryStore({ now: () => now });
  return {
    store,
    shortTtlMs: 1_000,
    async afterShortTtl(check) {
      now += 999;
      await expect(check()).rejects.toThrow(); // still there 1 ms before the end
      now += 1;
      await check();
    },
    async elapse(ms) {
      now += ms;
    },
  };
});

describe.skipIf(!upstash)('Upstash through the bridge', () => {
  const connect = (over: { url?: string; token?: string } = {}) =>
    createUpstashStore({
      url: over.url ?? upstash!.url,
      token: over.token ?? upstash!.token,
      // A namespace per test: parallel files and reruns on a shared Redis never see each other's keys.
      keyPrefix: `${prefix}contract:${randomUUID()}:`,
    });

  contract('upstash', () => ({
    store: connect(),
    shortTtlMs: 150,
    afterShortTtl: (check) => vi.waitFor(check, { timeout: 5_000, interval: 25 }),
    elapse: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  }));

  it('AV-01 a wrong token is an outage to the caller, not an empty store', async () => {
    const store = connect({ token: 'not-the-token' });
    await expect(store.get('k')).rejects.toBeInstanceOf(StoreUnavailableError);
  });
});

describe('Upstash store when the server is gone', () => {
  it('AV-01 every operation throws StoreUnavailableError within seconds when nothing listens', async () => {
    // Not port 1: fetch refuses "bad ports" itself, which would never touch the network.
    const closedPort = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const { port } = probe.address() as AddressInfo;
        probe.close(() => resolve(port));
      });
    });
    const store = createUpstashStore({
      url: `http://127.0.0.1:${closedPort}`,
      token: 't',
      keyPrefix: 'unreachable:',
    });
    const started = Date.now();
    const outcomes = await Promise.allSettled([
      store.put('k', 1, 1_000),
      store.putIfAbsent('k', 1, 1_000),
      store.get('k'),
      store.take('k'),
      store.delete('k'),
      store.increment('k', 1_000),
      store.ttlMs('k'),
      store.countAttempt({
        counterKey: 'a',
        lockKey: 'l',
        windowMs: 1_000,
        threshold: 5,
        lockMs: [1_000],
      }),
      store.uncountAttempt({ counterKey: 'a', lockKey: 'l' }, 1),
      store.checkCode({
        purpose: 'sign-in',
        recordKey: 'k',
        codeKey: 'c',
        cooldownKey: 'r',
        triesKey: 'n',
        verifiedKey: 'v',
        failuresKeyPrefix: 'f:',
        wrongCodesKeyPrefix: 'w:',
        codeHash: 'hash',
        nowMs: Date.now(),
        accountFailureLimit: 10,
        accountFailureWindowMs: 60_000,
        wrongCodeWindowMs: 60_000,
        challengeTryLimit: 10,
        verifiedTtlMs: null,
        trustRequested: false,
      }),
    ]);
    for (const outcome of outcomes) {
      expect(outcome.status).toBe('rejected');
      if (outcome.status === 'rejected')
        expect(outcome.reason).toBeInstanceOf(StoreUnavailableError);
    }
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('AV-01 a server that accepts but never answers times out', async () => {
    const sockets: Socket[] = [];
    const silent = createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as AddressInfo;
    try {
      const store = createUpstashStore({
        url: `http://127.0.0.1:${port}`,
        token: 't',
        keyPrefix: 'silent:',
        timeoutMs: 300,
      });
      const started = Date.now();
      await expect(store.get('k')).rejects.toBeInstanceOf(StoreUnavailableError);
      expect(Date.now() - started).toBeLessThan(2_000);
    } finally {
      for (const socket of sockets) socket.destroy();
      silent.close();
    }
  });
});
