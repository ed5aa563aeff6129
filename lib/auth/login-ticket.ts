import { createHash, randomBytes } from 'node:crypto';
import type { ExpiringStore } from '@/lib/store/expiring-store';
import type { Channel } from '@/lib/otp/delivery/sender';

// A login ticket is the state of one sign-in between the password and the session: who, how far
// they got, and which channel the code went to. The browser holds only its random id (in an
// HttpOnly cookie); the store keys it by the id's SHA-256, so a store dump yields no usable id.

const VERIFIED_TTL_MS = 60_000;
/** Time to name the device after a code with "Don't require OTP on this browser" ticked. */
export const NAMING_TTL_MS = 10 * 60_000;

export type SignInMethod = 'code' | 'password-only' | 'trusted-device';

export type TicketStage = 'password' | 'code-sent' | 'verified';

export type LoginTicket = {
  userId: string;
  stage: TicketStage;
  channel?: Channel;
  /** When the current code expires (epoch ms); tells "expired" from "never sent". */
  codeExpiresAt?: number;
  /** When the current code was sent (epoch ms), for the resend cooldown message. */
  codeSentAt?: number;
  /** How the sign-in was completed: a code, a trusted device, or the password alone. */
  method?: SignInMethod;
  /** The person ticked "Don't require OTP on this browser" with a correct code (TD-08). */
  trustRequested?: boolean;
  /** Send counters a correct code restarts (OTP-06): limiter keys without the window number. */
  restartOnMatch?: { key: string; windowMs: number }[];
  createdAt: number;
  expiresAt: number;
};

/** 256 random bits (SE-01). */
export function newTicketId(): string {
  return randomBytes(32).toString('base64url');
}

export function ticketKey(ticketId: string): string {
  return `ticket:${createHash('sha256').update(ticketId).digest('base64url')}`;
}

export function codeKey(ticketId: string): string {
  return `code:${createHash('sha256').update(ticketId).digest('base64url')}`;
}

export function verifiedKey(ticketId: string): string {
  return `verified:${createHash('sha256').update(ticketId).digest('base64url')}`;
}

export function cooldownKey(ticketId: string): string {
  return `resend:${createHash('sha256').update(ticketId).digest('base64url')}`;
}

export function isWellFormedTicketId(id: string | undefined | null): id is string {
  return typeof id === 'string' && /^[A-Za-z0-9_-]{43}$/.test(id);
}

export async function createTicket(
  store: ExpiringStore,
  input: {
    userId: string;
    stage: TicketStage;
    method?: LoginTicket['method'];
    ttlSeconds: number;
    now: number;
  },
): Promise<{ id: string; ticket: LoginTicket }> {
  const id = newTicketId();
  const ticket: LoginTicket = {
    userId: input.userId,
    stage: input.stage,
    method: input.method,
    createdAt: input.now,
    expiresAt: input.now + input.ttlSeconds * 1000,
  };
  await store.put(ticketKey(id), ticket, input.ttlSeconds * 1000);
  return { id, ticket };
}

export async function readTicket(
  store: ExpiringStore,
  id: string | undefined | null,
  now: number,
): Promise<LoginTicket | null> {
  if (!isWellFormedTicketId(id)) return null;
  const ticket = await store.get<LoginTicket>(ticketKey(id));
  return ticket && ticket.expiresAt > now ? ticket : null;
}

/** Saves a changed ticket without extending its life. */
export async function saveTicket(
  store: ExpiringStore,
  id: string,
  ticket: LoginTicket,
  now: number,
): Promise<void> {
  const ttlMs = ticket.expiresAt - now;
  if (ttlMs <= 0) return;
  await store.put(ticketKey(id), ticket, ttlMs);
}

/**
 * Moves a ticket whose code was entered (or whose user needs no code) to the verified state. It
 * lives under its own key for a minute, just long enough for the session to be created from it.
 */
export async function markVerified(
  store: ExpiringStore,
  id: string,
  ticket: LoginTicket,
  method: SignInMethod,
  now: number,
  options: { trustRequested?: boolean } = {},
): Promise<void> {
  const ttlMs = options.trustRequested ? NAMING_TTL_MS : VERIFIED_TTL_MS;
  const verified: LoginTicket = {
    ...ticket,
    stage: 'verified',
    method,
    trustRequested: options.trustRequested ?? false,
    expiresAt: now + ttlMs,
  };
  await store.put(verifiedKey(id), verified, ttlMs);
  await Promise.all([
    store.delete(ticketKey(id)),
    store.delete(codeKey(id)),
    store.delete(cooldownKey(id)),
  ]);
}

/**
 * Takes a verified ticket out of the store: of concurrent callers only one gets it, so one
 * verified code yields one session (OTP-03).
 */
export async function takeVerifiedTicket(
  store: ExpiringStore,
  id: string,
  now: number,
): Promise<LoginTicket | null> {
  if (!isWellFormedTicketId(id)) return null;
  const ticket = await store.take<LoginTicket>(verifiedKey(id));
  return ticket && ticket.stage === 'verified' && ticket.expiresAt > now ? ticket : null;
}

/** Reads a verified ticket without using it up (the device-name step shows it first). */
export async function peekVerifiedTicket(
  store: ExpiringStore,
  id: string | undefined | null,
  now: number,
): Promise<LoginTicket | null> {
  if (!isWellFormedTicketId(id)) return null;
  const ticket = await store.get<LoginTicket>(verifiedKey(id));
  return ticket && ticket.stage === 'verified' && ticket.expiresAt > now ? ticket : null;
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

export type Handoff<User = unknown, Event = unknown> = {
  userId: string;
  method: SignInMethod;
  /** The user row as the step read it, so that the session step need not read it again. */
  user?: User;
  /** Audit events of the step, written with the session in one statement. */
  events: Event[];
  expiresAt: number;
};

const HANDOFFS = Symbol.for('latchkey.signInHandoffs');
const handoffHolder = globalThis as typeof globalThis & { [HANDOFFS]?: Map<string, Handoff> };
const handoffs = () => (handoffHolder[HANDOFFS] ??= new Map());

export function handOver<User, Event>(
  ticketId: string,
  handoff: Omit<Handoff<User, Event>, 'expiresAt'>,
  now: number,
): void {
  const map = handoffs();
  for (const [key, entry] of map) if (entry.expiresAt <= now) map.delete(key);
  map.set(ticketKey(ticketId), { ...handoff, expiresAt: now + HANDOFF_TTL_MS });
}

/** Takes the handoff of a ticket id, once; null when there is none (or it expired). */
export function takeHandoff<User, Event>(
  ticketId: string,
  now: number,
): Handoff<User, Event> | null {
  if (!isWellFormedTicketId(ticketId)) return null;
  const key = ticketKey(ticketId);
  const map = handoffs();
  const entry = map.get(key);
  if (!entry) return null;
  map.delete(key);
  return entry.expiresAt > now ? (entry as Handoff<User, Event>) : null;
}
