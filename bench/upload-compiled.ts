import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';

// `npm run bench:upload`: runs bench/user-upload.ts as production runs the app's server code,
// compiled to JavaScript and executed by plain `node`, not through tsx's loader (which alone holds
// ~40 MB and would count in the bench's peak RSS). Only the project's own TypeScript is bundled
// (lib/, scripts/, the bench); packages stay in node_modules, loaded by node as `next start` loads
// them (`server-only`, which refuses to load outside a server build, is aliased to a no-op).
//
//   npm run bench:upload [rows]                                      compiled, plain node
//   npx tsx --conditions=react-server bench/user-upload.ts [rows]    the same bench through tsx
//
// Only the bench process's own peak RSS is reported (this launcher's is not counted).

const outdir = path.resolve('node_modules/.cache/latchkey-bench'); // beside node_modules, so packages resolve
const outfile = path.join(outdir, 'user-upload.mjs');
fs.rmSync(outdir, { recursive: true, force: true }); // the chunks of earlier builds
await build({
  entryPoints: ['bench/user-upload.ts'],
  outdir,
  outExtension: { '.js': '.mjs' },
  // A dynamic import() stays one, as in the server's build: a module the upload loads only when
  // it needs it (the workbook reader) loads its packages then, not at start.
  splitting: true,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  // `server-only` refuses to load outside React's server build; here it is a no-op, as there.
  // Without the react-server condition, so that the invitations' HTML email renders through
  // react-dom/server as it does on the server (that condition refuses react-dom/server).
  alias: { 'server-only': './tests/support/server-only-stub.ts' },
  tsconfig: 'tsconfig.json',
  logLevel: 'warning',
});
const run = spawnSync(process.execPath, [outfile, ...process.argv.slice(2)], {
  stdio: 'inherit',
  env: { ...process.env, BENCH_RUNTIME: 'node (esbuild bundle)' },
});
process.exit(run.status ?? 1);
