import 'server-only';
import { env } from '@/lib/env';
import type { Channel, Sender } from '@/lib/delivery/sender';
import { getSender } from '@/lib/delivery/senders';

/** What composing and sending a notice needs: a sender, the site's address and the clock. */
export type NoticeDeps = {
  senderFor(channel: Channel): Sender | null;
  origin: string;
  now(): Date;
};

/** The real collaborators: the configured senders, APP_ORIGIN and the wall clock. */
export const noticeDeps = (): NoticeDeps => ({
  senderFor: getSender,
  origin: env.APP_ORIGIN,
  now: () => new Date(),
});
