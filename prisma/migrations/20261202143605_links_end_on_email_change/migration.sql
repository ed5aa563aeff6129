-- AlterTable
ALTER TABLE "Invitation" ADD COLUMN     "sentTo" TEXT;

-- AlterTable
ALTER TABLE "User" ADD COLUMN     "invitationPending" BOOLEAN NOT NULL DEFAULT false;

-- Backfill (docs/decisions/0019-links-end-on-email-change.md).
-- Still waiting for an invitation: users an admin or an upload created (they start without a
-- password) who have neither used an invitation nor reset or changed their password since.
UPDATE "User" u SET "invitationPending" = true
WHERE (
    EXISTS (SELECT 1 FROM "AuditEvent" a WHERE a."userId" = u.id AND a.type = 'user.created')
    OR EXISTS (SELECT 1 FROM "Invitation" i WHERE i."userId" = u.id)
  )
  AND NOT EXISTS (SELECT 1 FROM "Invitation" i WHERE i."userId" = u.id AND i."usedAt" IS NOT NULL)
  AND NOT EXISTS (
    SELECT 1 FROM "AuditEvent" a
    WHERE a."userId" = u.id AND a.type IN ('password.set', 'password.reset', 'password.changed')
  );

-- An outstanding link is bound to the user's current address, unless the audit trail shows that
-- the email changed after it was sent: that link went to an old address, stays unbound, and the
-- set-password page refuses it.
UPDATE "Invitation" i SET "sentTo" = u.email
FROM "User" u
WHERE i."userId" = u.id AND i."tokenHash" IS NOT NULL AND i."usedAt" IS NULL
  AND NOT EXISTS (
    SELECT 1 FROM "AuditEvent" a
    WHERE a."userId" = i."userId"
      AND a."createdAt" >= COALESCE(i."sentAt", i."createdAt")
      AND (
        (a.type = 'contact.changed'
          AND (a.detail ? 'email' OR a.detail->>'kind' = 'email' OR a.detail->'fields' ? 'email'))
        OR (a.type = 'user.updated' AND a.detail->'fields' ? 'email')
      )
  );
