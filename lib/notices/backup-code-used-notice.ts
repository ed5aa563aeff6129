import type { OutgoingMessage } from '@/lib/delivery/sender';
import { utcMinute } from '@/lib/format-time';
import { shownAddress } from '@/lib/client-address';

// The same threshold as BACKUP_CODES_LOW in lib/factors/backup-codes.ts. Not imported: notices/
// sits below the factors in lib's layers, and a lower folder never imports a higher one.
const FEW_LEFT = 2;

/**
 * The email after a backup code signs someone in: when, from where, and how many codes are left.
 * A code was spent that the owner may not have spent, so it says what to do if it was not them.
 * Never the code itself, nor any of the ones left.
 */
export function backupCodeUsedNotice(input: {
  to: string;
  left: number;
  at: Date;
  ip: string | null;
  origin: string;
}): OutgoingMessage {
  const link = new URL('/account/two-step', input.origin).toString();
  const left =
    input.left === 0
      ? 'You have no backup codes left.'
      : `You have ${input.left} backup ${input.left === 1 ? 'code' : 'codes'} left.`;
  return {
    channel: 'email',
    to: input.to,
    subject: 'A backup code was used to sign in to your Latchkey account',
    text: [
      'A backup code was used to sign in to your Latchkey account. Each code works once; that one no longer does.',
      '',
      `When: ${utcMinute(input.at)}`,
      `IP address: ${shownAddress(input.ip)}`,
      '',
      input.left <= FEW_LEFT
        ? `${left} Generate new ones on the Two-step sign-in page before you run out: ${link}`
        : left,
      '',
      `If this was not you, someone has your password and one of your backup codes: sign in, change your password, generate new backup codes and tell your administrator at once. ${link}`,
    ].join('\n'),
  };
}
