-- AlterTable
ALTER TABLE "User" ADD COLUMN     "uploadId" TEXT;

-- CreateIndex
CREATE INDEX "User_uploadId_idx" ON "User"("uploadId");

-- No backfill (docs/decisions/0029-import-writes-no-invitation-rows.md). Users imported before
-- this migration keep the Invitation rows their import wrote, which still count for their upload.
-- Given an uploadId, those whose rows the clean-up already deleted would count as never invited
-- and be offered a new invitation.
