import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { PrismaPg } from '@prisma/adapter-pg';
import { bindMigrationAwareSqlAdapterFactory } from '@prisma/driver-adapter-utils';
import * as runtime from '@prisma/schema-engine-wasm/schema_engine_bg';
import pg from 'pg';
import { listMigrations, MIGRATIONS_DIR } from './apply-migrations';

// The one file that knows the internals of Prisma's Wasm schema engine. It stands in for the
// native engine, a binary that cannot be downloaded on the machines this project is built on
// (`prisma generate` needs none; `prisma migrate` does): it diffs a database against
// schema.prisma and runs Prisma's own `migrate deploy` logic, talking to PostgreSQL through
// @prisma/adapter-pg. The API used is internal and unversioned: @prisma/schema-engine-wasm is
// pinned in package.json, and nothing else imports it.

export const SCHEMA_PATH = path.resolve(import.meta.dirname, '../../prisma/schema.prisma');

const require = createRequire(import.meta.url);
const NO_FILTER = { externalTables: [], externalEnums: [] };

export type MigrationHistoryStatus = {
  hasMigrationsTable: boolean;
  editedMigrationNames: string[];
  failedMigrationNames: string[];
  /** null when the database has applied exactly the migrations in the folder. */
  history: runtime.HistoryDiagnostic | null;
};

export type SchemaEngineSession = {
  /** The engine's git commit, e.g. to name in a failure message. */
  version: string;
  /** SQL that would bring the database to schema.prisma; '' when they already agree. */
  diffDatabaseToSchema(): Promise<string>;
  /** Prisma's own `migrate deploy` on the database; returns the names it applied. */
  prismaApplyMigrations(): Promise<string[]>;
  /** What `prisma migrate status` would find. */
  migrationStatus(): Promise<MigrationHistoryStatus>;
  close(): Promise<void>;
};

export async function openSchemaEngine(
  databaseUrl: string,
  options: { schemaPath?: string; migrationsDir?: string } = {},
): Promise<SchemaEngineSession> {
  const version = loadEngine();
  const schemaPath = options.schemaPath ?? SCHEMA_PATH;
  const migrationsDir = options.migrationsDir ?? MIGRATIONS_DIR;
  const schema = { files: [{ path: schemaPath, content: fs.readFileSync(schemaPath, 'utf8') }] };
  const pool = new pg.Pool({
    connectionString: databaseUrl,
    max: 2,
    Client: CatalogFriendlyClient as unknown as typeof pg.Client,
  });
  const adapter = bindMigrationAwareSqlAdapterFactory(new PrismaPg(pool));
  const debug = () => {};
  let engine: runtime.SchemaEngine;
  try {
    engine = await runtime.SchemaEngine.new(
      { datamodels: [[schemaPath, schema.files[0]!.content]] },
      debug,
      adapter,
    );
  } catch (error) {
    await pool.end();
    throw error;
  }

  async function migrationsList(): Promise<runtime.MigrationList> {
    const lockPath = path.join(migrationsDir, 'migration_lock.toml');
    return {
      baseDir: migrationsDir,
      lockfile: {
        path: 'migration_lock.toml',
        content: fs.existsSync(lockPath) ? fs.readFileSync(lockPath, 'utf8') : null,
      },
      shadowDbInitScript: '',
      migrationDirectories: (await listMigrations(migrationsDir)).map((m) => ({
        path: m.name,
        migrationFile: { path: 'migration.sql', content: { tag: 'ok' as const, value: m.script } },
      })),
    };
  }

  return {
    version,
    async diffDatabaseToSchema() {
      const result = await engine.diff({
        from: { tag: 'schemaDatasource', ...schema, configDir: path.dirname(schemaPath) },
        to: { tag: 'schemaDatamodel', ...schema },
        script: true,
        exitCode: null,
        filters: NO_FILTER,
      });
      return emptyScriptToBlank(result.stdout ?? '');
    },
    async prismaApplyMigrations() {
      const result = await engine.applyMigrations({
        migrationsList: await migrationsList(),
        filters: NO_FILTER,
      });
      return result.appliedMigrationNames;
    },
    async migrationStatus() {
      const { hasMigrationsTable, editedMigrationNames, failedMigrationNames, history } =
        await engine.diagnoseMigrationHistory({
          migrationsList: await migrationsList(),
          optInToShadowDatabase: false,
          filters: NO_FILTER,
        });
      return { hasMigrationsTable, editedMigrationNames, failedMigrationNames, history };
    },
    async close() {
      engine.free();
      await pool.end();
    },
  };
}

// wasm-bindgen keeps its instance in module state, and instantiating it twice in one process
// crashes, so it is loaded once. The Wasm binary shipped inside the installed `prisma` CLI is
// preferred: it is the exact engine build of that CLI (the pinned package's glue code drives it;
// a mismatch fails here with a LinkError naming the missing import).
let loadedVersion: string | undefined;
function loadEngine(): string {
  if (loadedVersion) return loadedVersion;
  const cliWasm = path.join(
    path.dirname(require.resolve('prisma/package.json')),
    'build',
    'schema_engine_bg.wasm',
  );
  const packageWasm = path.join(
    path.dirname(require.resolve('@prisma/schema-engine-wasm/schema_engine_bg')),
    'schema_engine_bg.wasm',
  );
  const wasmModule = new WebAssembly.Module(
    fs.readFileSync(fs.existsSync(cliWasm) ? cliWasm : packageWasm),
  );
  const instance = new WebAssembly.Instance(wasmModule, {
    './schema_engine_bg.js': runtime as unknown as WebAssembly.ModuleImports,
  });
  runtime.__wbg_set_wasm(instance.exports);
  (instance.exports.__wbindgen_start as () => void)();
  loadedVersion = runtime.version();
  return loadedVersion;
}

// The engine reads pg_catalog columns of PostgreSQL's one-byte "char" type (OID 18), which
// @prisma/adapter-pg 7.10 refuses as an unsupported column type. Their values arrive as text
// already; relabelling the field as `text` (OID 25) lets the adapter pass them through. pg's
// Pool builds its clients with `new Client(config)`, so a function returning a patched client
// serves; every calling form of `query` (promise or callback) is forwarded as received.
function CatalogFriendlyClient(config: pg.ClientConfig): pg.Client {
  const client = new pg.Client(config);
  const query = client.query.bind(client) as (...args: unknown[]) => unknown;
  const relabel = (result: pg.QueryResult | undefined) => {
    for (const field of result?.fields ?? []) if (field.dataTypeID === 18) field.dataTypeID = 25;
    return result;
  };
  client.query = ((...args: unknown[]) => {
    const callback = args.at(-1);
    if (typeof callback === 'function') {
      args[args.length - 1] = (error: Error | null, result?: pg.QueryResult) =>
        callback(error, relabel(result));
      return query(...args);
    }
    const pending = query(...args);
    return pending instanceof Promise ? pending.then(relabel) : pending;
  }) as typeof client.query;
  return client;
}

// The engine renders "no changes" as a comment-only script.
function emptyScriptToBlank(script: string): string {
  return script.split('\n').every((line) => line.trim() === '' || line.trim().startsWith('--'))
    ? ''
    : script;
}
