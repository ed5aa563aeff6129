import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

// The Big List of Naughty Strings (MIT) lives in the test data folder beside the repository, which
// CI always has; it is read from there, never copied in. A clone without it gets an empty list,
// and the tests that use it run on their own few strings.
const BLNS_PATH = path.resolve(process.cwd(), '../shared/testdata/blns.json');

/** Every string of the list, or [] where the test data folder is absent. */
export function naughtyStrings(): string[] {
  return existsSync(BLNS_PATH) ? (JSON.parse(readFileSync(BLNS_PATH, 'utf8')) as string[]) : [];
}
