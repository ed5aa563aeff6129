import { describe, expect, it } from 'vitest';
import { db } from '@/lib/db';
import { env } from '@/lib/env';
import {
  BACKUP_CODE_COUNT,
  countBackupCodesLeft,
  deriveBackupCodeKey,
  generateBackupCodes,
  hasBackupCodes,
  hashBackupCode,
  isWellFormedBackupCode,
  normaliseBackupCode,
  removeBackupCodes,
  spendBackupCode,
} from '@/lib/factors/backup-codes';
import { createUser } from '../support/sign-in-fixtures';

const now = new Date('2026-05-04T09:30:00Z');
const spend = (userId: string, code: string) => spendBackupCode({ userId, code, now });

describe('backup codes', () => {
  it('OTP-01 ten codes from a CSPRNG in the unambiguous alphabet, all different', async () => {
    const user = await createUser();
    const codes = await generateBackupCodes({ userId: user.id, now });
    expect(codes).toHaveLength(BACKUP_CODE_COUNT);
    for (const code of codes) {
      expect(code).toMatch(/^[a-hjkmnp-z2-9]{5}-[a-hjkmnp-z2-9]{5}$/);
      expect(code).not.toMatch(/[01ilo]/);
      expect(isWellFormedBackupCode(code)).toBe(true);
    }
    expect(new Set(codes).size).toBe(BACKUP_CODE_COUNT);

    // Another set shares no code with the first: the draws are not from a fixed sequence.
    const again = await generateBackupCodes({ userId: user.id, now });
    expect(again.filter((code) => codes.includes(code))).toEqual([]);
  });

  it('OTP-07 only keyed hashes are stored: no row holds a code', async () => {
    const user = await createUser();
    const codes = await generateBackupCodes({ userId: user.id, now });
    const rows = await db.backupCode.findMany({ where: { userId: user.id } });
    expect(rows).toHaveLength(BACKUP_CODE_COUNT);

    const stored = JSON.stringify(rows);
    for (const code of codes) {
      expect(stored).not.toContain(code);
      expect(stored).not.toContain(normaliseBackupCode(code));
    }
    const key = deriveBackupCodeKey(env.AUTH_SECRET);
    expect(rows.map((row) => row.codeHash).sort()).toEqual(
      codes.map((code) => hashBackupCode(key, normaliseBackupCode(code))).sort(),
    );
    // Keyed: under another secret the same code hashes differently.
    const otherKey = deriveBackupCodeKey('another secret of at least thirty-two characters');
    expect(hashBackupCode(otherKey, normaliseBackupCode(codes[0]!))).not.toBe(rows[0]!.codeHash);
    expect(
      rows.every((row) => row.usedAt === null && row.createdAt.getTime() === now.getTime()),
    ).toBe(true);
  });

  it('OTP-03 a backup code signs in once: the second use is refused; 20 concurrent uses of one code → exactly one ok', async () => {
    const user = await createUser();
    const [first, second] = await generateBackupCodes({ userId: user.id, now });

    expect(await spend(user.id, first!)).toEqual({ ok: true, left: BACKUP_CODE_COUNT - 1 });
    expect(await spend(user.id, first!)).toEqual({ ok: false, reason: 'mismatch' });
    const row = await db.backupCode.findFirst({
      where: { userId: user.id, usedAt: { not: null } },
    });
    expect(row?.usedAt).toEqual(now);

    const outcomes = await Promise.all(Array.from({ length: 20 }, () => spend(user.id, second!)));
    expect(outcomes.filter((outcome) => outcome.ok)).toEqual([
      { ok: true, left: BACKUP_CODE_COUNT - 2 },
    ]);
    expect(outcomes.filter((outcome) => !outcome.ok)).toHaveLength(19);
    expect(await countBackupCodesLeft(user.id)).toBe(BACKUP_CODE_COUNT - 2);
  });

  it('a new set voids the old one', async () => {
    const user = await createUser();
    const old = await generateBackupCodes({ userId: user.id, now });
    expect(await spend(user.id, old[0]!)).toMatchObject({ ok: true });

    const fresh = await generateBackupCodes({ userId: user.id, now });
    // The used row went with the rest: the set is whole again.
    expect(await db.backupCode.count({ where: { userId: user.id } })).toBe(BACKUP_CODE_COUNT);
    expect(await countBackupCodesLeft(user.id)).toBe(BACKUP_CODE_COUNT);
    for (const code of old.slice(1))
      expect(await spend(user.id, code)).toEqual({ ok: false, reason: 'mismatch' });
    expect(await spend(user.id, fresh[0]!)).toMatchObject({ ok: true });

    expect(await removeBackupCodes(user.id)).toBe(BACKUP_CODE_COUNT);
    expect(await hasBackupCodes(user.id)).toBe(false);
    expect(await spend(user.id, fresh[1]!)).toEqual({ ok: false, reason: 'mismatch' });
  });

  it("typed with spaces or upper case still matches; another user's code never does", async () => {
    const user = await createUser();
    const other = await createUser();
    const codes = await generateBackupCodes({ userId: user.id, now });
    const otherCodes = await generateBackupCodes({ userId: other.id, now });

    const typed = ` ${codes[0]!.replace('-', ' ').toUpperCase()} `;
    expect(await spend(user.id, typed)).toMatchObject({ ok: true });
    expect(await spend(user.id, codes[1]!.replace('-', '').toUpperCase())).toMatchObject({
      ok: true,
    });
    expect(await spend(user.id, codes[2]!.replace('-', ' - '))).toMatchObject({ ok: true });

    // The other user's code is well formed and unused, but not this user's.
    expect(await spend(user.id, otherCodes[0]!)).toEqual({ ok: false, reason: 'mismatch' });
    expect(await countBackupCodesLeft(other.id)).toBe(BACKUP_CODE_COUNT);
    expect(await spend(other.id, otherCodes[0]!)).toMatchObject({ ok: true });

    for (const malformed of [
      '',
      'abcde',
      'abcde-fghjk-m',
      'abcde-fgh0k',
      'ABCDE-FGHIK',
      '1234567890',
    ])
      expect(await spend(user.id, malformed)).toEqual({ ok: false, reason: 'malformed' });
    expect(isWellFormedBackupCode('ABCDE FGHJK')).toBe(true);
    expect(isWellFormedBackupCode('abcde_fghjk')).toBe(false);
  });

  it('the count left goes down with each use', async () => {
    const user = await createUser();
    expect(await hasBackupCodes(user.id)).toBe(false);
    expect(await countBackupCodesLeft(user.id)).toBe(0);

    const codes = await generateBackupCodes({ userId: user.id, now });
    expect(await hasBackupCodes(user.id)).toBe(true);
    for (const [i, code] of codes.entries()) {
      const left = BACKUP_CODE_COUNT - i - 1;
      expect(await spend(user.id, code)).toEqual({ ok: true, left });
      expect(await countBackupCodesLeft(user.id)).toBe(left);
    }
    expect(await hasBackupCodes(user.id)).toBe(false);
    // Used rows stay until the next set or removal.
    expect(await removeBackupCodes(user.id)).toBe(BACKUP_CODE_COUNT);
  });
});
