// The password-step worker's program (lib/web/password-step-worker.ts) run from source, as the
// tests start it: tsx compiles it in this thread; the server's build bundles it instead. As under
// Vitest (vitest.config.ts), `server-only` resolves to nothing: the worker is server code, and the
// `react-server` condition that would make it so also keeps react-dom/server (the email's HTML)
// from loading.
import { register } from 'node:module';
import { register as registerTsx } from 'tsx/esm/api';

const serverOnlyIsEmpty = `export async function resolve(specifier, context, next) {
  if (specifier === 'server-only') return { url: 'data:text/javascript,', shortCircuit: true };
  return next(specifier, context);
}`;
register(`data:text/javascript,${encodeURIComponent(serverOnlyIsEmpty)}`);
registerTsx();
await import('../../lib/web/password-step-worker.ts');
