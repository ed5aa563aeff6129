import { render } from '@react-email/render';
import { createElement } from 'react';
import { maskEmail } from '@/lib/delivery/mask-destination';
import type { OutgoingMessage } from '@/lib/delivery/sender';
import { env } from '@/lib/env';
import { emailBlocks } from './email-blocks';
import { EmailDocument } from './email-document';

// Every email leaves with two parts made from one definition: the message's text. The text part
// is that text and a last line saying why the person got it; the HTML part lays the same lines
// out (decision 0021). SMS and voice messages pass through untouched.

/** The last line of every email: why this mailbox got it, with the address masked. */
export function emailFooter(to: string): string {
  return `Latchkey sent this email to ${maskEmail(to)} because it is the address of a Latchkey account. Latchkey never asks you to send it a code or a password.`;
}

/**
 * The message with its email parts (text with the footer, and HTML); others unchanged. Only
 * addresses on `origin` (the app's) are links in the HTML.
 */
export async function withEmailParts(
  message: OutgoingMessage,
  origin: string = env.APP_ORIGIN,
): Promise<OutgoingMessage> {
  if (message.channel !== 'email') return message;
  const footer = emailFooter(message.to);
  const document = createElement(EmailDocument, {
    subject: message.subject,
    preview: message.text.split('\n')[0]!.slice(0, 140),
    blocks: emailBlocks(message.text, message.code, origin),
    footer,
  });
  // No pretty-printing: it loads Prettier and costs more than the render itself.
  const html = await render(document);
  return { ...message, text: `${message.text}\n\n${footer}`, html };
}
