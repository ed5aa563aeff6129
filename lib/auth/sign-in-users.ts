import 'server-only';
import { queryRows } from '@/lib/db-pool';
import type { SignInUser } from '@/lib/auth/sign-in-types';

// The sign-in's user look-ups, by canonical name (the password step) and by id (the code step and
// a verified ticket's session), as one `pg` statement each instead of Prisma's client: they run
// on every sign-in (docs/decisions/0025-raw-pg-hot-path.md). Named columns, as SignInUser has.

const COLUMNS = `id, username, email, phone, "passwordHash", "twoFactor", disabled, role::text AS role, "emailCodesBlocked"`;

const BY_USERNAME_KEY = `SELECT ${COLUMNS} FROM "User" WHERE "usernameKey" = $1`;
const BY_ID = `SELECT ${COLUMNS} FROM "User" WHERE id = $1`;

export async function findSignInUserByUsernameKey(usernameKey: string): Promise<SignInUser | null> {
  return (await queryRows<SignInUser>(BY_USERNAME_KEY, [usernameKey]))[0] ?? null;
}

export async function findSignInUserById(id: string): Promise<SignInUser | null> {
  return (await queryRows<SignInUser>(BY_ID, [id]))[0] ?? null;
}
