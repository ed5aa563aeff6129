import 'server-only';
import { createHash, randomBytes } from 'node:crypto';
import { db } from '@/lib/db';
import { recordEvent } from '@/lib/audit/record-event';
import { hashPassword } from '@/lib/auth/password';
import { hasFactorBesidesEmail } from '@/lib/factors/factors-besides-email';
import { checkPasswordPolicy } from '@/lib/auth/password-policy';
import { revokeAllTrustedDevices } from '@/lib/devices/trusted-devices';
import { passwordChangedNotice } from '@/lib/notices/password-changed-notice';
import {
  passwordResetLink,
  passwordResetLinkNotice,
} from '@/lib/notices/password-reset-link-notice';
import { sendNotice } from '@/lib/notices/send-notice';
import type { Channel, Sender } from '@/lib/delivery/sender';
import type { ExpiringStore } from '@/lib/store/expiring-store';
import { canonicalUsername } from '@/lib/users/username';

// Forgot password (RC-01 … RC-03, RC-05, BF-04). The link carries 256 random bits; the store keeps
// the entry under the token's SHA-256 only, for PASSWORD_RESET_TTL_MINUTES, and hands it out once
// (`take`). Asking answers the same whether or not the account exists, and does the same store
// and database work either way; the email itself goes out after the response (`defer`), so the
// time taken does not tell either. A reset sets the password and nothing else: it ends every
// session and trusted device, and the person then signs in with the password AND a code.

export type PasswordResetDeps = {
  store: ExpiringStore;
  senderFor(channel: Channel): Sender | null;
  now(): number;
  /** Runs `task` after the response has been sent (Next.js `after`); tests run it at once. */
  defer(task: () => Promise<void>): void;
  config: { origin: string; resetTtlMs: number };
};

type RequestInfo = { ip: string | null; userAgent: string | null };
/**
 * `userId` null: a request that matched no usable account; its token was never sent to anyone.
 * `emailKey`: the address the link was sent to (hashed, lower case): once the account's email is
 * another, the link no longer works, whatever path changed it (decision 0019).
 */
type ResetEntry = { userId: string | null; expiresAt: number; emailKey?: string };

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const tokenKey = (token: string) => `password-reset:${sha256(token)}`;
const latestKey = (subject: string) => `password-reset-latest:${subject}`;
const requestsKey = (subject: string) => `password-reset-requests:${subject}`;
const emailKeyOf = (email: string) => sha256(email.toLowerCase());

/** Reset emails per account (or per unknown name) per hour: the form must not flood a mailbox. */
export const RESET_EMAILS_PER_HOUR = 3;

export const newResetToken = () => randomBytes(32).toString('base64url');
export const isWellFormedResetToken = (token: unknown): token is string =>
  typeof token === 'string' && /^[A-Za-z0-9_-]{43}$/.test(token);

/** Usernames cannot hold "@" (lib/users/username.ts), so an "@" means an email address. */
async function findAccount(identifier: string) {
  const select = { id: true, username: true, email: true, disabled: true } as const;
  return identifier.includes('@')
    ? db.user.findFirst({
        where: { email: { equals: identifier, mode: 'insensitive' } },
        select,
        orderBy: { createdAt: 'asc' },
      })
    : db.user.findUnique({ where: { usernameKey: canonicalUsername(identifier) }, select });
}

/** Forgot password: nothing is returned, so nothing can tell whether the account exists (RC-01). */
export async function requestPasswordReset(
  deps: PasswordResetDeps,
  input: { identifier: string } & RequestInfo,
): Promise<void> {
  const identifier = input.identifier.trim().slice(0, 320);
  const found = identifier ? await findAccount(identifier) : null;
  const account = found && !found.disabled ? found : null;
  // The same keys and operations for a real account and an unknown name, only the subject differs.
  const subject = account?.id ?? `unknown:${sha256(canonicalUsername(identifier))}`;
  const now = deps.now();
  const ttlMs = deps.config.resetTtlMs;
  const token = newResetToken();
  const requests = await deps.store.increment(requestsKey(subject), 3_600_000);
  const allowed = requests <= RESET_EMAILS_PER_HOUR;
  const previous = await deps.store.get<string>(latestKey(subject));
  // Only the newest link works: asking again ends the one before.
  if (previous && allowed) await deps.store.delete(`password-reset:${previous}`);
  const entry: ResetEntry = {
    userId: account && allowed ? account.id : null,
    expiresAt: now + ttlMs,
    emailKey: emailKeyOf(account?.email ?? identifier),
  };
  await deps.store.put(tokenKey(token), entry, ttlMs);
  if (allowed) await deps.store.put(latestKey(subject), sha256(token), ttlMs);

  const outcome = !found
    ? 'unknown-account'
    : found.disabled
      ? 'disabled'
      : allowed
        ? 'sent'
        : 'limited';
  await recordEvent({
    type: 'password.reset_requested',
    userId: found?.id ?? null,
    typedUsername: found ? null : identifier,
    ip: input.ip,
    userAgent: input.userAgent,
    detail: { outcome },
  });
  if (!account || !allowed) return;

  deps.defer(async () => {
    const notice = await sendNotice(deps, {
      kind: 'password-reset-link',
      message: passwordResetLinkNotice({
        to: account.email,
        username: account.username,
        link: passwordResetLink(deps.config.origin, token),
        expiresAt: new Date(now + ttlMs),
      }),
      userId: account.id,
      ip: input.ip,
      userAgent: input.userAgent,
    });
    // The link never arrived, so it must not stay usable.
    if (!notice.sent) await deps.store.delete(tokenKey(token));
  });
}

