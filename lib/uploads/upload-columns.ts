// The User Upload file format (CSV-01, docs/decisions/0023): which columns there are, the names
// a header may give them, and the header check. Kept in one place so the template, the check,
// the upload page and the docs agree.

export const UPLOAD_COLUMNS = ['username', 'name', 'email', 'phone', 'role', 'two_factor'] as const;
export type UploadColumn = (typeof UPLOAD_COLUMNS)[number];

/**
 * Every column is required. A left-out column cannot be told from an empty cell, and the import
 * writes every field: with "Update them" a file without a role column would make every listed
 * admin a user, one without a name column would clear names (found in review). A file may name
 * them in any order and by any alias, and have other columns besides.
 */
export const REQUIRED_COLUMNS: readonly UploadColumn[] = UPLOAD_COLUMNS;

/**
 * The names each column is known by, as the header match compares them (normalizeHeader: no
 * case, spaces, dashes, underscores or dots). "User Name", "E-mail", "Phone Number" and "2FA"
 * are among them.
 */
export const COLUMN_ALIASES: Record<UploadColumn, readonly string[]> = {
  username: ['username', 'user', 'login', 'loginname', 'accountname'],
  name: ['name', 'fullname', 'displayname', 'realname'],
  email: ['email', 'emailaddress', 'mail', 'mailaddress'],
  phone: [
    'phone',
    'phonenumber',
    'mobile',
    'mobilephone',
    'mobilenumber',
    'cell',
    'cellphone',
    'telephone',
    'tel',
  ],
  role: ['role', 'userrole', 'accessrole'],
  two_factor: [
    'twofactor',
    '2fa',
    'mfa',
    'twostep',
    'twostepsignin',
    'twofactorauth',
    'twofactorauthentication',
    'otp',
  ],
};

/** Header names of a password column: refused, not ignored (CSV-03: no passwords in the file). */
const PASSWORD_NAMES = new Set(['password', 'passwd', 'pwd', 'passcode', 'initialpassword']);

const BY_ALIAS = new Map<string, UploadColumn>(
  UPLOAD_COLUMNS.flatMap((column) => COLUMN_ALIASES[column].map((alias) => [alias, column])),
);

/** A header cell as the match compares it. */
export const normalizeHeader = (cell: string) =>
  cell
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[\s\-_.\u2010-\u2015\uFEFF]/g, '');

/** Spreadsheet row of the first data row when the header is on row 1. */
export const FIRST_DATA_ROW = 2;

// What a cell may hold is the user rules' business (lib/users/user-rules.ts), shared with the
// admin's user form; the words for two_factor are shown on the upload page.
export { TWO_FACTOR_VALUES } from '@/lib/users/user-rules';

/** The template offered for download: the header and two example rows. */
export const TEMPLATE_CSV =
  [
    UPLOAD_COLUMNS.join(','),
    'jdoe,Jane Doe,jane.doe@example.com,+1 415 555 0132,user,true',
    'asmith,Alex Smith,alex.smith@example.com,,user,false',
  ].join('\r\n') + '\r\n';

/** Where each column is in the file, and what else the header named. */
export type HeaderMatch = {
  /** The file's column index of each UPLOAD_COLUMNS entry, or -1 when the file has none. */
  positions: number[];
  /** Header cells that name no column, as typed, with their column letter: `Notes (G)`. */
  unknown: string[];
  /** File columns whose cells are read (the known ones); a value elsewhere is reported. */
  known: Set<number>;
  /** File columns with a header, known or not: a value in any other column is a problem. */
  named: Set<number>;
};

export type HeaderResult = { ok: true; match: HeaderMatch } | { ok: false; error: string };

/**
 * Matches the header cells to the columns, in any order, by name or alias. Refuses a header
 * without the required columns or with a column twice; other names are reported, not refused.
 */
export function matchHeader(header: readonly string[]): HeaderResult {
  const positions = UPLOAD_COLUMNS.map(() => -1);
  const seenAs = new Map<UploadColumn, string>();
  const unknown: string[] = [];
  const known = new Set<number>();
  const named = new Set<number>();
  const duplicates: string[] = [];
  const passwords: string[] = [];
  header.forEach((cell, index) => {
    const typed = cell.trim();
    if (typed === '') return;
    named.add(index);
    const normal = normalizeHeader(typed);
    if (PASSWORD_NAMES.has(normal)) {
      passwords.push(`"${shorten(typed)}" (${columnLetter(index)})`);
      return;
    }
    const column = BY_ALIAS.get(normal);
    if (!column) {
      unknown.push(`${shorten(typed)} (${columnLetter(index)})`);
      return;
    }
    const earlier = seenAs.get(column);
    if (earlier !== undefined) {
      duplicates.push(`"${shorten(earlier)}" and "${shorten(typed)}" are both ${column}`);
      return;
    }
    seenAs.set(column, typed);
    positions[UPLOAD_COLUMNS.indexOf(column)] = index;
    known.add(index);
  });
  const missing = REQUIRED_COLUMNS.filter((c) => positions[UPLOAD_COLUMNS.indexOf(c)] === -1);
  const parts: string[] = [];
  if (missing.length)
    parts.push(
      `it has no ${orList(missing)} column (every column of the template is needed, by its name or an alias)`,
    );
  if (duplicates.length)
    parts.push(`a column appears twice (${duplicates.join('; ')}): keep one of each`);
  if (passwords.length)
    parts.push(
      `it has a password column, ${passwords.join(', ')}: passwords never go in the file (each new user gets an invitation link to choose one), so remove it`,
    );
  if (parts.length)
    return { ok: false, error: `The first line is not a usable header: ${parts.join('; ')}.` };
  return { ok: true, match: { positions, unknown, known, named } };
}

/** Spreadsheet column letters: 0 → A, 25 → Z, 26 → AA. */
export function columnLetter(index: number): string {
  let letters = '';
  for (let n = index + 1; n > 0; n = Math.floor((n - 1) / 26))
    letters = String.fromCharCode(65 + ((n - 1) % 26)) + letters;
  return letters;
}

function shorten(text: string): string {
  const points = [...text];
  return points.length > 40 ? `${points.slice(0, 40).join('')}…` : text;
}

/** "a", "a or b", "a, b or c". */
function orList(items: readonly string[]): string {
  return items.length < 2
    ? (items[0] ?? '')
    : `${items.slice(0, -1).join(', ')} or ${items.at(-1)}`;
}
