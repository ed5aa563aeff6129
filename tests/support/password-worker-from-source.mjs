// The password-step worker's program (lib/web/password-step-worker.ts) run from source, as the
// tests start it: tsx compiles it in this thread; the server's build bundles it instead.
import { register } from 'tsx/esm/api';

register();
await import('../../lib/web/password-step-worker.ts');
