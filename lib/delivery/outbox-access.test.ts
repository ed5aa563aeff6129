import { describe, expect, it } from 'vitest';
import { mayReadOutbox, OUTBOX_TOKEN_HEADER, outboxGuard } from './outbox-access';

// The decision /dev/outbox and /api/dev/outbox take (both answer 404 on `false`). The routes
// themselves, with real sessions, are covered end to end by tests/e2e/outbox-access.spec.ts.

const TOKEN = 'an-outbox-token-of-at-least-32-characters';
const production = outboxGuard({ enabled: true, nodeEnv: 'production', token: TOKEN });

const withToken = (token?: string) =>
  new Headers(token === undefined ? {} : { [OUTBOX_TOKEN_HEADER]: token });
const admin = async () => true;
const notAdmin = async () => false;

describe('who may read the outbox', () => {
  it('OTP-07 RC-02: in production mode, no token and no admin session is refused', async () => {
    expect(production).toEqual({ mode: 'guarded', token: TOKEN });
    expect(await mayReadOutbox(production, withToken(), notAdmin)).toBe(false);
  });

  it('OTP-07 RC-02: in production mode, a wrong, empty, longer or shorter token is refused', async () => {
    for (const token of ['', 'x', TOKEN.slice(1), `${TOKEN}x`, TOKEN.toUpperCase()])
      expect(await mayReadOutbox(production, withToken(token), notAdmin), token).toBe(false);
    // The token goes in its own header, not as a bearer token or a query parameter.
    const bearer = new Headers({ authorization: `Bearer ${TOKEN}` });
    expect(await mayReadOutbox(production, bearer, notAdmin)).toBe(false);
  });

  it('in production mode, the right token reads it without asking for a session', async () => {
    let asked = false;
    const isAdmin = async () => ((asked = true), false);
    expect(await mayReadOutbox(production, withToken(TOKEN), isAdmin)).toBe(true);
    expect(asked).toBe(false);
  });

  it('OTP-07 RC-02: in production mode, a signed-in non-admin is refused and a signed-in admin reads it', async () => {
    expect(await mayReadOutbox(production, withToken('wrong'), notAdmin)).toBe(false);
    expect(await mayReadOutbox(production, withToken(), admin)).toBe(true);
  });

  it('a production start missing its token (env checks skipped) lets only admins in', async () => {
    const untokened = outboxGuard({ enabled: true, nodeEnv: 'production', token: undefined });
    expect(await mayReadOutbox(untokened, withToken(''), notAdmin)).toBe(false);
    expect(await mayReadOutbox(untokened, withToken('undefined'), notAdmin)).toBe(false);
    expect(await mayReadOutbox(untokened, withToken(), admin)).toBe(true);
  });

  it('development and tests keep it open with no setting; with the outbox off nobody reads it', async () => {
    for (const nodeEnv of ['development', 'test']) {
      const open = outboxGuard({ enabled: true, nodeEnv, token: undefined });
      expect(await mayReadOutbox(open, withToken(), notAdmin)).toBe(true);
    }
    const off = outboxGuard({ enabled: false, nodeEnv: 'production', token: TOKEN });
    expect(await mayReadOutbox(off, withToken(TOKEN), admin)).toBe(false);
  });
});
