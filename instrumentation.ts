// Runs once when the server starts: configuration is validated now, so a production start with a
// missing or malformed variable fails at once naming it, instead of at the first sign-in.
export async function register() {
  if (process.env.NEXT_RUNTIME !== 'nodejs') return;
  try {
    await import('./lib/env');
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  }
}
