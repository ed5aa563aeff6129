// The answer to a password step the instance has no room for (P5, decision 0014): 503 with
// Retry-After, at once, before anything is checked or counted against the account or the address.

/** Seconds a refused sign-in is told to wait: a queue of a few hashes drains well within it. */
export const BUSY_RETRY_AFTER_SECONDS = 1;

export const BUSY_MESSAGE =
  'Too many people are signing in right now. Nothing was checked: wait a second and try again.';

/** A plain page for a form posted without JavaScript. */
export function busyResponse(): Response {
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><meta name="color-scheme" content="light dark"><title>Busy, try again</title></head><body style="font-family:system-ui,sans-serif;max-width:28rem;margin:6rem auto;padding:0 1rem;text-align:center"><h1>Too many sign-ins right now</h1><p>Nothing was checked or counted. Wait a second and sign in again.</p><p><a href="/login">Back to sign-in</a></p></body></html>`;
  return new Response(html, {
    status: 503,
    headers: {
      'Content-Type': 'text/html; charset=utf-8',
      'Retry-After': String(BUSY_RETRY_AFTER_SECONDS),
      'Cache-Control': 'no-store',
      // Served without proxy.ts (decision 0026): no script, no framing, nothing loaded.
      'Content-Security-Policy':
        "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
    },
  });
}

/** The form's message for its own script: a 200 (a failed fetch logs a console error), Retry-After. */
export function busyJson(username: string): Response {
  return Response.json(
    { error: BUSY_MESSAGE, values: { username } },
    {
      headers: {
        'Cache-Control': 'no-store',
        'Retry-After': String(BUSY_RETRY_AFTER_SECONDS),
      },
    },
  );
}
