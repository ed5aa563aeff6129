import { randomBytes, randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { db } from '@/lib/db';
import { canonicalUsername } from '@/lib/users/username';
import { cleanUp, RETENTION, STALLED_ERROR, UNIMPORTED_ERROR } from './cleanup';
import { authorizeCronRequest } from './cron-authorization';

// The clean-up runs against the run's shared database while other suites write to it, so it is
// run with a clock in 2001: every row it may delete is one this file dated before then.
const NOW = new Date('2001-06-01T03:00:00Z');
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const at = (offsetMs: number) => new Date(NOW.getTime() + offsetMs);

async function user() {
  const username = `cleanup-${randomUUID().slice(0, 8)}`;
  return db.user.create({
    data: {
      username,
      usernameKey: canonicalUsername(username),
      email: `${username}@example.test`,
      passwordHash: 'x',
    },
  });
}

async function device(userId: string, expiresAt: Date) {
  return db.trustedDevice.create({
    data: {
      userId,
      tokenHash: randomBytes(32).toString('hex'),
      name: 'Laptop',
      createdAt: at(-40 * DAY),
      lastUsedAt: at(-40 * DAY),
      expiresAt,
    },
  });
}

async function invitation(userId: string, data: { expiresAt?: Date | null; usedAt?: Date | null }) {
  return db.invitation.create({
    data: {
      userId,
      tokenHash: data.expiresAt ? randomBytes(32).toString('hex') : null,
      createdAt: at(-60 * DAY),
      ...data,
    },
  });
}

async function upload(
  uploadedById: string,
  status: 'receiving' | 'validated' | 'importing' | 'imported' | 'failed',
  updatedAt: Date,
  chunks = 2,
) {
  const record = await db.userUpload.create({
    data: { fileName: 'users.csv', uploadedById, status, createdAt: updatedAt },
  });
  for (let index = 0; index < chunks; index++)
    await db.userUploadChunk.create({
      data: { uploadId: record.id, index, bytes: Buffer.from('username,email\n') },
    });
  // @updatedAt is set by Prisma on every write; the age under test is set last, in SQL.
  await db.$executeRaw`UPDATE "UserUpload" SET "updatedAt" = ${updatedAt} WHERE id = ${record.id}`;
  return record.id;
}

const exists = {
  device: async (id: string) => (await db.trustedDevice.count({ where: { id } })) === 1,
  invitation: async (id: string) => (await db.invitation.count({ where: { id } })) === 1,
  upload: (id: string) =>
    db.userUpload.findUnique({
      where: { id },
      select: { status: true, error: true, _count: { select: { chunks: true } } },
    }),
};

describe('scheduled clean-up', () => {
  it('deletes expired trusted devices only (TD-01: expired trust is already refused; the row goes too)', async () => {
    const owner = await user();
    const expired = await device(owner.id, at(-1));
    const live = await device(owner.id, at(DAY));
    const report = await cleanUp(NOW);
    expect(report.expiredTrustedDevices).toBeGreaterThanOrEqual(1);
    expect(await exists.device(expired.id)).toBe(false);
    expect(await exists.device(live.id)).toBe(true);
  });

  it(`deletes invitations used or expired more than ${RETENTION.INVITATION_GRACE_DAYS} days ago; keeps recent, live and pending ones`, async () => {
    const owner = await user();
    const grace = RETENTION.INVITATION_GRACE_DAYS * DAY;
    const oldUsed = await invitation(owner.id, {
      expiresAt: at(-grace - 5 * DAY),
      usedAt: at(-grace - DAY),
    });
    const oldExpired = await invitation(owner.id, { expiresAt: at(-grace - DAY) });
    const recentlyUsed = await invitation(owner.id, { expiresAt: at(-DAY), usedAt: at(-2 * DAY) });
    const recentlyExpired = await invitation(owner.id, { expiresAt: at(-DAY) });
    const live = await invitation(owner.id, { expiresAt: at(DAY) });
    const pending = await invitation(owner.id, { expiresAt: null });
    await cleanUp(NOW);
    expect(await exists.invitation(oldUsed.id)).toBe(false);
    expect(await exists.invitation(oldExpired.id)).toBe(false);
    for (const kept of [recentlyUsed, recentlyExpired, live, pending])
      expect(await exists.invitation(kept.id)).toBe(true);
  });

  it('keeps the old expired invitations of a user who still has no password, so an upload still counts them as invited', async () => {
    const waiting = await user();
    await db.user.update({ where: { id: waiting.id }, data: { invitationPending: true } });
    const grace = RETENTION.INVITATION_GRACE_DAYS * DAY;
    const oldExpired = await invitation(waiting.id, { expiresAt: at(-grace - DAY) });
    await cleanUp(NOW);
    expect(await exists.invitation(oldExpired.id)).toBe(true);
    await db.user.update({ where: { id: waiting.id }, data: { invitationPending: false } });
    await cleanUp(NOW);
    expect(await exists.invitation(oldExpired.id)).toBe(false);
  });

  it('deletes old upload file content; keeps the upload history and files still in use', async () => {
    const admin = await user();
    const abandoned = await upload(
      admin.id,
      'receiving',
      at(-(RETENTION.ABANDONED_UPLOAD_HOURS + 1) * HOUR),
    );
    const receiving = await upload(admin.id, 'receiving', at(-HOUR));
    const unimported = await upload(
      admin.id,
      'validated',
      at(-(RETENTION.VALIDATED_UPLOAD_DAYS * DAY + HOUR)),
    );
    const awaitingImport = await upload(admin.id, 'validated', at(-DAY));
    const stalled = await upload(
      admin.id,
      'importing',
      at(-(RETENTION.STALLED_IMPORT_HOURS + 1) * HOUR),
    );
    const importing = await upload(admin.id, 'importing', at(-10 * 60_000));
    const leftover = await upload(admin.id, 'imported', at(-DAY));

    const report = await cleanUp(NOW);

    expect(await exists.upload(abandoned)).toBeNull();
    expect(await exists.upload(receiving)).toMatchObject({
      status: 'receiving',
      _count: { chunks: 2 },
    });
    expect(await exists.upload(unimported)).toEqual({
      status: 'failed',
      error: UNIMPORTED_ERROR,
      _count: { chunks: 0 },
    });
    expect(await exists.upload(awaitingImport)).toMatchObject({
      status: 'validated',
      _count: { chunks: 2 },
    });
    expect(await exists.upload(stalled)).toEqual({
      status: 'failed',
      error: STALLED_ERROR,
      _count: { chunks: 0 },
    });
    expect(await exists.upload(importing)).toMatchObject({
      status: 'importing',
      _count: { chunks: 2 },
    });
    expect(await exists.upload(leftover)).toMatchObject({
      status: 'imported',
      _count: { chunks: 0 },
    });
    expect(report).toMatchObject({ abandonedUploads: 1, unimportedUploads: 1, stalledImports: 1 });
    expect(report.fileChunks).toBeGreaterThanOrEqual(6);
  });

  it('running it again finds nothing more of its own to do', async () => {
    await cleanUp(NOW);
    expect(await cleanUp(NOW)).toEqual({
      expiredTrustedDevices: 0,
      oldInvitations: 0,
      abandonedUploads: 0,
      unimportedUploads: 0,
      stalledImports: 0,
      fileChunks: 0,
    });
  });
});

describe('cron authorization', () => {
  const secret = 'a-cron-secret-of-some-length';
  it('accepts exactly the Bearer header Vercel Cron sends', () => {
    expect(authorizeCronRequest(`Bearer ${secret}`, secret)).toBe('ok');
  });
  it('refuses a missing, wrong or differently spelled header', () => {
    for (const header of [
      null,
      '',
      secret,
      `Bearer ${secret}x`,
      `bearer ${secret}`,
      `Basic ${secret}`,
    ])
      expect(authorizeCronRequest(header, secret)).toBe('denied');
  });
  it('refuses everyone when no secret is configured', () => {
    expect(authorizeCronRequest('Bearer ', undefined)).toBe('not-configured');
    expect(authorizeCronRequest(null, '')).toBe('not-configured');
  });
});
