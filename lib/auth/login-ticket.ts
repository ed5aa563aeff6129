import { createHash, randomBytes } from 'node:crypto';
import type { ExpiringStore } from '@/lib/store/expiring-store';
import type { Channel } from '@/lib/otp/delivery/sender';

// A login ticket is the state of one sign-in between the password and the session: who, how far
// they got, and which channel the code went to. The browser holds only its random id (in an
// HttpOnly cookie); the store keys it by the id's SHA-256, so a store dump yields no usable id.

const VERIFIED_TTL_MS = 60_000;
/** Time to name the device after a code with "Don't require OTP on this browser" ticked. */
const NAMING_TTL_MS = 10 * 60_000;

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

function verifiedKey(ticketId: string): string {
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
  input: { userId: string; stage: TicketStage; method?: LoginTicket['method']; ttlSeconds: number; now: number },
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

export async function readTicket(store: ExpiringStore, id: string | undefined | null, now: number): Promise<LoginTicket | null> {
  if (!isWellFormedTicketId(id)) return null;
  const ticket = await store.get<LoginTicket>(ticketKey(id));
  return ticket && ticket.expiresAt > now ? ticket : null;
}

/** Saves a changed ticket without extending its life. */
export async function saveTicket(store: ExpiringStore, id: string, ticket: LoginTicket, now: number): Promise<void> {
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
  await Promise.all([store.delete(ticketKey(id)), store.delete(codeKey(id)), store.delete(cooldownKey(id))]);
}

/**
 * Takes a verified ticket out of the store: of concurrent callers only one gets it, so one
 * verified code yields one session (OTP-03).
 */
export async function takeVerifiedTicket(store: ExpiringStore, id: string, now: number): Promise<LoginTicket | null> {
  if (!isWellFormedTicketId(id)) return null;
  const ticket = await store.take<LoginTicket>(verifiedKey(id));
  return ticket && ticket.stage === 'verified' && ticket.expiresAt > now ? ticket : null;
}

/** Reads a verified ticket without using it up (the device-name step shows it first). */
export async function peekVerifiedTicket(store: ExpiringStore, id: string | undefined | null, now: number): Promise<LoginTicket | null> {
  if (!isWellFormedTicketId(id)) return null;
  const ticket = await store.get<LoginTicket>(verifiedKey(id));
  return ticket && ticket.stage === 'verified' && ticket.expiresAt > now ? ticket : null;
}

export function trustClaimKey(ticketId: string): string {
  return `trust-claim:${createHash('sha256').update(ticketId).digest('base64url')}`;
}