export type ResetLinkState =
  { ok: true; userId: string; username: string; email: string } | { ok: false; reason: 'invalid' };

/** Reads a reset link without using it: opening the page (or a mail scanner) changes nothing (SE-08). */
export async function findPasswordReset(
  deps: PasswordResetDeps,
  token: unknown,
): Promise<ResetLinkState> {
  if (!isWellFormedResetToken(token)) return { ok: false, reason: 'invalid' };
  const entry = await deps.store.get<ResetEntry>(tokenKey(token));
  if (!entry?.userId || entry.expiresAt <= deps.now()) return { ok: false, reason: 'invalid' };
  const user = await db.user.findUnique({
    where: { id: entry.userId },
    select: { id: true, username: true, email: true, disabled: true },
  });
  if (!user || user.disabled) return { ok: false, reason: 'invalid' };
  // Sent to an address the account no longer has (or made before links were bound to one).
  if (entry.emailKey !== emailKeyOf(user.email)) return { ok: false, reason: 'invalid' };
  return { ok: true, userId: user.id, username: user.username, email: user.email };
}

/**
 * Ends the user's outstanding reset link, if any: every email change calls it (decision 0019).
 * Only the newest link of a user can work (asking again ends the one before), and the
 * `password-reset-latest` key names it.
 */
export async function endPasswordResetLinks(store: ExpiringStore, userId: string): Promise<void> {
  const latest = await store.get<string>(latestKey(userId));
  await Promise.all([
    latest ? store.delete(`password-reset:${latest}`) : null,
    store.delete(latestKey(userId)),
  ]);
}

export type ResetPasswordResult =
  | { ok: true; username: string }
  | { ok: false; reason: 'invalid' }
  | { ok: false; reason: 'weak'; message: string };

/**
 * Sets the new password through a reset link, once. It signs nobody in (RC-03): every session
 * ends and every trusted device is revoked, so the next sign-in, here or anywhere, asks for the
 * password and then a code. The person is told by email (RC-05).
 */
export async function resetPassword(
  deps: PasswordResetDeps,
  input: { token: string; password: string } & RequestInfo,
): Promise<ResetPasswordResult> {
  const found = await findPasswordReset(deps, input.token);
  if (!found.ok) return found;
  // Checked before the link is used, so a refused password does not cost the link.
  const policy = checkPasswordPolicy(input.password, {
    username: found.username,
    email: found.email,
    canBeOnlyFactor: true,
  });
  if (!policy.ok) return { ok: false, reason: 'weak', message: policy.message };
  const passwordHash = await hashPassword(input.password);
  // Of two submissions of one link, one takes it; the other is told the link is used.
  const entry = await deps.store.take<ResetEntry>(tokenKey(input.token));
  if (
    !entry ||
    entry.userId !== found.userId ||
    entry.emailKey !== emailKeyOf(found.email) ||
    entry.expiresAt <= deps.now()
  )
    return { ok: false, reason: 'invalid' };

  const userId = found.userId;
  const who = { ip: input.ip, userAgent: input.userAgent };
  // Trust ends first: if the save then fails, the person enters a code next time, which is safe.
  await revokeAllTrustedDevices({ userId, reason: 'password-reset', actorId: userId, ...who });
  const [, sessions] = await db.$transaction([
    // With another factor on the account, the next sign-in must use it: otherwise whoever reads
    // the mailbox would hold both the reset link and the email code (RC-04).
    db.user.update({
      where: { id: userId },
      data: {
        passwordHash,
        invitationPending: false,
        emailCodesBlocked: await hasFactorBesidesEmail(userId),
      },
    }),
    db.session.deleteMany({ where: { userId } }),
  ]);
  // Freshness belongs to sessions, and the reset has just ended them all.
  await deps.store.delete(latestKey(userId));
  await recordEvent({
    type: 'sessions.revoked',
    userId,
    ...who,
    detail: { reason: 'password-reset', count: sessions.count, actorId: userId },
  });

  // The reset stands whatever the mailbox does; a failed notice is audited by sendNotice.
  const notice = await sendNotice(deps, {
    kind: 'password-changed',
    message: passwordChangedNotice({
      to: found.email,
      how: 'reset',
      at: new Date(deps.now()),
      ip: input.ip,
      origin: deps.config.origin,
    }),
    userId,
    ...who,
  });
  await recordEvent({
    type: 'password.reset',
    userId,
    ...who,
    detail: { sessionsEnded: sessions.count, noticeSent: notice.sent },
  });
  return { ok: true, username: found.username };
}
