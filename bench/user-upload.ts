import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { applyMigrations } from '../scripts/db/apply-migrations';
import { createScratchDatabase } from '../scripts/db/scratch-database';
import { diskChunks, fileChunks, writeCopyFile } from './upload-files';

// `npm run bench:upload`: a 100,000-row User Upload, validated and imported against PostgreSQL,
// against `psql \copy` of the same rows into the same table on the same machine. Prints wall
// times, the ratio and peak RSS. Goal (issue 13, goal 4): import ≤ 3 × \copy, peak RSS ≤ 200 MB,
// for a CSV and (BENCH_FORMAT=xlsx) for an Excel workbook of the same rows.
//
//   DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres npm run bench:upload [rows]
//
// Wall times move with whatever else the machine runs, so the CPU time each side spent is printed
// too: this process's, and (when the server runs on this machine and /proc shows its processes)
// that of the PostgreSQL backends serving the scratch database.

const ROWS = Number(process.argv[2] ?? 100_000);
// BENCH_FORMAT=xlsx: the same rows as an Excel workbook (bench/make-upload-xlsx.mjs).
const FORMAT = process.env.BENCH_FORMAT === 'xlsx' ? 'xlsx' : 'csv';
const serverUrl = process.env.DATABASE_URL || 'postgresql://postgres@127.0.0.1:5432/postgres';
const rssMb = () => process.memoryUsage().rss / 1024 / 1024;
const rssAtStart = rssMb();
// BENCH_MEMORY=1: samples process.memoryUsage() every 20 ms and prints each phase's peaks.
const memoryTrace = process.env.BENCH_MEMORY ? traceMemory() : null;
const scratch = await createScratchDatabase(serverUrl, 'latchkey_bench');
const workDir = mkdtempSync(path.join(os.tmpdir(), 'latchkey-bench-'));
const xlsxFile = path.join(workDir, 'bench.xlsx');
if (FORMAT === 'xlsx') {
  const made = spawnSync(process.execPath, ['bench/make-upload-xlsx.mjs', xlsxFile, String(ROWS)], {
    stdio: 'inherit',
  });
  if (made.status !== 0) throw new Error('could not write the bench workbook');
}
const monitor = new pg.Client({ connectionString: scratch.url });

