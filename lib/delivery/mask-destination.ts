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
