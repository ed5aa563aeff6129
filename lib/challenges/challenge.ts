import { createHash, randomBytes } from 'node:crypto';
import type { ExpiringStore } from '@/lib/store/expiring-store';
import type { Channel } from '@/lib/delivery/sender';

// A challenge is one request for a one-time code: whose it is, what it is for, where its code
// went. Every code the product sends belongs to one, whatever its purpose, so they all share one
// record shape, one set of keys, one set of limits and one check (lib/challenges/check-code.ts).
// The browser or the server-side pointer holds only the random id; the store keys everything by
// the id's SHA-256, so a store dump yields no usable id. Decision record 0014.

/**
 * What a code is for. `sign-in`: the second step of a sign-in (the record is the login ticket).
 * `step-up`: "confirm it's you" before a sensitive change, to the account's own email.
 * `new-destination`: proving a new email or phone before it replaces the old one.
 */
export type ChallengePurpose = 'sign-in' | 'step-up' | 'new-destination';

/** `started`: no code yet; `code-sent`: a code can be entered; `verified`: a sign-in proven. */
export type ChallengeStage = 'started' | 'code-sent' | 'verified';

/** A rate-limit counter a correct code restarts: limiter key without the window number. */
export type CounterRestart = { key: string; windowMs: number };

export type Challenge = {
  purpose: ChallengePurpose;
  userId: string;
  stage: ChallengeStage;
  /** The channel of the code last sent. */
  channel?: Channel;
  /** When the current code expires (epoch ms); tells "expired" from "never sent". */
  codeExpiresAt?: number;
  /** When the current code was sent (epoch ms). */
  codeSentAt?: number;
  /** Send counters a correct code restarts (OTP-06). */
  restartOnMatch?: CounterRestart[];
  createdAt: number;
  expiresAt: number;
};

/** 256 random bits (SE-01). */
export function newChallengeId(): string {
  return randomBytes(32).toString('base64url');
}

export function isWellFormedChallengeId(id: string | undefined | null): id is string {
  return typeof id === 'string' && /^[A-Za-z0-9_-]{43}$/.test(id);
}

/** Where a challenge's state lives in the store. */
export function challengeKeys(id: string) {
  const digest = createHash('sha256').update(id).digest('base64url');
  return {
    record: `challenge:${digest}`,
    code: `code:${digest}`,
    cooldown: `resend:${digest}`,
    tries: `tries:${digest}`,
    verified: `verified:${digest}`,
  };
}

export async function startChallenge<T extends Challenge>(
  store: ExpiringStore,
  fields: Omit<T, 'stage' | 'createdAt' | 'expiresAt'>,
  options: { ttlMs: number; now: number },
): Promise<{ id: string; challenge: T }> {
  const id = newChallengeId();
  const challenge = {
    ...fields,
    stage: 'started',
    createdAt: options.now,
    expiresAt: options.now + options.ttlMs,
  } as T;
  await store.put(challengeKeys(id).record, challenge, options.ttlMs);
  return { id, challenge };
}

/** The live challenge behind an id, when it is one of `purpose`; null otherwise. */
export async function readChallenge<T extends Challenge>(
  store: ExpiringStore,
  id: string | undefined | null,
  purpose: T['purpose'],
  now: number,
): Promise<T | null> {
  if (!isWellFormedChallengeId(id)) return null;
  const challenge = await store.get<T>(challengeKeys(id).record);
  return challenge && challenge.purpose === purpose && challenge.expiresAt > now ? challenge : null;
}

/**
 * Saves a changed challenge without extending its life. Its tries live under their own key, so a
 * save can never forget the codes entered meanwhile.
 */
export async function saveChallenge(
  store: ExpiringStore,
  id: string,
  challenge: Challenge,
  now: number,
): Promise<void> {
  const ttlMs = challenge.expiresAt - now;
  if (ttlMs > 0) await store.put(challengeKeys(id).record, challenge, ttlMs);
}

/** Forgets a challenge and its code (a cancelled change). */
export async function endChallenge(store: ExpiringStore, id: string): Promise<void> {
  const keys = challengeKeys(id);
  await Promise.all(
    [keys.record, keys.code, keys.cooldown, keys.tries].map((key) => store.delete(key)),
  );
}

/**
 * Where a session keeps the id of its pending challenge of one purpose (step-up, new
 * destination): in the store, never in the browser, so only that session can answer it.
 */
export function pendingChallengeKey(purpose: ChallengePurpose, sessionId: string): string {
  return `pending:${purpose}:${createHash('sha256').update(sessionId).digest('base64url')}`;
}
