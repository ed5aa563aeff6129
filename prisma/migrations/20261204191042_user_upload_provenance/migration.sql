-- AlterTable
ALTER TABLE "User" ADD COLUMN     "uploadId" TEXT;

-- CreateIndex
CREATE INDEX "User_uploadId_idx" ON "User"("uploadId");

-- Backfill (docs/decisions/0029-import-writes-no-invitation-rows.md).
-- The upload that created a user is named in the detail of that user.created event. Users
-- imported before this migration keep their pending Invitation rows, which still count as
-- pending. The column only makes their provenance uniform.
UPDATE "User" u SET "uploadId" = a.detail->>'uploadId'
FROM "AuditEvent" a
WHERE a."userId" = u.id AND a.type = 'user.created' AND a.detail->>'via' = 'upload'
  AND a.detail->>'uploadId' IS NOT NULL;
