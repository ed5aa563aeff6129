import { describe, expect, it } from 'vitest';
import { checkPassword, PASSWORD_HASH_OPTIONS } from '@/lib/auth/password';
import { INVITED_PASSWORD_HASH } from './invited-password';

describe('the password hash of invited users', () => {
  it('PW-10 has the parameters every password is hashed with, so checking against it costs what a real check costs', () => {
    const { memoryCost, timeCost, parallelism } = PASSWORD_HASH_OPTIONS;
    expect(INVITED_PASSWORD_HASH).toMatch(
      new RegExp(
        `^\\$argon2id\\$v=19\\$m=${memoryCost},t=${timeCost},p=${parallelism}\\$[A-Za-z0-9+/]{22}\\$[A-Za-z0-9+/]{43}$`,
      ),
    );
  });

  it('CSV-03 matches no password, and a check against it fails without throwing', async () => {
    for (const guess of ['', 'password', 'invited', '!', INVITED_PASSWORD_HASH, 'x'.repeat(2000)]) {
      await expect(checkPassword(guess, INVITED_PASSWORD_HASH)).resolves.toEqual({ ok: false });
    }
  });
});
