import type { InvitationRefusal } from '@/lib/invitations/redeem-invitation';

/** What the invitation page and its form say when a link cannot set a password. */
export const invitationRefusals: Record<InvitationRefusal, string> = {
  invalid:
    'This invitation link is not valid. Check that you copied the whole link, or ask your administrator for a new one.',
  expired: 'This invitation link has expired. Ask your administrator to send a new one.',
  used: 'This invitation link has already been used. Sign in with the password you chose.',
  'address-changed':
    'This invitation no longer works: your email address was changed after it was sent. Ask your administrator to send a new one to your current address.',
  'password-set':
    'This invitation has already been used: your account has a password. Sign in, or choose “Forgot password?” on the sign-in page to reset it.',
};
