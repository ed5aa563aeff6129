import type { Channel } from '@/lib/delivery/sender';

export const channelLabels: Record<Channel, string> = {
  email: 'Email',
  sms: 'SMS',
  voice: 'Voice call',
};

/** The channel inside a sentence: "sent by SMS", "by voice call". */
export const channelInSentence: Record<Channel, string> = {
  email: 'email',
  sms: 'SMS',
  voice: 'voice call',
};

/** What each channel is worth, told before the person picks it (OTP-08, OTP-09). */
export const channelNotes: Record<Channel, string> = {
  email: 'Lower assurance: anyone who can read your mailbox can read the code.',
  sms: 'Text messages can be intercepted or redirected (for example by SIM swap).',
  voice: 'We call and read the code aloud. Phone calls can be redirected like text messages.',
};
