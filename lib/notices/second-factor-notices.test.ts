import { describe, expect, it } from 'vitest';
import type { OutgoingMessage } from '@/lib/delivery/sender';
import { backupCodeUsedNotice } from './backup-code-used-notice';
import {
  twoStepMethodChangedNotice,
  type TwoStepMethod,
  type TwoStepMethodChange,
} from './two-step-method-changed-notice';

const at = new Date('2026-05-04T09:30:12Z');
const origin = 'https://login.example.com';
const page = 'https://login.example.com/account/two-step';

/** No one-time code, backup code or key: no code field, nothing in the text shaped like one. */
function expectNoCode(message: OutgoingMessage) {
  expect(message.code).toBeUndefined();
  expect(message.text).not.toMatch(/\d{6}/);
  expect(message.text).not.toMatch(/\b[a-z2-9]{5}-[a-z2-9]{5}\b/);
  expect(message.text).not.toMatch(/\b[A-Z2-7]{16,}\b/); // a base32 TOTP secret
}

const METHODS: TwoStepMethod[] = ['authenticator-app', 'backup-codes', 'passkey'];
const CHANGES: TwoStepMethodChange[] = ['added', 'removed', 'regenerated', 'reset-by-admin'];

describe('twoStepMethodChangedNotice', () => {
  const notice = (method: TwoStepMethod, change: TwoStepMethodChange) =>
    twoStepMethodChangedNotice({ to: 'ada@example.com', method, change, at, origin });

  it('subjects name the method and the change', () => {
    expect(notice('authenticator-app', 'added').subject).toBe(
      'An authenticator app was added to your Latchkey account',
    );
    expect(notice('authenticator-app', 'removed').subject).toBe(
      'An authenticator app was removed from your Latchkey account',
    );
    expect(notice('backup-codes', 'regenerated').subject).toBe(
      'New backup codes were generated for your Latchkey account',
    );
    expect(notice('passkey', 'added').subject).toBe('A passkey was added to your Latchkey account');
    expect(notice('authenticator-app', 'reset-by-admin').subject).toBe(
      'An administrator removed the authenticator app from your Latchkey account',
    );
  });

  it('every pair: an email to the owner naming the change, the time and what to do, no code', () => {
    const subjects = new Set<string>();
    for (const method of METHODS)
      for (const change of CHANGES) {
        const message = notice(method, change);
        subjects.add(message.subject!);
        expect(message).toMatchObject({ channel: 'email', to: 'ada@example.com' });
        expect(message.text.split('\n')[0]).toBe(`${message.subject}.`);
        expect(message.text).toContain('When: 2026-05-04 09:30 UTC');
        expect(message.text).toContain('change your password');
        expect(message.text).toContain('administrator');
        expect(message.text).toContain(page);
        expectNoCode(message);
      }
    expect(subjects.size).toBe(METHODS.length * CHANGES.length);
  });
});

describe('backupCodeUsedNotice', () => {
  const notice = (left: number, ip: string | null = '203.0.113.7') =>
    backupCodeUsedNotice({ to: 'ada@example.com', left, at, ip, origin });

  it('subject, time, place and the count left; no code', () => {
    const message = notice(5);
    expect(message).toMatchObject({
      channel: 'email',
      to: 'ada@example.com',
      subject: 'A backup code was used to sign in to your Latchkey account',
    });
    expect(message.text).toContain('When: 2026-05-04 09:30 UTC');
    expect(message.text).toContain('IP address: 203.0.113.7');
    expect(message.text).toContain('You have 5 backup codes left.');
    expect(message.text).toContain('change your password');
    expectNoCode(message);
    expect(notice(5, null).text).toContain('IP address: unknown');
  });

  it('suggests new codes at 2 left or fewer, not at 5', () => {
    const suggests = (left: number) =>
      /Generate new ones on the Two-step sign-in page/.test(notice(left).text);
    expect(suggests(5)).toBe(false);
    expect(suggests(3)).toBe(false);
    expect(suggests(2)).toBe(true);
    expect(notice(2).text).toContain(`You have 2 backup codes left. Generate new ones`);
    expect(notice(2).text).toContain(page);
    expect(notice(1).text).toContain('You have 1 backup code left.');
    expect(notice(0).text).toContain('You have no backup codes left. Generate new ones');
  });
});
