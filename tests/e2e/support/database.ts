import { readFileSync } from 'node:fs';
import pg from 'pg';
import { DATABASE_URL_FILE } from '../../../playwright.config';

/** Runs one SQL statement against the e2e servers' database (for states the UI cannot reach). */
export async function sql(text: string, values: unknown[] = []) {
  const client = new pg.Client({
    connectionString: readFileSync(DATABASE_URL_FILE, 'utf8').trim(),
  });
  await client.connect();
  try {
    return await client.query(text, values);
  } finally {
    await client.end();
  }
}
