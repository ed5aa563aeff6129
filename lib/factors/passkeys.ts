import 'server-only';
import { createHash } from 'node:crypto';
import {
  generateAuthenticationOptions,
  generateRegistrationOptions,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
  type AuthenticationResponseJSON,
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON,
  type RegistrationResponseJSON,
} from '@simplewebauthn/server';
import { db } from '@/lib/db';
import { Prisma } from '@/lib/generated/prisma/client';
import type { ExpiringStore } from '@/lib/store/expiring-store';

// Passkeys (WebAuthn credentials) as a second factor. The random challenge a browser must sign
// lives here on the server, in the expiring store, under a key bound to the login ticket (sign-in)
// or to the session (registration): the browser only ever sends back what it signed, and a
// challenge is taken once, so a response cannot be replayed. A credential counts only for the
// user it was registered to: it is looked up by id AND user. Tries and lockout are the caller's.

export type RelyingParty = { id: string; name: string; origin: string };
export type PasskeyDeps = { store: ExpiringStore; now: () => number; rp: RelyingParty };

/** The relying party of an origin: WebAuthn binds each passkey to this host name. */
export function relyingPartyFor(origin: string): RelyingParty {
  const url = new URL(origin);
  return { id: url.hostname, name: 'Latchkey', origin: url.origin };
}

/** How long the browser has between asking for options and answering them. */
export const WEBAUTHN_CHALLENGE_TTL_MS = 5 * 60_000;
export const PASSKEY_NAME_MAX = 60;

type Pending = { challenge: string; userId: string };
const hashed = (value: string) => createHash('sha256').update(value).digest('base64url');
const registrationKey = (sessionId: string) => `passkey:register:${hashed(sessionId)}`;
const signInKey = (ticketId: string) => `passkey:sign-in:${hashed(ticketId)}`;

