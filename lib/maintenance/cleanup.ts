import 'server-only';
import { db as database } from '@/lib/db';
import type { PrismaClient } from '@/lib/generated/prisma/client';

// The daily clean-up (vercel.json `crons` → /api/cron/cleanup). It removes rows that no longer
// do anything: none of them can sign anyone in, and none is shown as live anywhere.
//
// - Trusted devices past `expiresAt`: already refused at sign-in and hidden from the device list
//   (TD-01, TD-03); deleting them drops the IP, browser and place they recorded.
// - Invitations used, or expired unused, more than INVITATION_GRACE_DAYS ago. Until then an old
//   link still says "already used" / "expired" rather than "not valid", and the upload history
//   still counts them; after it they are gone (the audit log keeps invitation.sent/accepted).
//   Pending ones (never sent, no expiry) are kept: they are work still to do. So are the expired
//   links of a user who still has no password: without any row, a user an upload created counts
//   as never invited (decision 0029), and "Send pending invitations" would invite them again.
// - User Upload file content (UserUploadChunk). The upload record is history and stays, except
//   for uploads abandoned while still receiving, which never became history (the same rule as
//   the sweep in lib/uploads/upload-store.ts). A file validated but not imported within
//   VALIDATED_UPLOAD_DAYS is marked failed and its content deleted; an import that has not
//   moved for STALLED_IMPORT_HOURS (its function was killed: Vercel's maxDuration, a deploy) is
//   marked failed; content a finished upload left behind for an hour is deleted.

export const RETENTION = {
  INVITATION_GRACE_DAYS: 30,
  ABANDONED_UPLOAD_HOURS: 24,
  VALIDATED_UPLOAD_DAYS: 7,
  /** Longer than the longest import transaction (30 minutes, lib/uploads/import-upload.ts). */
  STALLED_IMPORT_HOURS: 2,
} as const;

export type CleanupDb = Pick<
  PrismaClient,
  'trustedDevice' | 'invitation' | 'userUpload' | 'userUploadChunk'
>;

export type CleanupReport = {
  expiredTrustedDevices: number;
  oldInvitations: number;
  abandonedUploads: number;
  unimportedUploads: number;
  stalledImports: number;
  fileChunks: number;
};

const HOUR = 3_600_000;
const ago = (now: Date, ms: number) => new Date(now.getTime() - ms);

export const UNIMPORTED_ERROR = `The file was not imported within ${RETENTION.VALIDATED_UPLOAD_DAYS} days and has been deleted. Upload it again to import it.`;
export const STALLED_ERROR =
  'The import stopped without finishing (the server ended it). Rows already committed stay imported; upload the file again for the rest.';

export async function cleanUp(
  now: Date = new Date(),
  db: CleanupDb = database,
): Promise<CleanupReport> {
  const invitationCutoff = ago(now, RETENTION.INVITATION_GRACE_DAYS * 24 * HOUR);

  const devices = await db.trustedDevice.deleteMany({ where: { expiresAt: { lt: now } } });
  const invitations = await db.invitation.deleteMany({
    where: {
      OR: [
        { usedAt: { lt: invitationCutoff } },
        { usedAt: null, expiresAt: { lt: invitationCutoff }, user: { invitationPending: false } },
      ],
    },
  });
  // Chunks go with the record (onDelete: Cascade).
  const abandoned = await db.userUpload.deleteMany({
    where: {
      status: 'receiving',
      updatedAt: { lt: ago(now, RETENTION.ABANDONED_UPLOAD_HOURS * HOUR) },
    },
  });
  const unimported = await endUploads(
    db,
    'validated',
    ago(now, RETENTION.VALIDATED_UPLOAD_DAYS * 24 * HOUR),
    { error: UNIMPORTED_ERROR },
  );
  const stalled = await endUploads(
    db,
    'importing',
    ago(now, RETENTION.STALLED_IMPORT_HOURS * HOUR),
    { error: STALLED_ERROR, importedAt: now },
  );
  // A finished import deletes its own content; this catches what a crash between the two left.
  const leftover = await db.userUploadChunk.deleteMany({
    where: {
      upload: {
        status: { in: ['imported', 'rejected', 'failed'] },
        updatedAt: { lt: ago(now, HOUR) },
      },
    },
  });

  return {
    expiredTrustedDevices: devices.count,
    oldInvitations: invitations.count,
    abandonedUploads: abandoned.count,
    unimportedUploads: unimported.ended,
    stalledImports: stalled.ended,
    fileChunks: unimported.chunks + stalled.chunks + leftover.count,
  };
}

/** Marks `status` uploads untouched since `before` failed, and deletes their file content. */
async function endUploads(
  db: CleanupDb,
  status: 'validated' | 'importing',
  before: Date,
  data: { error: string; importedAt?: Date },
) {
  const found = await db.userUpload.findMany({
    where: { status, updatedAt: { lt: before } },
    select: { id: true },
  });
  const ids = found.map((u) => u.id);
  if (!ids.length) return { ended: 0, chunks: 0 };
  // The status stays in the WHERE: an import that claims the upload meanwhile (claimForImport
  // moves `validated` to `importing` under the same guard) wins, and that upload is left alone.
  const ended = await db.userUpload.updateMany({
    where: { id: { in: ids }, status },
    data: { status: 'failed', ...data },
  });
  const chunks = await db.userUploadChunk.deleteMany({
    where: { uploadId: { in: ids }, upload: { status: 'failed' } },
  });
  return { ended: ended.count, chunks: chunks.count };
}
