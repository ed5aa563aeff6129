import { afterEach, describe, expect, it } from 'vitest';
import { startEmbeddedPostgres } from './embedded-postgres';

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
