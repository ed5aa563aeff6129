// How a destination is shown before the code is sent: enough to recognise it, not enough to
// learn it. `j•••@example.com`, `•••• •••• 4321`.

export function maskEmail(email: string): string {
  const at = email.lastIndexOf('@');
  if (at < 1) return '•••';
  const first = [...email.slice(0, at)][0] ?? '';
  return `${first}•••${email.slice(at)}`;
}

export function maskPhone(e164: string): string {
  const digits = e164.replace(/\D/g, '');
  return `•••• •••• ${digits.slice(-4)}`;
}

// Numbers and addresses inside free text, such as a provider's error message ("The 'To' number
// +14155550123 is not a valid phone number"): a leading + and 7 to 15 digits, or 10 to 15 bare
// digits (so error codes, statuses and dates are left alone), up to two spaces, dots, dashes or brackets
// between digits; and anything shaped like an email address.
const PHONE_IN_TEXT =
  /(?<![\w+])(?:\+\d(?:[ ().-]{0,2}\d){6,14}|\d(?:[ ().-]{0,2}\d){9,14})(?!\w)/g;
const EMAIL_IN_TEXT = /[\p{L}\p{N}_.!#$%&'*+/=?^`{|}~-]+@[\p{L}\p{N}_-]+(?:\.[\p{L}\p{N}_-]+)+/gu;
/** Longer error text is cut first (callers keep 500 characters): the patterns cost more than linear time. */
const LONGEST_TEXT = 2000;

/**
 * `text` with every destination in it masked as above: the ones given (the message's own `to`,
 * wherever and however it appears), then anything that looks like a phone number or an email
 * address. For error text that is stored or shown (audit rows, an invitation's last error).
 */
export function maskDestinationsIn(text: string, known: readonly string[] = []): string {
  let masked = text.slice(0, LONGEST_TEXT);
  for (const destination of known) {
    if (destination.length < 5) continue;
    const shown = destination.includes('@') ? maskEmail(destination) : maskPhone(destination);
    masked = masked.split(destination).join(shown);
    const digits = destination.replace(/\D/g, '');
    if (!destination.includes('@') && digits.length >= 7) masked = masked.split(digits).join(shown);
  }
  return masked
    .replace(EMAIL_IN_TEXT, (email) => maskEmail(email))
    .replace(PHONE_IN_TEXT, (phone) => maskPhone(phone));
}
