// Runs once when the server starts. The Node.js part lives in its own module, imported only under
// the Node.js runtime, so the Edge bundle never sees process.exit.
export async function register() {
  if (process.env.NEXT_RUNTIME === 'nodejs') {
    await import('./instrumentation-node');
  }
}
