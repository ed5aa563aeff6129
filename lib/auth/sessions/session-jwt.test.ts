import { describe, expect, it } from 'vitest';
import { decode as authjsDecode, encode as authjsEncode } from 'next-auth/jwt';
import { decodeSessionJwt, encodeSessionJwt } from './session-jwt';

// The session cookie written with the cached key must be the cookie Auth.js writes: each side
// reads the other's, a wrong secret or salt, a changed byte or a passed expiry is refused, and a
// rotated secret list still reads cookies of the old secret.

const secret = 'a-session-secret-of-at-least-thirty-two-characters';
const salt = 'latchkey.session';
const claims = { sub: 'user-1', sid: 'session-secret-id' };

describe('session JWT with a cached derived key', () => {
  it('reads what Auth.js writes, and Auth.js reads what it writes', async () => {
    const ours = await encodeSessionJwt({ token: claims, secret, salt, maxAge: 3600 });
    const theirs = await authjsEncode({ token: claims, secret, salt, maxAge: 3600 });
    expect(await authjsDecode({ token: ours, secret, salt })).toMatchObject(claims);
    expect(await decodeSessionJwt({ token: theirs, secret, salt })).toMatchObject(claims);
    // The same header: algorithm, encryption and the key's thumbprint.
    const header = (jwt: string) =>
      JSON.parse(Buffer.from(jwt.split('.')[0]!, 'base64url').toString());
    expect(header(ours)).toEqual(header(theirs));
  });

  it('sets iat, exp = iat + maxAge and a fresh jti, as Auth.js does', async () => {
    const before = Math.floor(Date.now() / 1000);
    const token = await encodeSessionJwt({ token: claims, secret, salt, maxAge: 600 });
    const again = await encodeSessionJwt({ token: claims, secret, salt, maxAge: 600 });
    const payload = await decodeSessionJwt({ token, secret, salt });
    expect(payload?.iat).toBeGreaterThanOrEqual(before);
    expect(payload!.exp! - payload!.iat!).toBe(600);
    expect(payload?.jti).toMatch(/^[0-9a-f-]{36}$/);
    expect((await decodeSessionJwt({ token: again, secret, salt }))?.jti).not.toBe(payload?.jti);
  });

  it('refuses a cookie made with another secret or for another cookie name', async () => {
    const token = await encodeSessionJwt({ token: claims, secret, salt });
    await expect(decodeSessionJwt({ token, secret: `${secret}-other`, salt })).rejects.toThrow();
    await expect(decodeSessionJwt({ token, secret, salt: 'latchkey.ticket' })).rejects.toThrow();
  });

  it('refuses a changed byte and an expired cookie', async () => {
    const token = await encodeSessionJwt({ token: claims, secret, salt });
    const parts = token.split('.');
    const body = Buffer.from(parts[3]!, 'base64url');
    body[0] = body[0]! ^ 1;
    parts[3] = body.toString('base64url');
    await expect(decodeSessionJwt({ token: parts.join('.'), secret, salt })).rejects.toThrow();
    // Expired well past the 15 s of clock tolerance Auth.js allows.
    const expired = await encodeSessionJwt({ token: claims, secret, salt, maxAge: -60 });
    await expect(decodeSessionJwt({ token: expired, secret, salt })).rejects.toThrow(/exp/);
    await expect(authjsDecode({ token: expired, secret, salt })).rejects.toThrow(/exp/);
  });

  it('with rotated secrets, writes with the first and reads cookies of either', async () => {
    const old = await encodeSessionJwt({ token: claims, secret, salt });
    const rotated = [`${secret}-new`, secret];
    const fresh = await encodeSessionJwt({ token: claims, secret: rotated, salt });
    expect(await decodeSessionJwt({ token: old, secret: rotated, salt })).toMatchObject(claims);
    expect(await authjsDecode({ token: fresh, secret: [`${secret}-new`], salt })).toMatchObject(
      claims,
    );
    await expect(decodeSessionJwt({ token: fresh, secret, salt })).rejects.toThrow();
  });

  it('an empty cookie is no session', async () => {
    expect(await decodeSessionJwt({ token: '', secret, salt })).toBeNull();
  });
});
