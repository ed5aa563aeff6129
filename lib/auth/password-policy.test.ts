import { describe, expect, it } from 'vitest';
import {
  checkPasswordPolicy,
  commonPasswordCount,
  PASSWORD_MIN_CODE_POINTS,
  PASSWORD_MIN_CODE_POINTS_SINGLE_FACTOR,
  PASSWORD_POLICY_MAX_CODE_POINTS,
} from './password-policy';

const twoFactor = { canBeOnlyFactor: false, username: 'jdoe', email: 'jane.doe@example.com' };
const singleFactor = { ...twoFactor, canBeOnlyFactor: true };

describe('password policy', () => {
  it('PW-01 at least 8 code points with a second factor, 15 where the password can be the only one', () => {
    expect(PASSWORD_MIN_CODE_POINTS).toBe(8);
    expect(PASSWORD_MIN_CODE_POINTS_SINGLE_FACTOR).toBe(15);
    expect(checkPasswordPolicy('sevenCh', twoFactor)).toMatchObject({
      ok: false,
      reason: 'too-short',
      message: expect.stringMatching(/at least 8 characters/),
    });
    expect(checkPasswordPolicy('eight ch', twoFactor)).toEqual({ ok: true });
    expect(checkPasswordPolicy('fourteen chars', singleFactor)).toMatchObject({
      ok: false,
      reason: 'too-short',
      message: expect.stringMatching(/at least 15 characters, because/),
    });
    expect(checkPasswordPolicy('fifteen chars!!', singleFactor)).toEqual({ ok: true });
  });

  it('PW-01 length counts Unicode code points, not UTF-16 units or bytes', () => {
    expect(checkPasswordPolicy('🐙🐙🐙🐙🐙🐙🐙', twoFactor)).toMatchObject({ reason: 'too-short' }); // 7 code points, 14 units
    expect(checkPasswordPolicy('🐙🐙🐙🐙🐙🐙🐙🐙', twoFactor)).toEqual({ ok: true });
    expect(checkPasswordPolicy('ééééééé', twoFactor)).toMatchObject({ reason: 'too-short' });
  });

  it('PW-02 accepts 64 and up to 1024 code points whole, refuses more instead of truncating', () => {
    expect(checkPasswordPolicy('correct horse '.repeat(5).slice(0, 64), singleFactor)).toEqual({
      ok: true,
    });
    expect(checkPasswordPolicy('q'.repeat(PASSWORD_POLICY_MAX_CODE_POINTS), singleFactor)).toEqual({
      ok: true,
    });
    expect(
      checkPasswordPolicy('q'.repeat(PASSWORD_POLICY_MAX_CODE_POINTS + 1), singleFactor),
    ).toMatchObject({ ok: false, reason: 'too-long', message: 'Use at most 1024 characters.' });
  });

  it('PW-03 no composition rules: all lower case, all spaces or all digits of a fine length pass', () => {
    for (const password of [
      'all lower case words',
      '                ',
      '8302749105729384',
      'ÅÄÖ üñíçødé pässwörd',
    ]) {
      expect(checkPasswordPolicy(password, singleFactor), JSON.stringify(password)).toEqual({
        ok: true,
      });
    }
  });

  it('PW-04 the shipped common-password list has at least 3,000 entries and is checked, case-insensitively, with digits and symbols around it', () => {
    expect(commonPasswordCount()).toBeGreaterThanOrEqual(3000);
    for (const password of [
      'password',
      'PASSWORD1',
      'qwertyuiop',
      'iloveyou',
      'Password2026!',
      '!!baseball1234',
      'trustno1',
    ]) {
      expect(checkPasswordPolicy(password, twoFactor), password).toMatchObject({
        ok: false,
        reason: 'common',
        message: expect.stringMatching(/commonly used passwords/),
      });
    }
    expect(checkPasswordPolicy('ｐａｓｓｗｏｒｄ', twoFactor)).toMatchObject({ reason: 'common' }); // full-width, NFKC-folded
  });

  it('PW-04 context words: the product name, the username and parts of the email address, saying why', () => {
    const refused = {
      ok: false,
      reason: 'context',
      message: expect.stringMatching(/product name, your username or your email address/),
    };
    expect(checkPasswordPolicy('my Latchkey account', singleFactor)).toMatchObject(refused);
    expect(checkPasswordPolicy('jdoe is my password', singleFactor)).toMatchObject(refused);
    expect(checkPasswordPolicy('jane.doe@example.com', singleFactor)).toMatchObject(refused);
    expect(checkPasswordPolicy('dear jane, a poem of old', singleFactor)).toMatchObject(refused); // "jane" from the address
    expect(checkPasswordPolicy('a tale of two cities', singleFactor)).toEqual({ ok: true });
  });
});
