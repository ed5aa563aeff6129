import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { applyMigrations } from '../scripts/db/apply-migrations';
import { createScratchDatabase } from '../scripts/db/scratch-database';

// `npm run bench:upload`: a 100,000-row User Upload, validated and imported against PostgreSQL,
// against `psql \copy` of the same rows into the same table on the same machine. Prints wall
// times, the ratio and peak RSS. Goal (issue 4): import ≤ 4 × \copy, peak RSS ≤ 250 MB.
//
//   DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres npm run bench:upload [rows]

const ROWS = Number(process.argv[2] ?? 100_000);
const serverUrl = process.env.DATABASE_URL || 'postgresql://postgres@127.0.0.1:5432/postgres';
const scratch = await createScratchDatabase(serverUrl, 'latchkey_bench');
const workDir = mkdtempSync(path.join(os.tmpdir(), 'latchkey-bench-'));

try {
  await applyMigrations(scratch.url);
  // lib/env.ts reads these at first import, so they are set before lib/ is loaded.
  Object.assign(process.env, { DATABASE_URL: scratch.url, AUTH_SECRET: randomBytes(32).toString('base64url'), OUTBOX_ENABLED: '1', MEMORY_STORE: '1' });
  const { db } = await import('../lib/db');
  const { appendUploadChunk, finishUpload, startUpload } = await import('../lib/uploads/receive-upload');
  const { importUpload } = await import('../lib/uploads/import-upload');
  const { sendInvitations } = await import('../lib/invitations/send-invitation');

  const admin = await db.user.create({ data: { username: 'bench-admin', usernameKey: 'bench-admin', email: 'bench-admin@example.com', passwordHash: 'x', role: 'admin' } });
  const startRssMb = process.memoryUsage().rss / 1024 / 1024;

  // As the browser sends it: 1 MiB chunks, then the dry run. The file is never whole in memory.
  let t = performance.now();
  const who = { adminId: admin.id };
  // The size is known only once built; the cap is enforced again as each chunk arrives.
  const started = await startUpload({ ...who, fileName: 'bench.csv', declaredSize: 1 });
  if (!started.ok) throw new Error(started.error);
  let bytes = 0;
  let index = 0;
  for (const chunk of fileChunks(ROWS)) {
    const appended = await appendUploadChunk({ ...who, uploadId: started.uploadId, index: index++, bytes: chunk });
    if (!appended.ok) throw new Error(appended.error);
    bytes += chunk.byteLength;
  }
  const uploaded = await finishUpload({ ...who, uploadId: started.uploadId });
  if (!uploaded.ok) throw new Error(uploaded.error);
  const validateMs = performance.now() - t;
  console.log(`file: ${ROWS.toLocaleString('en')} rows, ${(bytes / 1024 / 1024).toFixed(1)} MB in ${index} chunks`);

  t = performance.now();
  const imported = await importUpload({ uploadId: uploaded.uploadId, adminId: admin.id, allOrNothing: false, existingMode: 'skip', sender: null, batchSize: Number(process.env.BENCH_BATCH ?? 1000) });
  const importMs = performance.now() - t;
  if (!imported.ok || imported.created !== ROWS) throw new Error(`import created ${imported.ok ? imported.created : imported.error}`);

  // Invitations go out after the import, in batches; timed on a sample through the outbox.
  const sample = imported.createdIds.slice(0, 1000);
  t = performance.now();
  const sent = await sendInvitations(sample, { actorId: admin.id });
  const inviteMs = performance.now() - t;
  const peakRssMb = process.resourceUsage().maxRSS / 1024;

  // The same rows, in the User table's own columns, loaded by psql's \copy into the same table.
  const hash = (await db.user.findFirstOrThrow({ where: { username: 'bench-000001' } })).passwordHash;
  await db.$executeRawUnsafe('TRUNCATE "User" CASCADE');
  await db.$disconnect();
  const copyFile = path.join(workDir, 'users.csv');
  writeCopyFile(copyFile, ROWS, hash);
  const columns = '(id, username, "usernameKey", name, email, phone, "passwordHash", role, "twoFactor", "updatedAt")';
  t = performance.now();
  const psql = spawnSync('psql', [scratch.url, '-v', 'ON_ERROR_STOP=1', '-c', `\\copy "User"${columns} FROM '${copyFile}' WITH (FORMAT csv)`], { encoding: 'utf8' });
  const copyMs = performance.now() - t;
  if (psql.status !== 0) throw new Error(`psql \\copy failed: ${psql.stderr}`);

  const total = validateMs + importMs;
  const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
  console.log(`validate (upload + dry run): ${s(validateMs)}`);
  console.log(`import (checks again + writes users, invitations, audit): ${s(importMs)}`);
  console.log(`validate + import: ${s(total)}`);
  console.log(`psql \\copy of the same rows: ${s(copyMs)} (${psql.stdout.trim()})`);
  console.log(`ratio (validate + import) / \\copy: ${(total / copyMs).toFixed(1)}×; import alone: ${(importMs / copyMs).toFixed(1)}×  (goal ≤ 4×)`);
  console.log(`invitations: ${sent.sent} sent through the outbox in ${s(inviteMs)} (${Math.round(sent.sent / (inviteMs / 1000))}/s)`);
  console.log(`peak RSS: ${peakRssMb.toFixed(0)} MB (goal ≤ 250 MB); ${startRssMb.toFixed(0)} MB before the upload began (runtime, Prisma, phone metadata)`);
} finally {
  rmSync(workDir, { recursive: true, force: true });
  await scratch.drop();
}

/** The CSV in chunks of at most 1 MiB, ending at line ends, built as it is sent. */
function* fileChunks(rows: number): Generator<Uint8Array> {
  const encoder = new TextEncoder();
  let text = 'username,name,email,phone,role,two_factor\r\n';
  for (let i = 1; i <= rows; i++) {
    const n = String(i).padStart(6, '0');
    const last = String(i % 10_000).padStart(4, '0');
    // Mixed formats, as real files have them: international, national, and no phone.
    const phone = i % 3 === 0 ? `+1 415 555 ${last}` : i % 3 === 1 ? `(415) 555-${last}` : '';
    const line = `bench-${n},Bench Person ${n},bench-${n}@example.com,${phone},${i % 50 === 0 ? 'admin' : 'user'},${phone ? 'yes' : 'no'}\r\n`;
    if (text.length + line.length > 1024 * 1024) {
      yield encoder.encode(text);
      text = '';
    }
    text += line;
  }
  if (text) yield encoder.encode(text);
}

/** The same rows as \copy input, written 10,000 lines at a time so no huge string is built. */
function writeCopyFile(file: string, rows: number, passwordHash: string): void {
  const now = new Date().toISOString();
  writeFileSync(file, '');
  let out: string[] = [];
  for (let i = 1; i <= rows; i++) {
    const n = String(i).padStart(6, '0');
    const phone = i % 3 === 2 ? '' : `+1415555${String(i % 10_000).padStart(4, '0')}`;
    out.push(`${randomBytes(12).toString('hex')},bench-${n},bench-${n},Bench Person ${n},bench-${n}@example.com,${phone},"${passwordHash}",${i % 50 === 0 ? 'admin' : 'user'},${phone ? 't' : 'f'},${now}\n`);
    if (out.length === 10_000 || i === rows) {
      appendFileSync(file, out.join(''));
      out = [];
    }
  }
}
