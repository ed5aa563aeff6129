// The security overview's query on a big audit table (`npm run bench:overview`): fills a fresh
// database on the PostgreSQL server named by DATABASE_URL with BENCH_ROWS audit events over two
// years (default 2,000,000), then times the overview's one grouped query and prints its plan.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { overviewQuery } from '@/lib/admin/security-overview';

const serverUrl = process.env.DATABASE_URL;
if (!serverUrl?.startsWith('postgres')) {
  console.error(
    'Set DATABASE_URL to a PostgreSQL server, e.g. postgresql://postgres@127.0.0.1:5432/postgres',
  );
  process.exit(1);
}
const rows = Number(process.env.BENCH_ROWS ?? 2_000_000);
const name = `bench_overview_${randomBytes(4).toString('hex')}`;
const admin = new pg.Client({ connectionString: serverUrl });
await admin.connect();
await admin.query(`CREATE DATABASE ${name}`);
const url = new URL(serverUrl);
url.pathname = `/${name}`;
const client = new pg.Client({ connectionString: url.toString() });
await client.connect();
try {
  // The table and its indexes exactly as the migrations make them.
  const init = readFileSync(
    path.resolve(import.meta.dirname, '../prisma/migrations/20261127202600_init/migration.sql'),
    'utf8',
  );
  const auditDdl = init
    .split(/;\s*\n/)
    .filter((s) => /CREATE (TABLE|INDEX)[^(]*"AuditEvent/.test(s));
  for (const statement of auditDdl) await client.query(statement);

  const started = performance.now();
  // Two years of events of 16 kinds; a third of code sends by SMS.
  await client.query(
    `INSERT INTO "AuditEvent" (id, type, "userId", detail, "createdAt")
     SELECT 'b' || n,
            (ARRAY['signin.succeeded','signin.password_failed','code.rejected','code.burnt',
                   'signin.locked','device.trusted','code.sent','code.sent','device.used','signout',
                   'signin.password_ok','user.updated','ratelimit.hit','password.rehashed',
                   'code.expired','sessions.revoked'])[1 + n % 16],
            'user' || (n % 5000),
            jsonb_build_object('channel', CASE WHEN n % 3 = 0 THEN 'sms' ELSE 'email' END),
            timestamp '2025-01-01' + (n::float8 / $1) * interval '730 days'
     FROM generate_series(1, $1) AS n`,
    [rows],
  );
  await client.query('VACUUM ANALYZE "AuditEvent"');
  console.log(`${rows} rows loaded in ${((performance.now() - started) / 1000).toFixed(1)} s`);

  const query = overviewQuery('2026-12-01');
  const median = async () => {
    const times: number[] = [];
    for (let i = 0; i < 11; i++) {
      const t = performance.now();
      await client.query(query.text, query.values);
      times.push(performance.now() - t);
    }
    return `median ${times.sort((a, b) => a - b)[5]!.toFixed(1)} ms of 11 runs`;
  };
  console.log(`overview query: ${await median()}`);
  // For comparison, what the table would cost without the (type, createdAt) index.
  await client.query('SET enable_bitmapscan = off; SET enable_indexscan = off');
  console.log(`same query, whole-table scan: ${await median()}`);
  await client.query('RESET enable_bitmapscan; RESET enable_indexscan');
  const plan = await client.query(`EXPLAIN (ANALYZE, BUFFERS) ${query.text}`, query.values);
  console.log(plan.rows.map((r: Record<string, string>) => r['QUERY PLAN']).join('\n'));
} finally {
  await client.end();
  await admin.query(`DROP DATABASE ${name}`);
  await admin.end();
}
