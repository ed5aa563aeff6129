import 'server-only';
import { recordEvent } from '@/lib/audit/record-event';
import { contactChangedNotice, type ContactChange } from '@/lib/notices/contact-changed-notice';
import type { NoticeDeps } from '@/lib/notices/notice-deps';
import { sendNotice } from '@/lib/notices/send-notice';
import { twoFactorChangedNotice } from '@/lib/notices/two-factor-changed-notice';
import { maskEmail, maskPhone } from '@/lib/delivery/mask-destination';
import type { UserInput } from '@/lib/users/user-form';
import type { Actor } from './admin-actor';

// After an admin's edit is saved: the audit events with the admin as actor (RC-06), and the
// notices the user is owed (RC-05): the old address hears of a new email or phone (OTP-10), the
// user of a two-step sign-in switch. A notice that cannot be sent is audited by sendNotice; the
// edit stands.

/** The saved user as it was before the edit: what the notices compare against. */
type Before = {
  email: string;
  phone: string | null;
  disabled: boolean;
  twoFactor: boolean;
};

export async function announceUserEdit(
  edit: {
    id: string;
    before: Before;
    input: UserInput;
    changed: (keyof UserInput)[];
    actor: Actor;
  },
  deps: NoticeDeps,
): Promise<void> {
  const { id, before, input, changed, actor } = edit;
  const emailChanged = input.email.toLowerCase() !== before.email.toLowerCase();
  const phoneChanged = input.phone !== before.phone;
  const who = { ip: actor.ip ?? null, userAgent: actor.userAgent ?? null };

  await recordEvent({
    type: 'user.updated',
    userId: id,
    ...who,
    detail: {
      actorId: actor.id,
      fields: changed,
      ...(changed.includes('role') ? { role: input.role } : {}),
    },
  });
  if (emailChanged || phoneChanged) {
    const change: ContactChange = {
      ...(emailChanged ? { email: { to: input.email } } : {}),
      ...(phoneChanged ? { phone: { to: input.phone } } : {}),
    };
    const notice = await sendNotice(deps, {
      kind: 'contact-changed',
      message: contactChangedNotice({
        to: before.email,
        change,
        at: deps.now(),
        by: 'admin',
        origin: deps.origin,
      }),
      userId: id,
      ...who,
    });
    await recordEvent({
      type: 'contact.changed',
      userId: id,
      ...who,
      detail: {
        actorId: actor.id,
        by: 'admin',
        noticeSent: notice.sent,
        ...(emailChanged
          ? { email: { from: maskEmail(before.email), to: maskEmail(input.email) } }
          : {}),
        ...(phoneChanged
          ? {
              phone: {
                from: before.phone && maskPhone(before.phone),
                to: input.phone && maskPhone(input.phone),
              },
            }
          : {}),
      },
    });
  }
  if (input.disabled !== before.disabled) {
    await recordEvent({
      type: input.disabled ? 'user.disabled' : 'user.enabled',
      userId: id,
      ...who,
      detail: { actorId: actor.id },
    });
  }
  if (input.twoFactor !== before.twoFactor) {
    const notice = await sendNotice(deps, {
      kind: 'two-factor-changed',
      message: twoFactorChangedNotice({
        to: input.email,
        enabled: input.twoFactor,
        at: deps.now(),
        origin: deps.origin,
      }),
      userId: id,
      ...who,
    });
    await recordEvent({
      type: 'user.two_factor_changed',
      userId: id,
      ...who,
      detail: { actorId: actor.id, enabled: input.twoFactor, noticeSent: notice.sent },
    });
  }
}
