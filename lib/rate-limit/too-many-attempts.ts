// What a limited person is told, in one wording everywhere: that they were limited and when to
// try again, never which counter tripped (an account's, a phone number's shared with another
// account, an address's), so the answer tells nothing about other accounts (BF-04).

/** "Too many attempts. Try again in 3 minutes." */
export function tooManyAttemptsMessage(retryAfterSeconds: number): string {
  return `Too many attempts. Try again in ${describeWait(retryAfterSeconds)}.`;
}

/** 45 → "45 seconds", 150 → "3 minutes", 5400 → "2 hours": rounded up, so never too early. */
export function describeWait(seconds: number): string {
  const s = Math.max(1, Math.ceil(seconds));
  if (s < 60) return plural(s, 'second');
  const minutes = Math.ceil(s / 60);
  if (minutes <= 90) return plural(minutes, 'minute');
  return plural(Math.ceil(minutes / 60), 'hour');
}

/** For route handlers: HTTP 429 with Retry-After in seconds and the same message. */
export function tooManyRequestsResponse(retryAfterSeconds: number): Response {
  const seconds = Math.max(1, Math.ceil(retryAfterSeconds));
  return Response.json(
    { error: tooManyAttemptsMessage(seconds) },
    { status: 429, headers: { 'Retry-After': String(seconds), 'Cache-Control': 'no-store' } },
  );
}

function plural(n: number, unit: string): string {
  return `${n} ${unit}${n === 1 ? '' : 's'}`;
}
