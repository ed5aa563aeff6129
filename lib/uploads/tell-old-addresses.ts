import 'server-only';
import { recordEvent } from '@/lib/audit/record-event';
import { contactChangedByUploadNotice } from '@/lib/notices/contact-changed-by-upload-notice';
import { sendNotice } from '@/lib/notices/send-notice';
import { getSender } from '@/lib/delivery/senders';
import type { Sender } from '@/lib/delivery/sender';
import type { ContactChange } from './import-batch';

/**
 * OTP-10: the old address hears of every phone or email change an import made, and each change
 * is audited (`contact.changed`, via upload); a failed notice is counted.
 */
export async function tellOldAddresses(
  changes: ContactChange[],
  input: { adminId: string; uploadId: string; sender?: Sender | null },
  who: { ip: string | null; userAgent: string | null },
) {
  const sender = input.sender === undefined ? getSender('email') : input.sender;
  let failed = 0;
  for (const change of changes) {
    // A failed notice is audited by sendNotice, counted below and in the event; the change stands.
    const { sent: noticeSent } = await sendNotice(
      { senderFor: () => sender },
      {
        kind: 'contact-changed-by-upload',
        message: contactChangedByUploadNotice({
          to: change.oldEmail,
          username: change.username,
          phoneChanged: change.phoneChanged,
          emailChanged: change.emailChanged,
          at: new Date(),
        }),
        userId: change.userId,
        ...who,
        detail: { uploadId: input.uploadId, actorId: input.adminId },
      },
    );
    if (!noticeSent) failed += 1;
    const fields = [change.phoneChanged && 'phone', change.emailChanged && 'email'].filter(Boolean);
    await recordEvent({
      type: 'contact.changed',
      userId: change.userId,
      ...who,
      detail: {
        via: 'upload',
        uploadId: input.uploadId,
        actorId: input.adminId,
        fields,
        noticeSent,
      },
    });
  }
  return { failed };
}
