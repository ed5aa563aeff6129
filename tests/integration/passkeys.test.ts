import { createHash, generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import { isoCBOR } from '@simplewebauthn/server/helpers';
import { describe, expect, it } from 'vitest';
import { db } from '@/lib/db';
import {
  finishPasskeyRegistration,
  removeOwnPasskey,
  startPasskeyRegistration,
} from '@/lib/account/passkey-methods';
import { confirmFreshCode, sendFreshCode } from '@/lib/auth/fresh-code';
import { completeSignIn, submitPassword } from '@/lib/auth/sign-in';
import { viewTicket } from '@/lib/auth/sign-in-code';
import { startPasskeySignIn, submitPasskey } from '@/lib/auth/sign-in-passkey';
import { codeFailuresKey } from '@/lib/challenges/challenge-deps';
import {
  listPasskeys,
  normalizePasskeyName,
  passkeyRegistrationOptions,
  registerPasskey,
  relyingPartyFor,
  type PasskeyDeps,
} from '@/lib/factors/passkeys';
import { securitySetup, who as securityWho } from '../support/account-security-fixtures';
import { freshIp, limitedDeps } from '../support/limit-fixtures';
import { createUser, manualClock, PASSWORD } from '../support/sign-in-fixtures';

// Passkeys against a software authenticator: a P-256 key that answers challenges the way a
// browser's authenticator does ('none' attestation), so registration and sign-in run through the
// real WebAuthn verification, the real store and the real database.

const who = { ip: '203.0.113.78', userAgent: 'vitest' };

function softAuthenticator(origin: string) {
  const rpIdHash = createHash('sha256').update(new URL(origin).hostname).digest();
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const jwk = publicKey.export({ format: 'jwk' });
  const rawId = randomBytes(16);
  const id = rawId.toString('base64url');
  let counter = 0;
  const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64url');
  const u32 = (n: number) => Buffer.from([n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255]);
  const clientData = (type: string, challenge: string) =>
    Buffer.from(JSON.stringify({ type, challenge, origin, crossOrigin: false }));
  return {
    id,
    create(challenge: string) {
      const cose = isoCBOR.encode(
        new Map<number, number | Uint8Array>([
          [1, 2],
          [3, -7],
          [-1, 1],
          [-2, Buffer.from(jwk.x!, 'base64url')],
          [-3, Buffer.from(jwk.y!, 'base64url')],
        ]),
      );
      const authData = Buffer.concat([
        rpIdHash,
        Buffer.from([0x45]), // user present, verified, credential data attached
        u32(counter),
        Buffer.alloc(16),
        Buffer.from([0, rawId.length]),
        rawId,
        cose,
      ]);
      const attestation = isoCBOR.encode(
        new Map<string, string | Uint8Array | Map<string, string>>([
          ['fmt', 'none'],
          ['attStmt', new Map()],
          ['authData', authData],
        ]),
      );
      const response = {
        clientDataJSON: b64(clientData('webauthn.create', challenge)),
        attestationObject: b64(attestation),
        transports: ['internal'],
      };
      return JSON.stringify({
        id,
        rawId: id,
        type: 'public-key',
        response,
        clientExtensionResults: {},
      });
    },
    get(challenge: string) {
      counter += 1;
      const authData = Buffer.concat([rpIdHash, Buffer.from([0x05]), u32(counter)]);
      const data = clientData('webauthn.get', challenge);
      const signed = Buffer.concat([authData, createHash('sha256').update(data).digest()]);
      const response = {
        clientDataJSON: b64(data),
        authenticatorData: b64(authData),
        signature: b64(sign('sha256', signed, privateKey)),
      };
      return JSON.stringify({
        id,
        rawId: id,
        type: 'public-key',
        response,
        clientExtensionResults: {},
      });
    },
  };
}

function setup() {
  const clock = manualClock();
  const deps = limitedDeps({ now: clock.now });
  const pk: PasskeyDeps = {
    store: deps.store,
    now: clock.now,
    rp: relyingPartyFor(deps.config.origin),
  };
  return { clock, deps, pk };
}

/** A user with one passkey (made straight through lib/factors), and its authenticator. */
async function userWithPasskey(pk: PasskeyDeps, name = 'Work laptop') {
  const user = await createUser();
  const key = softAuthenticator(pk.rp.origin);
  const sessionId = `session-${user.id}`;
  const options = await passkeyRegistrationOptions(pk, {
    userId: user.id,
    username: user.username,
    sessionId,
  });
  const result = await registerPasskey(pk, {
    userId: user.id,
    sessionId,
    name,
    response: key.create(options.challenge),
  });
  expect(result).toMatchObject({ ok: true, id: key.id });
  return { user, key, sessionId };
}

async function ticketFor(deps: ReturnType<typeof limitedDeps>, username: string) {
  const result = await submitPassword(deps, {
    username,
    password: PASSWORD,
    ip: freshIp(),
    userAgent: 'vitest',
  });
  if (!result.ok) throw new Error('password step failed');
  return result.ticketId;
}

describe('passkey registration', () => {
  it('stores the credential with the trimmed name; its challenge works once and only for its session', async () => {
    const { pk } = setup();
    const { user, key, sessionId } = await userWithPasskey(pk, '  Work laptop  ');
    expect(await listPasskeys(user.id)).toEqual([
      expect.objectContaining({ id: key.id, name: 'Work laptop', lastUsedAt: null }),
    ]);
    const row = await db.passkey.findUniqueOrThrow({ where: { id: key.id } });
    expect(row).toMatchObject({ userId: user.id, counter: 0, transports: 'internal' });

    // The next options exclude it, so the same authenticator is not registered twice.
    const next = await passkeyRegistrationOptions(pk, {
      userId: user.id,
      username: user.username,
      sessionId,
    });
    expect(next.excludeCredentials?.map((c) => c.id)).toEqual([key.id]);
    expect(next.rp).toEqual({ id: pk.rp.id, name: 'Latchkey' });
    // Another session has no challenge to answer; nor has this one once the challenge is used.
    const other = softAuthenticator(pk.rp.origin);
    expect(
      await registerPasskey(pk, {
        userId: user.id,
        sessionId: 'another',
        name: 'x',
        response: other.create(next.challenge),
      }),
    ).toEqual({ ok: false, reason: 'no-challenge' });
    const answer = other.create(next.challenge);
    expect(
      await registerPasskey(pk, { userId: user.id, sessionId, name: 'Phone', response: answer }),
    ).toMatchObject({ ok: true });
    expect(
      await registerPasskey(pk, { userId: user.id, sessionId, name: 'Phone', response: answer }),
    ).toEqual({
      ok: false,
      reason: 'no-challenge',
    });
  });

  it('refuses a name that is empty, longer than 60 characters or has control characters, before using the challenge', async () => {
    expect(normalizePasskeyName('   ')).toBeNull();
    expect(normalizePasskeyName('x'.repeat(61))).toBeNull();
    expect(normalizePasskeyName('a\nb')).toBeNull();
    expect(normalizePasskeyName('<b>Laptop</b>')).toBe('<b>Laptop</b>');
    expect(normalizePasskeyName('é'.repeat(60))).toBe('é'.repeat(60));
    const { pk } = setup();
    const user = await createUser();
    const options = await passkeyRegistrationOptions(pk, {
      userId: user.id,
      username: user.username,
      sessionId: 's',
    });
    const response = softAuthenticator(pk.rp.origin).create(options.challenge);
    expect(
      await registerPasskey(pk, { userId: user.id, sessionId: 's', name: '', response }),
    ).toEqual({
      ok: false,
      reason: 'bad-name',
    });
    expect(
      await registerPasskey(pk, { userId: user.id, sessionId: 's', name: 'Key', response }),
    ).toMatchObject({ ok: true });
  });

  it('refuses a response signed for another origin', async () => {
    const { pk } = setup();
    const user = await createUser();
    const options = await passkeyRegistrationOptions(pk, {
      userId: user.id,
      username: user.username,
      sessionId: 's',
    });
    const response = softAuthenticator('https://latchkey.example.net').create(options.challenge);
    expect(
      await registerPasskey(pk, { userId: user.id, sessionId: 's', name: 'Key', response }),
    ).toEqual({
      ok: false,
      reason: 'not-verified',
    });
    expect(await listPasskeys(user.id)).toEqual([]);
  });
});

describe('sign-in with a passkey', () => {
  it('the method page offers it; the signed challenge signs in once and moves the counter and last use', async () => {
    const t = setup();
    const { user, key } = await userWithPasskey(t.pk);
    const ticketId = await ticketFor(t.deps, user.username);
    expect((await viewTicket(t.deps, ticketId))?.factors).toMatchObject({ passkey: true });
    const started = await startPasskeySignIn(t.deps, ticketId);
    if (!started.ok) throw new Error('no options');
    expect(started.options.allowCredentials?.map((c) => c.id)).toEqual([key.id]);
    const response = key.get(started.options.challenge);
    expect(await submitPasskey(t.deps, { ticketId, response, ...who })).toEqual({
      ok: true,
      next: 'session',
    });
    expect(await completeSignIn(t.deps, { ticketId, ...who })).toMatchObject({
      userId: user.id,
      method: 'passkey',
    });
    const row = await db.passkey.findUniqueOrThrow({ where: { id: key.id } });
    expect(row.counter).toBe(1);
    expect(row.lastUsedAt).toEqual(new Date(t.clock.now()));

    // The same answer on a new sign-in: its challenge is gone, and a new one does not match it.
    const again = await ticketFor(t.deps, user.username);
    expect(await submitPasskey(t.deps, { ticketId: again, response, ...who })).toEqual({
      ok: false,
      reason: 'malformed',
    });
    await startPasskeySignIn(t.deps, again);
    expect(await submitPasskey(t.deps, { ticketId: again, response, ...who })).toMatchObject({
      ok: false,
      reason: 'mismatch',
    });
    expect(await t.deps.store.get(codeFailuresKey(user.id))).toBe(1);
  });

  it("another user's passkey never counts, even signing this sign-in's own challenge", async () => {
    const t = setup();
    const { user } = await userWithPasskey(t.pk);
    const { key: othersKey } = await userWithPasskey(t.pk, 'Not yours');
    const ticketId = await ticketFor(t.deps, user.username);
    const started = await startPasskeySignIn(t.deps, ticketId);
    if (!started.ok) throw new Error('no options');
    const response = othersKey.get(started.options.challenge);
    expect(await submitPasskey(t.deps, { ticketId, response, ...who })).toMatchObject({
      ok: false,
      reason: 'mismatch',
    });
    expect(await t.deps.store.get(codeFailuresKey(user.id))).toBe(1);
  });

  it('is not offered to someone without a passkey; garbage is no guess; trust leads to the device name', async () => {
    const t = setup();
    const plain = await createUser();
    const plainTicket = await ticketFor(t.deps, plain.username);
    expect((await viewTicket(t.deps, plainTicket))?.factors.passkey).toBe(false);
    expect(await startPasskeySignIn(t.deps, plainTicket)).toEqual({
      ok: false,
      reason: 'no-passkey',
    });

    const { user, key } = await userWithPasskey(t.pk);
    const ticketId = await ticketFor(t.deps, user.username);
    const started = await startPasskeySignIn(t.deps, ticketId);
    if (!started.ok) throw new Error('no options');
    expect(await submitPasskey(t.deps, { ticketId, response: '{"id":1}', ...who })).toEqual({
      ok: false,
      reason: 'malformed',
    });
    const response = key.get(started.options.challenge);
    expect(await submitPasskey(t.deps, { ticketId, response, trust: true, ...who })).toEqual({
      ok: true,
      next: 'device-name',
    });
  });
});

describe('passkeys on the Two-step sign-in page', () => {
  it('SE-07 adding and removing need this session’s fresh code; each change is audited and emailed (RC-05)', async () => {
    const t = securitySetup();
    const user = await createUser();
    const me = { userId: user.id, ...securityWho };
    expect(await startPasskeyRegistration(t.deps, { ...me, username: user.username })).toEqual({
      ok: false,
      reason: 'not-fresh',
    });
    await sendFreshCode(t.deps, { userId: user.id, action: 'two-step', ...securityWho });
    expect(
      await confirmFreshCode(t.deps, {
        userId: user.id,
        code: t.sender.last().code!,
        ...securityWho,
      }),
    ).toEqual({ ok: true });

    const started = await startPasskeyRegistration(t.deps, { ...me, username: user.username });
    if (!started.ok) throw new Error('not fresh');
    expect(started.options.rp.id).toBe(new URL(t.deps.config.origin).hostname);
    const key = softAuthenticator(t.deps.config.origin);
    // Another session of the same account cannot finish this session's registration.
    t.session.id = 'session-b';
    expect(
      await finishPasskeyRegistration(t.deps, {
        ...me,
        name: 'Work laptop',
        response: key.create(started.options.challenge),
      }),
    ).toEqual({
      ok: false,
      reason: 'not-fresh',
    });
    t.session.id = 'session-a';
    expect(
      await finishPasskeyRegistration(t.deps, {
        ...me,
        name: 'Work laptop',
        response: key.create(started.options.challenge),
      }),
    ).toMatchObject({ ok: true, name: 'Work laptop' });
    expect(t.sender.last().subject).toBe('A passkey was added to your Latchkey account');

    expect(await removeOwnPasskey(t.deps, { ...me, passkeyId: key.id })).toEqual({
      ok: true,
      removed: true,
    });
    expect(t.sender.last().subject).toBe('A passkey was removed from your Latchkey account');
    expect(await removeOwnPasskey(t.deps, { ...me, passkeyId: key.id })).toEqual({
      ok: true,
      removed: false,
    });
    const events = await db.auditEvent.findMany({
      where: { userId: user.id, type: 'two_step.changed' },
      orderBy: { createdAt: 'asc' },
    });
    expect(events.map((e) => e.detail)).toEqual([
      { method: 'passkey', change: 'added' },
      { method: 'passkey', change: 'removed' },
    ]);
  });
});