try {
  // From the working directory: bundled (bench/upload-compiled.ts), this file's own directory moves.
  await applyMigrations(scratch.url, { migrationsDir: path.resolve('prisma/migrations') });
  await monitor.connect();
  // lib/env.ts reads these at first import, so they are set before lib/ is loaded.
  Object.assign(process.env, {
    DATABASE_URL: scratch.url,
    AUTH_SECRET: randomBytes(32).toString('base64url'),
    OUTBOX_ENABLED: '1',
    // Nothing is served here, but a run under NODE_ENV=production must pass the same boot check
    // as a preview with the outbox (decision 0018).
    DEPLOYMENT_STAGE: 'preview',
    OUTBOX_TOKEN: randomBytes(32).toString('base64url'),
    MEMORY_STORE: '1',
  });
  const { db } = await import('../lib/db');
  const { appendUploadChunk, finishUpload, startUpload } =
    await import('../lib/uploads/receive-upload');
  const { importUpload } = await import('../lib/uploads/import-upload');
  const { sendInvitations } = await import('../lib/invitations/send-invitation');

  const admin = await db.user.create({
    data: {
      username: 'bench-admin',
      usernameKey: 'bench-admin',
      email: 'bench-admin@example.com',
      passwordHash: 'x',
      role: 'admin',
    },
  });
  // BENCH_WARMUP=1: one 10-row upload and import first, so every query shape the upload uses is
  // compiled (Prisma's query compiler grows its WebAssembly memory per new shape) before the
  // measured upload begins, as in a server that has taken an upload before.
  if (process.env.BENCH_WARMUP) {
    const w = await startUpload({ adminId: admin.id, fileName: 'warmup.csv', declaredSize: 1 });
    if (!w.ok) throw new Error(w.error);
    const warm = new TextEncoder().encode(
      `username,name,email,phone,role,two_factor\r\n${Array.from({ length: 10 }, (_, i) => `warm-${i},,warm-${i}@example.com,,user,no\r\n`).join('')}`,
    );
    await appendUploadChunk({ adminId: admin.id, uploadId: w.uploadId, index: 0, bytes: warm });
    await finishUpload({ adminId: admin.id, uploadId: w.uploadId });
    await importUpload({
      uploadId: w.uploadId,
      adminId: admin.id,
      allOrNothing: false,
      existingMode: 'skip',
      sender: null,
    });
    await db.$executeRawUnsafe(`DELETE FROM "User" WHERE username LIKE 'warm-%'`);
  }
  const rssBefore = rssMb();

  // As the browser sends it: 1 MiB chunks, then the dry run. The file is never whole in memory.
  let phase = await startPhase();
  memoryTrace?.phase('before the upload');
  const who = { adminId: admin.id };
  // The size is known only once built; the cap is enforced again as each chunk arrives.
  const started = await startUpload({ ...who, fileName: `bench.${FORMAT}`, declaredSize: 1 });
  if (!started.ok) throw new Error(started.error);
  let bytes = 0;
  let index = 0;
  for (const chunk of FORMAT === 'xlsx' ? diskChunks(xlsxFile) : fileChunks(ROWS)) {
    const appended = await appendUploadChunk({
      ...who,
      uploadId: started.uploadId,
      index: index++,
      bytes: chunk,
    });
    if (!appended.ok) throw new Error(appended.error);
    bytes += chunk.byteLength;
  }
  const uploaded = await finishUpload({ ...who, uploadId: started.uploadId });
  if (!uploaded.ok) throw new Error(uploaded.error);
  const validate = await phase.end();
  console.log(
    `file: ${ROWS.toLocaleString('en')} rows, ${FORMAT}, ${(bytes / 1024 / 1024).toFixed(1)} MB in ${index} chunks; 1-minute load average ${os.loadavg()[0]!.toFixed(2)}`,
  );

  memoryTrace?.phase('upload + dry run');
  phase = await startPhase();
  const batchSize = process.env.BENCH_BATCH ? Number(process.env.BENCH_BATCH) : undefined;
  const imported = await importUpload({
    uploadId: uploaded.uploadId,
    adminId: admin.id,
    allOrNothing: false,
    existingMode: 'skip',
    sender: null,
    batchSize,
  });
  const importing = await phase.end();
  if (!imported.ok || imported.created !== ROWS)
    throw new Error(`import created ${imported.ok ? imported.created : imported.error}`);
  const peakRssMb = process.resourceUsage().maxRSS / 1024;
  memoryTrace?.phase('import');

  // The new users' ids, as the invitations and the \copy below need them (the import keeps none).
  const createdIds = (
    await db.user.findMany({
      where: { uploadId: uploaded.uploadId },
      select: { id: true },
      orderBy: { id: 'asc' },
    })
  ).map((u) => u.id);
  // Invitations go out after the import, in batches; timed on a sample through the outbox.
  const sample = createdIds.slice(0, 1000);
  let t = performance.now();
  const sent = await sendInvitations(sample, { actorId: admin.id });
  const inviteMs = performance.now() - t;

  // The same rows, ids included, in the User table's own columns, loaded by psql's \copy into
  // the same table.
  const hash = (await db.user.findFirstOrThrow({ where: { username: 'bench-000001' } }))
    .passwordHash;
  await db.$executeRawUnsafe('TRUNCATE "User" CASCADE');
  await db.$disconnect();
  await (await import('../lib/uploads/upload-connection')).uploadPool().end();
  const copyFile = path.join(workDir, 'users.csv');
  writeCopyFile(copyFile, createdIds, hash);
  const columns =
    '(id, username, "usernameKey", name, email, phone, "passwordHash", role, "twoFactor", "updatedAt")';
  // The backend's CPU time is read before and after, inside the same psql session.
  const script = [
    'SELECT pg_backend_pid() AS pid \\gset',
    '\\setenv BENCH_BACKEND_PID :pid',
    '\\! cat /proc/$BENCH_BACKEND_PID/stat 2>/dev/null || echo',
    `\\copy "User"${columns} FROM '${copyFile}' WITH (FORMAT csv)`,
    '\\! cat /proc/$BENCH_BACKEND_PID/stat 2>/dev/null || echo',
  ].join('\n');
  t = performance.now();
  const psql = spawnSync('psql', [scratch.url, '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-f', '-'], {
    input: script,
    encoding: 'utf8',
  });
  const copyMs = performance.now() - t;
  if (psql.status !== 0) throw new Error(`psql \\copy failed: ${psql.stderr}`);
  const [before, after] = psql.stdout
    .split('\n')
    .filter((line) => line.includes('(postgres)') || line === '')
    .slice(0, 2)
    .map(cpuMsOfStat);
  const copyServerMs =
    typeof before === 'number' && typeof after === 'number' ? after - before : null;

  const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
  const cpu = (p: Phase) =>
    `(CPU: this process ${s(p.processCpuMs)}, database ${p.serverCpuMs === null ? 'n/a' : s(p.serverCpuMs)})`;
  const total = validate.wallMs + importing.wallMs;
  console.log(`validate (upload + dry run + staging): ${s(validate.wallMs)} ${cpu(validate)}`);
  console.log(
    `import (checks again + writes users and audit events): ${s(importing.wallMs)} ${cpu(importing)}`,
  );
  console.log(`validate + import: ${s(total)}`);
  console.log(
    `psql \\copy of the same rows: ${s(copyMs)} (database CPU ${copyServerMs === null ? 'n/a' : s(copyServerMs)})`,
  );
  console.log(
    `ratio (validate + import) / \\copy: ${(total / copyMs).toFixed(1)}×; import alone: ${(importing.wallMs / copyMs).toFixed(1)}×  (goal ≤ 3×)`,
  );
  if (copyServerMs && importing.serverCpuMs !== null)
    console.log(
      `database CPU, import / \\copy: ${(importing.serverCpuMs / copyServerMs).toFixed(1)}×`,
    );
  console.log(
    `invitations: ${sent.sent} sent, ${sent.skipped} skipped, ${sent.failed.length} failed (${sent.failed[0]?.error ?? '-'}) through the outbox in ${s(inviteMs)} (${Math.round(sent.sent / (inviteMs / 1000))}/s)`,
  );
  console.log(`run by: ${process.env.BENCH_RUNTIME ?? 'tsx'}, Node ${process.version}`);
  console.log(
    `peak RSS: ${peakRssMb.toFixed(0)} MB (goal ≤ 200 MB); ${rssBefore.toFixed(0)} MB before the upload began (${rssAtStart.toFixed(0)} MB at start), so the upload's own peak is ${(peakRssMb - rssBefore).toFixed(0)} MB above that`,
  );
} finally {
  await monitor.end().catch(() => {});
  rmSync(workDir, { recursive: true, force: true });
  await scratch.drop();
}

