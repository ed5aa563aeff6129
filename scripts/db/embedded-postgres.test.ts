import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { EMBEDDED_POOL_MAX, startEmbeddedPostgres } from './embedded-postgres';

// Starting and stopping the embedded database must leave the process's exit code alone: PGlite's
// Emscripten runtime sets `process.exitCode` to 99 as it starts and to 0 as it shuts down, and
// Vitest's global teardown stops this database after a failed run has set the code to 1, so
// `npm test` on embedded defaults passed with failing tests until this was caught.

const before = process.exitCode;
afterEach(() => {
  process.exitCode = before;
});

describe('embedded PostgreSQL', () => {
  it('stopping it keeps the exit code a failed run has set', async () => {
    const database = await startEmbeddedPostgres({ port: 0 });
    process.exitCode = 1;
    await database.stop();
    expect(process.exitCode).toBe(1);
  });

  it('starting and stopping it does not invent an exit code either', async () => {
    process.exitCode = undefined;
    const database = await startEmbeddedPostgres({ port: 0 });
    expect(process.exitCode).toBeUndefined();
    await database.stop();
    expect(process.exitCode).toBeUndefined();
  });
});

describe('the test run’s exit code', () => {
  it('keeps Vitest’s 1 for a failed run and drops a code PGlite wrote during the run', async () => {
    const { keepOnlyVitestsExitCode } = await import('../../tests/support/global-setup');
    process.exitCode = 100;
    keepOnlyVitestsExitCode();
    expect(process.exitCode).toBeUndefined();
    process.exitCode = 1;
    keepOnlyVitestsExitCode();
    expect(process.exitCode).toBe(1);
  });
});

describe('the app on the embedded database', () => {
  it('runs a transaction beside other statements without mixing them up, at the pool size the launchers set', async () => {
    const database = await startEmbeddedPostgres({ port: 0 });
    const pool = new pg.Pool({ connectionString: database.url, max: Number(EMBEDDED_POOL_MAX) });
    try {
      // Statements of different shapes, so that a Bind meeting another connection's Parse fails.
      const inTransaction = async () => {
        for (let i = 0; i < 40; i++) {
          const client = await pool.connect();
          try {
            await client.query('BEGIN');
            const { rows } = await client.query(
              'SELECT $1::int + $2::int + $3::int + $4::int + $5::int + $6::int + $7::int + $8::int AS n',
              [1, 2, 3, 4, 5, 6, 7, 8],
            );
            expect(rows[0].n).toBe(36);
            await client.query('COMMIT');
          } finally {
            client.release();
          }
        }
      };
      const beside = async () => {
        for (let i = 0; i < 80; i++) {
          const { rows } = await pool.query('SELECT $1::text || $2::text AS s', ['a', String(i)]);
          expect(rows[0].s).toBe(`a${i}`);
        }
      };
      await Promise.all([inTransaction(), inTransaction(), beside(), beside(), beside()]);
    } finally {
      await pool.end();
      await database.stop();
    }
  }, 15_000);
});
