import 'server-only';
import { db } from '@/lib/db';
import { Prisma } from '@/lib/generated/prisma/client';
import type { FieldErrors, UserInput } from '@/lib/users/user-form';
import { canonicalUsername } from '@/lib/users/username';

// The database's part of the admin's user form: whether the username or email is someone else's.

export const ALREADY_USED = 'This is already used by another user.';

/** Username (canonical) and email (case-insensitive) must each belong to one user only. */
export async function duplicateErrors(input: UserInput, exceptId?: string): Promise<FieldErrors> {
  const others = exceptId ? { id: { not: exceptId } } : {};
  const [byUsername, byEmail] = await Promise.all([
    db.user.findFirst({
      where: { usernameKey: canonicalUsername(input.username), ...others },
      select: { id: true },
    }),
    db.user.findFirst({
      where: { email: { equals: input.email, mode: 'insensitive' }, ...others },
      select: { id: true },
    }),
  ]);
  return {
    ...(byUsername ? { username: ALREADY_USED } : {}),
    ...(byEmail ? { email: ALREADY_USED } : {}),
  };
}

/** Two admins saving the same username at once: the unique index decides, and this says it did. */
export const isUniqueViolation = (error: unknown) =>
  error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002';
