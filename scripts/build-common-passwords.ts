import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';

// Builds lib/auth/common-passwords.json (PW-04) from the password list of the npm package
// @zxcvbn-ts/language-common (MIT licence, © zxcvbn-ts contributors; the list derives from
// zxcvbn's, MIT, © Dropbox). Re-run after bumping that package:
//
//   npx tsx scripts/build-common-passwords.ts

const require = createRequire(import.meta.url);
const source = require.resolve('@zxcvbn-ts/language-common/src/passwords.json');
const list: unknown = JSON.parse(readFileSync(source, 'utf8'));
if (!Array.isArray(list) || !list.every((p) => typeof p === 'string'))
  throw new Error(`${source}: expected an array of strings`);

// Lower case and NFKC, as the policy compares; shorter than 4 is refused by length anyway.
const entries = [
  ...new Set(
    list.map((p: string) => p.normalize('NFKC').toLowerCase()).filter((p) => [...p].length >= 4),
  ),
];
const target = path.resolve(import.meta.dirname, '../lib/auth/common-passwords.json');
writeFileSync(target, `${JSON.stringify(entries)}\n`);
console.log(`Wrote ${entries.length} passwords to ${path.relative(process.cwd(), target)}`);
