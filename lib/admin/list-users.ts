import 'server-only';
import { db } from '@/lib/db';
import type { Prisma } from '@/lib/generated/prisma/client';
import { userSummaryFields } from '@/lib/users/user-fields';

// The admin's list of users: search by username, name, email or phone, a page at a time.

/** The columns of the list; the user's page shows these and more (get-user-detail.ts). */
export const listFields = userSummaryFields;
export type UserListItem = Prisma.UserGetPayload<{ select: typeof listFields }>;

export async function listUsers(input: { query?: string; page?: number; pageSize?: number }) {
  const query = (input.query ?? '').trim().slice(0, 100);
  const pageSize = Math.min(100, Math.max(1, Math.floor(input.pageSize ?? 25)));
  const insensitive = { contains: query, mode: 'insensitive' as const };
  // "415 555-0100" should find +14155550100: phones are stored in E.164, so search their digits too.
  const digits = /^[\d\s().+-]+$/.test(query) ? query.replace(/\D/g, '') : '';
  const where: Prisma.UserWhereInput = query
    ? {
        OR: [
          { username: insensitive },
          { name: insensitive },
          { email: insensitive },
          { phone: { contains: query } },
          ...(digits.length >= 3 ? [{ phone: { contains: digits } }] : []),
        ],
      }
    : {};
  const total = await db.user.count({ where });
  const pageCount = Math.max(1, Math.ceil(total / pageSize));
  const page = Math.min(pageCount, Math.max(1, Math.floor(input.page ?? 1) || 1));
  const users = await db.user.findMany({
    where,
    orderBy: [{ usernameKey: 'asc' }],
    skip: (page - 1) * pageSize,
    take: pageSize,
    select: listFields,
  });
  return { users, total, page, pageSize, pageCount, query };
}
