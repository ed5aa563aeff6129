import { z } from 'zod';
import { parsePhone } from '@/lib/users/phone';
import { canonicalUsername, parseUsername } from '@/lib/users/username';
import {
  NAME_MAX_CODE_POINTS,
  TWO_FACTOR_VALUES,
  UPLOAD_COLUMNS,
  type UploadColumn,
} from './upload-columns';

// One data row of a User Upload, checked on its own (CSV-02). Checks that need the other rows or
// the database (duplicates) are in validate-upload.ts. Pure: no I/O, so it is unit-tested alone.

export type UploadProblem = {
  /** Spreadsheet row number: the header is row 1, the first data row is row 2. */
  row: number;
  /** A column name, or `*` for the row as a whole. */
  column: UploadColumn | '*';
  reason: string;
  /** The cell as typed, shortened to 100 characters, so the admin can find it. */
  value?: string;
};

/** A row as it will be stored. */
export type UploadRow = {
  row: number;
  username: string;
  usernameKey: string;
  name: string | null;
  email: string;
  /** Lower-cased, for duplicate checks (addresses are compared case-insensitively). */
  emailKey: string;
  /** E.164 or null. */
  phone: string | null;
  role: 'user' | 'admin';
  twoFactor: boolean;
};

export type RowResult =
  | { ok: true; value: UploadRow }
  | { ok: false; problems: UploadProblem[]; usernameKey: string | null; emailKey: string | null };

const emailSchema = z.email();
const TRUE_WORDS = new Set(['true', 'yes', '1', '']);
const FALSE_WORDS = new Set(['false', 'no', '0']);

export function validateRow(
  fields: readonly string[],
  row: number,
  defaultRegion: string,
): RowResult {
  if (fields.length !== UPLOAD_COLUMNS.length) {
    return {
      ok: false,
      usernameKey: null,
      emailKey: null,
      problems: [
        {
          row,
          column: '*',
          reason: `Expected ${UPLOAD_COLUMNS.length} values, found ${fields.length}.`,
        },
      ],
    };
  }
  const [rawUsername, rawName, rawEmail, rawPhone, rawRole, rawTwoFactor] = fields.map((f) =>
    f.trim(),
  ) as [string, string, string, string, string, string];
  const problems: UploadProblem[] = [];
  const typed: Record<UploadColumn, string> = {
    username: rawUsername,
    name: rawName,
    email: rawEmail,
    phone: rawPhone,
    role: rawRole,
    two_factor: rawTwoFactor,
  };
  const problem = (column: UploadColumn, reason: string) =>
    problems.push({ row, column, reason, value: shortValue(typed[column]) });

  const username = parseUsername(rawUsername);
  if (!rawUsername) problem('username', 'The username is empty.');
  else if (!username.ok) problem('username', `Not a valid username: ${username.error}`);

  // Any text is a name (CSV-06): it is stored and shown as text, never interpreted.
  // Code points are never more than UTF-16 units: most names need no count (and no array).
  if (rawName.length > NAME_MAX_CODE_POINTS && [...rawName].length > NAME_MAX_CODE_POINTS)
    problem('name', `Use at most ${NAME_MAX_CODE_POINTS} characters.`);

  const emailOk = rawEmail.length <= 254 && emailSchema.safeParse(rawEmail).success;
  if (!rawEmail) problem('email', 'The email address is empty.');
  else if (!emailOk) problem('email', 'Not a valid email address.');

  const twoFactorWord = rawTwoFactor.toLowerCase();
  const twoFactor = TRUE_WORDS.has(twoFactorWord)
    ? true
    : FALSE_WORDS.has(twoFactorWord)
      ? false
      : null;
  if (twoFactor === null) problem('two_factor', `Use ${TWO_FACTOR_VALUES}.`);

  let phone: string | null = null;
  if (rawPhone) {
    const parsed = parsePhone(rawPhone, defaultRegion);
    if (parsed.ok) phone = parsed.e164;
    else problem('phone', parsed.error);
  } else if (twoFactor) {
    problem('phone', 'A phone number is required when two_factor is on.');
  }

  const roleWord = rawRole.toLowerCase() || 'user';
  if (roleWord !== 'user' && roleWord !== 'admin')
    problem('role', 'Use user or admin (empty means user).');

  const usernameKey = username.ok ? canonicalUsername(username.username) : null;
  const emailKey = emailOk ? rawEmail.toLowerCase() : null;
  if (problems.length || !username.ok) return { ok: false, problems, usernameKey, emailKey };
  return {
    ok: true,
    value: {
      row,
      username: username.username,
      usernameKey: usernameKey!,
      name: rawName || null,
      email: rawEmail,
      emailKey: emailKey!,
      phone,
      role: roleWord as 'user' | 'admin',
      twoFactor: twoFactor!,
    },
  };
}

/** A cell for a problem report: at most 100 code points. */
export function shortValue(text: string): string {
  const points = [...text];
  return points.length > 100 ? `${points.slice(0, 100).join('')}…` : text;
}
