// Configuration is validated at start-up, so a production start with a missing or malformed
// variable stops at once naming it, instead of failing at the first sign-in.
try {
  await import('./lib/env');
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
}

export {};
