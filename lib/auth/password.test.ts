import { hash } from '@node-rs/argon2';
import { describe, expect, it } from 'vitest';
import {
  checkPassword,
  checkPasswordOnThisThread,
  hashPassword,
  PASSWORD_HASH_OPTIONS,
  PASSWORD_MAX_CODE_POINTS,
} from './password';

// The password-step workers hash on their own thread (checkPasswordOnThisThread, decision 0032);
// the request thread on libuv's pool (checkPassword). Both must give the same answer in every case.

describe('checking a password on this thread and on the pool', () => {
  it('PW-08 both accept the right password, refuse a wrong one, and ask for a rehash of older parameters', async () => {
    const current = await hashPassword('correct horse');
    const older = await hash('correct horse', { ...PASSWORD_HASH_OPTIONS, timeCost: 1 });
    for (const check of [checkPassword, checkPasswordOnThisThread]) {
      expect(await check('correct horse', current)).toEqual({ ok: true, needsRehash: false });
      expect(await check('correct horsE', current)).toEqual({ ok: false });
      expect(await check('correct horse', older)).toEqual({ ok: true, needsRehash: true });
    }
  });

  it('PW-10 both refuse without a hash (checked against the dummy), an over-long password and a malformed hash', async () => {
    const current = await hashPassword('x'.repeat(PASSWORD_MAX_CODE_POINTS + 1));
    for (const check of [checkPassword, checkPasswordOnThisThread]) {
      expect(await check('anything', null)).toEqual({ ok: false });
      expect(await check('x'.repeat(PASSWORD_MAX_CODE_POINTS + 1), current)).toEqual({
        ok: false,
      });
      expect(await check('anything', '$argon2id$v=19$m=19456,t=2,p=1$broken')).toEqual({
        ok: false,
      });
    }
  });
});
