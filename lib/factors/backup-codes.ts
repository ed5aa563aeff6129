import 'server-only';
import { createHmac, hkdfSync, randomInt } from 'node:crypto';
import { db } from '@/lib/db';
import { env } from '@/lib/env';

/** Codes in a set. */
export const BACKUP_CODE_COUNT = 10;
/** At this many unused codes or fewer, the account page suggests a new set. */
export const BACKUP_CODES_LOW = 2;

// No 0/O/1/l/I/i: a code is read off paper and typed by hand. 31 symbols, 10 of them per code,
// is about 49.5 bits, which a keyed hash and single use make plenty for a code typed once.
const ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789';
const CODE_LENGTH = 10;
const WELL_FORMED = new RegExp(`^[${ALPHABET}]{${CODE_LENGTH}}$`);

/** The key that hashes backup codes, derived from AUTH_SECRET apart from every other key. */
export function deriveBackupCodeKey(secret: string): Buffer {
  return Buffer.from(hkdfSync('sha256', secret, 'latchkey', 'latchkey backup code v1', 32));
}

let cachedKey: Buffer | undefined;
const backupCodeKey = () => (cachedKey ??= deriveBackupCodeKey(env.AUTH_SECRET));

/**
 * What the database keeps instead of the code (OTP-07): a keyed hash, so a copy of the table
 * without AUTH_SECRET cannot be searched for codes offline. `code` is the normalised form.
 */
export function hashBackupCode(key: Buffer, code: string): string {
  return createHmac('sha256', key).update(code).digest('base64url');
}

/**
 * The code as typed, reduced to its characters: lower case, whitespace and dashes gone (also the
 * Unicode dashes a phone or word processor may put in when the code is pasted from a note).
 */
export function normaliseBackupCode(typed: string): string {
  return typed.toLowerCase().replace(/[\s\u2010-\u2015-]/g, '');
}

export function isWellFormedBackupCode(typed: string): boolean {
  return WELL_FORMED.test(normaliseBackupCode(typed));
}

/** The form shown to the user, `xxxxx-xxxxx`; `code` is the normalised form. */
export function formatBackupCode(code: string): string {
  return `${code.slice(0, 5)}-${code.slice(5)}`;
}

/** One code from the CSPRNG (OTP-01); randomInt draws without modulo bias. */
function randomBackupCode(): string {
  let code = '';
  for (let i = 0; i < CODE_LENGTH; i++) code += ALPHABET[randomInt(0, ALPHABET.length)];
  return code;
}

/**
 * A new set for the user, replacing the old one (used codes too) in one transaction, so there is
 * never a moment with both sets or neither. Returns the codes formatted for display: they are
 * shown once and exist nowhere else afterwards.
 */
export async function generateBackupCodes(input: { userId: string; now: Date }): Promise<string[]> {
  const codes = new Set<string>();
  // A repeat within a set is vanishingly unlikely, but would break the unique hash on insert.
  while (codes.size < BACKUP_CODE_COUNT) codes.add(randomBackupCode());
  const key = backupCodeKey();
  await db.$transaction([
    db.backupCode.deleteMany({ where: { userId: input.userId } }),
    db.backupCode.createMany({
      data: [...codes].map((code) => ({
        userId: input.userId,
        codeHash: hashBackupCode(key, code),
        createdAt: input.now,
      })),
    }),
  ]);
  return [...codes].map(formatBackupCode);
}

/** Unused codes the user still holds. */
export function countBackupCodesLeft(userId: string): Promise<number> {
  return db.backupCode.count({ where: { userId, usedAt: null } });
}

export async function hasBackupCodes(userId: string): Promise<boolean> {
  return (
    (await db.backupCode.findFirst({ where: { userId, usedAt: null }, select: { id: true } })) !==
    null
  );
}

export type BackupCodeOutcome =
  { ok: true; left: number } | { ok: false; reason: 'malformed' | 'mismatch' };

/**
 * Spends a code (OTP-03). The conditional update is the check and the spend in one statement:
 * of concurrent uses of one code, only the one that flips usedAt from null counts. The userId in
 * the condition keeps another user's code from ever matching.
 */
export async function spendBackupCode(input: {
  userId: string;
  code: string;
  now: Date;
}): Promise<BackupCodeOutcome> {
  const code = normaliseBackupCode(input.code);
  if (!WELL_FORMED.test(code)) return { ok: false, reason: 'malformed' };
  const { count } = await db.backupCode.updateMany({
    where: { userId: input.userId, codeHash: hashBackupCode(backupCodeKey(), code), usedAt: null },
    data: { usedAt: input.now },
  });
  if (count !== 1) return { ok: false, reason: 'mismatch' };
  return { ok: true, left: await countBackupCodesLeft(input.userId) };
}

/** Deletes every code of the user, used or not; returns how many rows went. */
export async function removeBackupCodes(userId: string): Promise<number> {
  return (await db.backupCode.deleteMany({ where: { userId } })).count;
}

// The same function under the name the pages were promised. A name starting with "use" reads as a
// React hook to the lint (react-hooks/rules-of-hooks), which then refuses a call from a server
// action or route handler; callers outside components import spendBackupCode, or alias this one.
