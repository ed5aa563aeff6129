-- Email addresses are compared case-insensitively (User Upload duplicate checks, CSV-02).
-- Prisma's schema cannot express an index on an expression, so it lives only here.
CREATE INDEX "User_email_lower_idx" ON "User" (lower("email"));
