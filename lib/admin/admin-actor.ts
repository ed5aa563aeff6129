import type { NoticeDeps } from '@/lib/notices/notice-deps';

// What every admin user function (create, invite, edit, revoke devices) is given. Callers
// authorise first (requireAdmin in every action); these functions trust the actor they are given.

/** The admin making the change, and where the request came from (for the audit trail). */
export type Actor = { id: string; ip?: string | null; userAgent?: string | null };

/** Collaborators for the notices an admin's change sends; real ones (noticeDeps) by default. */
export type AdminUserDeps = NoticeDeps;