/** The name as stored, or null: trimmed, 1–60 characters, no control characters. */
export function normalizePasskeyName(name: unknown): string | null {
  if (typeof name !== 'string') return null;
  const trimmed = name.trim();
  const length = [...trimmed].length;
  if (length < 1 || length > PASSKEY_NAME_MAX || /[\u0000-\u001f\u007f]/.test(trimmed)) return null;
  return trimmed;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** A browser's answer has the shape of a WebAuthn credential JSON (not yet verified). */
function credentialShape(value: unknown, field: 'attestationObject' | 'signature') {
  if (!isRecord(value) || !isRecord(value.response)) return false;
  return (
    typeof value.id === 'string' &&
    value.id.length > 0 &&
    value.id.length <= 1400 &&
    typeof value.rawId === 'string' &&
    value.type === 'public-key' &&
    typeof value.response.clientDataJSON === 'string' &&
    typeof value.response[field] === 'string'
  );
}

/** Parses the JSON a browser posted as an authentication response; null when it is not one. */
export function parseAuthenticationResponse(json: string): AuthenticationResponseJSON | null {
  try {
    const value: unknown = JSON.parse(json);
    return credentialShape(value, 'signature') &&
      typeof (value as { response: Record<string, unknown> }).response.authenticatorData ===
        'string'
      ? (value as AuthenticationResponseJSON)
      : null;
  } catch {
    return null;
  }
}

export function parseRegistrationResponse(json: string): RegistrationResponseJSON | null {
  try {
    const value: unknown = JSON.parse(json);
    return credentialShape(value, 'attestationObject') ? (value as RegistrationResponseJSON) : null;
  } catch {
    return null;
  }
}

const splitTransports = (transports: string) => (transports ? transports.split(',') : undefined);

const credentialsOf = (userId: string) =>
  db.passkey.findMany({ where: { userId }, select: { id: true, transports: true } });

export async function hasPasskey(userId: string): Promise<boolean> {
  return (await db.passkey.count({ where: { userId } })) > 0;
}

export async function listPasskeys(userId: string) {
  return db.passkey.findMany({
    where: { userId },
    select: { id: true, name: true, createdAt: true, lastUsedAt: true },
    orderBy: { createdAt: 'asc' },
  });
}

/** Options for adding a passkey, in this session; its existing passkeys are excluded. */
export async function passkeyRegistrationOptions(
  deps: PasskeyDeps,
  input: { userId: string; username: string; sessionId: string },
): Promise<PublicKeyCredentialCreationOptionsJSON> {
  const existing = await credentialsOf(input.userId);
  const options = await generateRegistrationOptions({
    rpName: deps.rp.name,
    rpID: deps.rp.id,
    userName: input.username,
    userID: new TextEncoder().encode(input.userId),
    attestationType: 'none',
    excludeCredentials: existing.map((c) => ({
      id: c.id,
      transports: splitTransports(c.transports),
    })),
    authenticatorSelection: { residentKey: 'preferred', userVerification: 'preferred' },
  });
  const pending: Pending = { challenge: options.challenge, userId: input.userId };
  await deps.store.put(registrationKey(input.sessionId), pending, WEBAUTHN_CHALLENGE_TTL_MS);
  return options;
}

export type RegisterPasskeyResult =
  | { ok: true; id: string; name: string }
  | { ok: false; reason: 'bad-name' | 'no-challenge' | 'not-verified' | 'already-registered' };

/** Checks the browser's new credential against this session's challenge and stores it. */
export async function registerPasskey(
  deps: PasskeyDeps,
  input: { userId: string; sessionId: string; name: unknown; response: string },
): Promise<RegisterPasskeyResult> {
  const name = normalizePasskeyName(input.name);
  if (!name) return { ok: false, reason: 'bad-name' };
  const pending = await deps.store.take<Pending>(registrationKey(input.sessionId));
  if (!pending || pending.userId !== input.userId) return { ok: false, reason: 'no-challenge' };
  const response = parseRegistrationResponse(input.response);
  if (!response) return { ok: false, reason: 'not-verified' };
  let verified;
  try {
    verified = await verifyRegistrationResponse({
      response,
      expectedChallenge: pending.challenge,
      expectedOrigin: deps.rp.origin,
      expectedRPID: deps.rp.id,
      requireUserVerification: false,
    });
  } catch {
    return { ok: false, reason: 'not-verified' };
  }
  if (!verified.verified) return { ok: false, reason: 'not-verified' };
  const { credential } = verified.registrationInfo;
  try {
    await db.passkey.create({
      data: {
        id: credential.id,
        userId: input.userId,
        publicKey: Buffer.from(credential.publicKey),
        counter: credential.counter,
        transports: (credential.transports ?? []).join(','),
        name,
        createdAt: new Date(deps.now()),
      },
    });
  } catch (error) {
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002')
      return { ok: false, reason: 'already-registered' };
    throw error;
  }
  return { ok: true, id: credential.id, name };
}

/** Options for signing in with one of the user's passkeys; null when they have none. */
export async function passkeySignInOptions(
  deps: PasskeyDeps,
  input: { userId: string; ticketId: string },
): Promise<PublicKeyCredentialRequestOptionsJSON | null> {
  const existing = await credentialsOf(input.userId);
  if (!existing.length) return null;
  const options = await generateAuthenticationOptions({
    rpID: deps.rp.id,
    allowCredentials: existing.map((c) => ({
      id: c.id,
      transports: splitTransports(c.transports),
    })),
    userVerification: 'preferred',
  });
  const pending: Pending = { challenge: options.challenge, userId: input.userId };
  await deps.store.put(signInKey(input.ticketId), pending, WEBAUTHN_CHALLENGE_TTL_MS);
  return options;
}

/** Whether this sign-in has asked for options that are still open (so an answer can be checked). */
export async function hasPendingPasskeySignIn(deps: PasskeyDeps, ticketId: string, userId: string) {
  return (await deps.store.get<Pending>(signInKey(ticketId)))?.userId === userId;
}

/**
 * Checks a sign-in answer against the ticket's challenge (used up either way) and the user's own
 * credential; on a match moves the counter and lastUsedAt forward.
 */
export async function verifyPasskeySignIn(
  deps: PasskeyDeps,
  input: { userId: string; ticketId: string; response: AuthenticationResponseJSON },
): Promise<'match' | 'mismatch'> {
  const pending = await deps.store.take<Pending>(signInKey(input.ticketId));
  if (!pending || pending.userId !== input.userId) return 'mismatch';
  // Another user's passkey is no passkey of this user's.
  const stored = await db.passkey.findFirst({
    where: { id: input.response.id, userId: input.userId },
  });
  if (!stored) return 'mismatch';
  let result;
  try {
    result = await verifyAuthenticationResponse({
      response: input.response,
      expectedChallenge: pending.challenge,
      expectedOrigin: deps.rp.origin,
      expectedRPID: deps.rp.id,
      credential: {
        id: stored.id,
        publicKey: new Uint8Array(stored.publicKey),
        counter: stored.counter,
        transports: splitTransports(stored.transports),
      },
      requireUserVerification: false,
    });
  } catch {
    // A signature that does not verify, or a counter that went backwards (a cloned key).
    return 'mismatch';
  }
  if (!result.verified) return 'mismatch';
  // Conditional on the counter read: of two answers racing with the same counter, one moves it.
  const moved = await db.passkey.updateMany({
    where: { id: stored.id, userId: input.userId, counter: stored.counter },
    data: { counter: result.authenticationInfo.newCounter, lastUsedAt: new Date(deps.now()) },
  });
  return moved.count === 1 ? 'match' : 'mismatch';
}

export async function renamePasskey(input: { userId: string; id: string; name: unknown }) {
  const name = normalizePasskeyName(input.name);
  if (!name) return false;
  const renamed = await db.passkey.updateMany({
    where: { id: input.id, userId: input.userId },
    data: { name },
  });
  return renamed.count === 1;
}

/** Removes one of the user's passkeys; false when it is not theirs or already gone. */
export async function removePasskey(input: { userId: string; id: string }) {
  const removed = await db.passkey.deleteMany({ where: { id: input.id, userId: input.userId } });
  return removed.count === 1;
}
