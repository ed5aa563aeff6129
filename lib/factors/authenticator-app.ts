import 'server-only';
import QRCode from 'qrcode';
import { db } from '@/lib/db';
import { env } from '@/lib/env';
import { Prisma } from '@/lib/generated/prisma/client';
import {
  decryptSecret,
  encryptSecret,
  matchingStep,
  newSecretBase32,
  normalizeCode,
  otpauthUri,
  totpKey,
} from '@/lib/factors/totp';

// The authenticator app as a second factor (TOTP). A row starts unconfirmed at setup and becomes
// a way in only once the person has typed a valid code from it. Every accepted code moves
// lastUsedStep forward in one conditional UPDATE, so a code is good once, even when the same
// code arrives twice at the same moment. Counting tries and locking out are the caller's job.

export { decryptSecret, encryptSecret, totpAt } from '@/lib/factors/totp';

let cachedKey: Buffer | undefined;
const key = () => (cachedKey ??= totpKey(env.AUTH_SECRET, env.TOTP_ENCRYPTION_KEY));

export type AppSetup = { secret: string; otpauthUri: string; qrSvg: string };

async function setupView(secret: string, username: string): Promise<AppSetup> {
  const uri = otpauthUri(secret, username);
  return { secret, otpauthUri: uri, qrSvg: await QRCode.toString(uri, { type: 'svg' }) };
}

const isUniqueViolation = (error: unknown) =>
  error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002';

/** A new secret for setup, replacing an earlier unfinished one; never touches a confirmed app. */
export async function startAppEnrolment(input: {
  userId: string;
  username: string;
  now: Date;
}): Promise<({ ok: true } & AppSetup) | { ok: false; reason: 'already-enrolled' }> {
  const secret = newSecretBase32();
  const data = {
    secretEncrypted: encryptSecret(key(), secret),
    lastUsedStep: 0,
    lastUsedAt: null,
    createdAt: input.now,
  };
  // Conditional writes rather than read-then-upsert: a confirmed row is never overwritten, even
  // when a confirmation lands between our read and our write.
  const replaceUnconfirmed = () =>
    db.authenticatorApp.updateMany({ where: { userId: input.userId, confirmedAt: null }, data });
  if ((await replaceUnconfirmed()).count === 0) {
    try {
      await db.authenticatorApp.create({ data: { userId: input.userId, ...data } });
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      // Someone else made the row first: still ours to replace only while unconfirmed.
      if ((await replaceUnconfirmed()).count === 0)
        return { ok: false, reason: 'already-enrolled' };
    }
  }
  return { ok: true, ...(await setupView(secret, input.username)) };
}

/** The unfinished setup, shown again from the stored secret (a reloaded setup page). */
export async function viewPendingEnrolment(
  userId: string,
  username: string,
): Promise<AppSetup | null> {
  const row = await db.authenticatorApp.findFirst({
    where: { userId, confirmedAt: null },
    select: { secretEncrypted: true },
  });
  return row ? setupView(decryptSecret(key(), row.secretEncrypted), username) : null;
}

/** Setup counts only after a valid code: that code's step becomes the last used one. */
export async function confirmAppEnrolment(input: {
  userId: string;
  code: string;
  now: Date;
}): Promise<{ ok: true } | { ok: false; reason: 'no-enrolment' | 'malformed' | 'mismatch' }> {
  const row = await db.authenticatorApp.findFirst({
    where: { userId: input.userId, confirmedAt: null },
    select: { secretEncrypted: true },
  });
  if (!row) return { ok: false, reason: 'no-enrolment' };
  const code = normalizeCode(input.code);
  if (!code) return { ok: false, reason: 'malformed' };
  const step = matchingStep(decryptSecret(key(), row.secretEncrypted), code, input.now.getTime());
  if (step === null) return { ok: false, reason: 'mismatch' };
  // Only the secret the code was checked against: a setup restarted meanwhile has a new one.
  const { count } = await db.authenticatorApp.updateMany({
    where: { userId: input.userId, confirmedAt: null, secretEncrypted: row.secretEncrypted },
    data: { confirmedAt: input.now, lastUsedStep: step },
  });
  return count === 1 ? { ok: true } : { ok: false, reason: 'no-enrolment' };
}

export type AppCodeResult = 'match' | 'mismatch' | 'replayed' | 'malformed' | 'no-app';

/** A code from the confirmed app: current step or one either side, and later than the last used. */
export async function verifyAppCode(input: {
  userId: string;
  code: string;
  now: Date;
}): Promise<AppCodeResult> {
  const code = normalizeCode(input.code);
  if (!code) return 'malformed';
  const row = await db.authenticatorApp.findFirst({
    where: { userId: input.userId, confirmedAt: { not: null } },
    select: { secretEncrypted: true },
  });
  if (!row) return 'no-app';
  const step = matchingStep(decryptSecret(key(), row.secretEncrypted), code, input.now.getTime());
  if (step === null) return 'mismatch';
  // The replay rule lives in the WHERE: of concurrent submissions of one code, one row update wins.
  const { count } = await db.authenticatorApp.updateMany({
    where: { userId: input.userId, confirmedAt: { not: null }, lastUsedStep: { lt: step } },
    data: { lastUsedStep: step, lastUsedAt: input.now },
  });
  return count === 1 ? 'match' : 'replayed';
}

/** The confirmed app, if any (an unfinished setup is not shown as an app). */
export async function getAppStatus(
  userId: string,
): Promise<{ confirmedAt: Date; lastUsedAt: Date | null } | null> {
  const row = await db.authenticatorApp.findUnique({
    where: { userId },
    select: { confirmedAt: true, lastUsedAt: true },
  });
  return row?.confirmedAt ? { confirmedAt: row.confirmedAt, lastUsedAt: row.lastUsedAt } : null;
}

/** Removes the app, confirmed or still in setup; true when there was one. */
export async function removeApp(userId: string): Promise<boolean> {
  const { count } = await db.authenticatorApp.deleteMany({ where: { userId } });
  return count === 1;
}
