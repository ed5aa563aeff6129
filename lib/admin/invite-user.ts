import 'server-only';
import { sendInvitations } from '@/lib/invitations/send-invitation';
import { noticeDeps } from '@/lib/notices/notice-deps';
import type { Actor, AdminUserDeps } from './admin-actor';

/** What became of the set-password invitation: a disabled user is not invited. */
export type InvitationOutcome = 'sent' | 'failed' | 'skipped';

/** Emails a set-password invitation (a new link; earlier ones stop working). Audited by lib/invitations. */
export async function inviteUser(
  input: { userId: string; actor: Actor },
  deps: AdminUserDeps = noticeDeps(),
): Promise<InvitationOutcome> {
  const result = await sendInvitations([input.userId], {
    actorId: input.actor.id,
    sender: deps.senderFor('email'),
    origin: deps.origin,
    now: deps.now,
  });
  return result.sent ? 'sent' : result.failed.length ? 'failed' : 'skipped';
}
