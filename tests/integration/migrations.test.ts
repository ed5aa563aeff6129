import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyMigrations, listMigrations, MIGRATIONS_DIR } from '../../scripts/db/apply-migrations';
import { openSchemaEngine } from '../../scripts/db/schema-engine';
import { startTestDatabase, type TestDatabase } from '../support/test-database';

// The migrations folder is the only way schema changes reach a deployed database, so
// schema.prisma and the migrations must describe the same tables; and the offline applier must
// leave exactly the history `prisma migrate deploy` leaves, or the two would fight over it.
// Each database here is this file's own (server or embedded), not the shared test database.

let ours: TestDatabase; // migrated by scripts/db/apply-migrations.ts
let prismas: TestDatabase; // migrated by Prisma's own schema engine

beforeAll(async () => {
  [ours, prismas] = await Promise.all([
    startTestDatabase({ migrate: false }),
    startTestDatabase({ migrate: false }),
  ]);
});
afterAll(async () => {
  await Promise.all([ours?.stop(), prismas?.stop()]);
});

async function query<T extends pg.QueryResultRow>(
  url: string,
  sql: string,
  values: unknown[] = [],
): Promise<T[]> {
  const client = new pg.Client(url);
  await client.connect();
  try {
    return (await client.query<T>(sql, values)).rows;
  } finally {
    await client.end();
  }
}

describe('migrations', () => {
  it('are applied once when two migrators race on a fresh database', async () => {
    const names = (await listMigrations()).map((m) => m.name);
    expect(names.length).toBeGreaterThan(0);
    const runs = await Promise.all([applyMigrations(ours.url), applyMigrations(ours.url)]);
    expect(runs.flatMap((r) => r.applied).sort()).toEqual(names);
    const rows = await query<{ migration_name: string }>(
      ours.url,
      'SELECT migration_name FROM "_prisma_migrations" ORDER BY migration_name',
    );
    expect(rows.map((r) => r.migration_name)).toEqual(names);
  });

  it('describe exactly what prisma/schema.prisma describes', async () => {
    const engine = await openSchemaEngine(ours.url);
    try {
      const missing = await engine.diffDatabaseToSchema();
      expect(
        missing,
        'schema.prisma has changes no migration carries. Create one with\n' +
          '  npx tsx scripts/db/create-migration.ts <name>\nThe SQL it would contain:\n' +
          missing,
      ).toBe('');
    } finally {
      await engine.close();
    }
  });

  it('are seen by Prisma as fully applied, none edited or failed', async () => {
    const engine = await openSchemaEngine(ours.url);
    try {
      expect(await engine.migrationStatus()).toEqual({
        hasMigrationsTable: true,
        editedMigrationNames: [],
        failedMigrationNames: [],
        history: null,
      });
      expect(await engine.prismaApplyMigrations()).toEqual([]); // `migrate deploy` finds nothing left to do
    } finally {
      await engine.close();
    }
  });

  it('do nothing when applied a second time', async () => {
    const before = await query(
      ours.url,
      'SELECT * FROM "_prisma_migrations" ORDER BY migration_name',
    );
    expect(await applyMigrations(ours.url)).toEqual({ applied: [] });
    expect(
      await query(ours.url, 'SELECT * FROM "_prisma_migrations" ORDER BY migration_name'),
    ).toEqual(before);
  });

  it('leave the same _prisma_migrations table and rows as `prisma migrate deploy`', async () => {
    const engine = await openSchemaEngine(prismas.url);
    try {
      expect(await engine.prismaApplyMigrations()).toEqual(
        (await listMigrations()).map((m) => m.name),
      );
    } finally {
      await engine.close();
    }
    const columns = `SELECT column_name, data_type, character_maximum_length, is_nullable, column_default
      FROM information_schema.columns WHERE table_name = '_prisma_migrations' ORDER BY ordinal_position`;
    const keys = `SELECT tc.constraint_type, kcu.column_name FROM information_schema.table_constraints tc
      JOIN information_schema.key_column_usage kcu USING (constraint_schema, constraint_name)
      WHERE tc.table_name = '_prisma_migrations' ORDER BY 1, 2`;
    expect(await query(ours.url, columns)).toEqual(await query(prismas.url, columns));
    expect(await query(ours.url, keys)).toEqual(await query(prismas.url, keys));

    const history = `SELECT id, checksum, migration_name, logs, rolled_back_at, applied_steps_count,
        started_at IS NOT NULL AS started, finished_at >= started_at AS finished
      FROM "_prisma_migrations" ORDER BY migration_name`;
    const shape = (rows: Record<string, unknown>[]) =>
      rows.map(({ id, ...rest }) => ({ ...rest, idIsUuid: /^[0-9a-f-]{36}$/.test(String(id)) }));
    const prismaRows = shape(await query(prismas.url, history));
    expect(shape(await query(ours.url, history))).toEqual(prismaRows);
    expect(prismaRows[0]).toMatchObject({
      logs: null,
      rolled_back_at: null,
      applied_steps_count: 1,
      finished: true,
      idIsUuid: true,
    });
  });

  it('roll back a migration that fails and record nothing', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'latchkey-migrations-'));
    try {
      fs.cpSync(MIGRATIONS_DIR, dir, { recursive: true });
      fs.mkdirSync(path.join(dir, '99990101000000_broken'));
      fs.writeFileSync(
        path.join(dir, '99990101000000_broken', 'migration.sql'),
        'CREATE TABLE "Half" ("id" TEXT);\nSELECT 1 / 0;\n',
      );
      await expect(applyMigrations(ours.url, { migrationsDir: dir })).rejects.toThrow(
        /99990101000000_broken failed and was rolled back: division by zero/,
      );
      expect(await query(ours.url, `SELECT to_regclass('"Half"') AS half`)).toEqual([
        { half: null },
      ]);
      expect(
        await query(
          ours.url,
          `SELECT 1 FROM "_prisma_migrations" WHERE migration_name = '99990101000000_broken'`,
        ),
      ).toEqual([]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuse to go on when an applied migration no longer matches its recorded checksum', async () => {
    const [first] = await listMigrations();
    await query(
      ours.url,
      `UPDATE "_prisma_migrations" SET checksum = repeat('0', 64) WHERE migration_name = $1`,
      [first!.name],
    );
    await expect(applyMigrations(ours.url)).rejects.toThrow(
      `Migration(s) changed after they were applied: ${first!.name}`,
    );
  });
});
