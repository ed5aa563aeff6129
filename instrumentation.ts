// Runs once when the server starts: configuration is validated now, so a production start with a
// missing or malformed variable fails at once naming it, instead of at the first sign-in.
export async function register() {
  if (process.env.NEXT_RUNTIME === 'nodejs') await import('./lib/env');
}