function traceMemory() {
  const keys = ['rss', 'heapTotal', 'heapUsed', 'external', 'arrayBuffers'] as const;
  let peaks = { rss: 0, heapTotal: 0, heapUsed: 0, external: 0, arrayBuffers: 0 };
  const sample = () => {
    const m = process.memoryUsage();
    for (const k of keys) peaks[k] = Math.max(peaks[k], m[k]);
  };
  const timer = setInterval(sample, 20);
  timer.unref();
  return {
    phase(name: string) {
      sample();
      console.log(
        `memory peaks, ${name}: ${keys.map((k) => `${k} ${(peaks[k] / 1048576).toFixed(0)}`).join(', ')} MB`,
      );
      peaks = { rss: 0, heapTotal: 0, heapUsed: 0, external: 0, arrayBuffers: 0 };
    },
  };
}

type Phase = { wallMs: number; processCpuMs: number; serverCpuMs: number | null };

async function startPhase() {
  const wall = performance.now();
  const processCpu = process.cpuUsage();
  const server = await serverCpuMs();
  return {
    async end(): Promise<Phase> {
      const wallMs = performance.now() - wall;
      const used = process.cpuUsage(processCpu);
      const serverNow = await serverCpuMs();
      return {
        wallMs,
        processCpuMs: (used.user + used.system) / 1000,
        serverCpuMs: server && serverNow ? sumDifference(server, serverNow) : null,
      };
    },
  };
}

/** CPU time of each backend serving the scratch database (other than this monitor), by pid. */
async function serverCpuMs(): Promise<Map<number, number> | null> {
  const { rows } = await monitor.query<{ pid: number }>(
    'SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()',
  );
  const times = new Map<number, number>();
  for (const { pid } of rows) {
    let stat: string;
    try {
      stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    } catch {
      return null; // the server is elsewhere, or /proc does not show it
    }
    const ms = cpuMsOfStat(stat);
    if (ms !== null) times.set(pid, ms);
  }
  return times;
}

// A backend that ended during the phase is not counted: Prisma's pool keeps its connections.
function sumDifference(before: Map<number, number>, after: Map<number, number>): number {
  let sum = 0;
  for (const [pid, ms] of after) sum += ms - (before.get(pid) ?? 0);
  return sum;
}

/** utime + stime of a /proc/<pid>/stat line, in ms (Linux counts in ticks of 10 ms). */
function cpuMsOfStat(stat: string | undefined): number | null {
  const fields = stat?.slice(stat.lastIndexOf(')') + 2).split(' ');
  if (!fields || fields.length < 13) return null;
  return (Number(fields[11]) + Number(fields[12])) * (1000 / 100);
}
