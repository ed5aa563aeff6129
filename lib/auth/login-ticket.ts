import { createHash } from 'node:crypto';
import type { ExpiringStore } from '@/lib/store/expiring-store';
import {
  challengeKeys,
  isWellFormedChallengeId,
  readChallenge,
  startChallenge,
} from '@/lib/challenges/challenge';
import type { LoginTicket, SignInMethod } from '@/lib/auth/sign-in-types';

// A login ticket is the state of one sign-in between the password and the session: the
// challenge of its code (lib/challenges), with purpose `sign-in`. The browser holds only its
// random id, in an HttpOnly cookie.

/** Time to name the device after a code with "Don't require OTP on this browser" ticked. */
export const NAMING_TTL_MS = 10 * 60_000;

export const isWellFormedTicketId = isWellFormedChallengeId;

export function createTicket(
  store: ExpiringStore,
  input: { userId: string; ttlSeconds: number; now: number },
): Promise<{ id: string; challenge: LoginTicket }> {
  return startChallenge<LoginTicket>(
    store,
    { purpose: 'sign-in', userId: input.userId },
    { ttlMs: input.ttlSeconds * 1000, now: input.now },
  );
}

export function readTicket(
  store: ExpiringStore,
  id: string | undefined | null,
  now: number,
): Promise<LoginTicket | null> {
  return readChallenge<LoginTicket>(store, id, 'sign-in', now);
}

/**
 * Takes a verified ticket (the device-name step's) out of the store: of concurrent callers only
 * one gets it, so one verified code yields one session (OTP-03).
 */
export async function takeVerifiedTicket(
  store: ExpiringStore,
  id: string,
  now: number,
): Promise<LoginTicket | null> {
  if (!isWellFormedTicketId(id)) return null;
  return verifiedOnly(await store.take<LoginTicket>(challengeKeys(id).verified), now);
}

/** Reads a verified ticket without using it up (the device-name step shows it first). */
export async function peekVerifiedTicket(
  store: ExpiringStore,
  id: string | undefined | null,
  now: number,
): Promise<LoginTicket | null> {
  if (!isWellFormedTicketId(id)) return null;
  return verifiedOnly(await store.get<LoginTicket>(challengeKeys(id).verified), now);
}

function verifiedOnly(ticket: LoginTicket | null, now: number): LoginTicket | null {
  return ticket &&
    ticket.purpose === 'sign-in' &&
    ticket.stage === 'verified' &&
    ticket.expiresAt > now
    ? ticket
    : null;
}

export function trustClaimKey(ticketId: string): string {
  return `trust-claim:${createHash('sha256').update(ticketId).digest('base64url')}`;
}

// The in-process handoff. When a request proves a sign-in and makes its session at once (a code
// entered without "trust this browser", a trusted browser, a password-only account), the proof
// goes from the step to the Auth.js Credentials provider in this process's memory, under the
// ticket id's hash, instead of through the store: `signIn()` runs the provider's authorize() in
// the same request, so the store round trips of writing and taking a verified ticket buy nothing.
// Taking is synchronous (a Map delete on one thread), so one handoff makes at most one session
// (OTP-03). Only steps that have proven the sign-in put anything here: a password step that still
// needs a code never does, so the password alone still grants nothing (SE-03). The session itself
// is still started only by the Credentials provider. Decision record: 0013-lean-sign-in-path.md.

/** A handoff not taken within this time (its request failed in between) is dropped. */
const HANDOFF_TTL_MS = 30_000;

export type Handoff<Event = unknown> = {
  userId: string;
  method: SignInMethod;
  /** Audit events of the step, written with the session in one statement. */
  events: Event[];
  expiresAt: number;
};

const HANDOFFS = Symbol.for('latchkey.signInHandoffs');
const handoffHolder = globalThis as typeof globalThis & { [HANDOFFS]?: Map<string, Handoff> };
const handoffs = () => (handoffHolder[HANDOFFS] ??= new Map());

export function handOver<Event>(
  ticketId: string,
  handoff: Omit<Handoff<Event>, 'expiresAt'>,
  now: number,
): void {
  const map = handoffs();
  for (const [key, entry] of map) if (entry.expiresAt <= now) map.delete(key);
  map.set(challengeKeys(ticketId).record, { ...handoff, expiresAt: now + HANDOFF_TTL_MS });
}

/** Takes the handoff of a ticket id, once; null when there is none (or it expired). */
export function takeHandoff<Event>(ticketId: string, now: number): Handoff<Event> | null {
  if (!isWellFormedTicketId(ticketId)) return null;
  const key = challengeKeys(ticketId).record;
  const map = handoffs();
  const entry = map.get(key);
  if (!entry) return null;
  map.delete(key);
  return entry.expiresAt > now ? (entry as Handoff<Event>) : null;
}
