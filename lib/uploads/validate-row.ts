import {
  checkEmail,
  checkName,
  checkPhone,
  checkRole,
  checkTwoFactor,
  checkTwoFactorForRole,
  checkUsername,
  type FieldResult,
  type Role,
} from '@/lib/users/user-rules';
import { canonicalUsername } from '@/lib/users/username';
import { UPLOAD_COLUMNS, type UploadColumn } from './upload-columns';

// One data row of a User Upload, checked on its own (CSV-02) by the same user rules as the
// admin's user form, so a cell gets the verdict and the message that field would get there.
// Checks that need the other rows or the database (duplicates) are in validate-upload.ts. Pure:
// no I/O, so it is unit-tested alone.

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
  role: Role;
  twoFactor: boolean;
};

export type RowResult =
  | { ok: true; value: UploadRow }
  | { ok: false; problems: UploadProblem[]; usernameKey: string | null; emailKey: string | null };

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
  // In UPLOAD_COLUMNS order, as the length check above made sure.
  const cells: Record<UploadColumn, string> = {
    username: fields[0]!,
    name: fields[1]!,
    email: fields[2]!,
    phone: fields[3]!,
    role: fields[4]!,
    two_factor: fields[5]!,
  };
  const problems: UploadProblem[] = [];
  // Each rule gets the cell as it is in the file, as a form field would be posted.
  const check = <T>(column: UploadColumn, result: FieldResult<T>): T | null => {
    if (result.ok) return result.value;
    problems.push({ row, column, reason: result.error, value: shortValue(cells[column].trim()) });
    return null;
  };

  const checkedUsername = check('username', checkUsername(cells.username));
  const checkedName = check('name', checkName(cells.name));
  const checkedEmail = check('email', checkEmail(cells.email));
  const checkedTwoFactor = check('two_factor', checkTwoFactor(cells.two_factor));
  const checkedPhone = check(
    'phone',
    checkPhone(cells.phone, { twoFactor: checkedTwoFactor === true, defaultRegion }),
  );
  // An empty role cell means an ordinary user: the file format's shorthand, which the form,
  // offering a choice of two, does not need.
  const checkedRole = check('role', checkRole(cells.role.trim() || 'user'));
  if (checkedRole !== null && checkedTwoFactor !== null)
    check('two_factor', checkTwoFactorForRole(checkedRole, checkedTwoFactor));

  const usernameKey = checkedUsername === null ? null : canonicalUsername(checkedUsername);
  const emailKey = checkedEmail === null ? null : checkedEmail.toLowerCase();
  if (problems.length) return { ok: false, problems, usernameKey, emailKey };
  // No problems: every check returned its value (null only for no name or no phone).
  return {
    ok: true,
    value: {
      row,
      username: checkedUsername!,
      usernameKey: usernameKey!,
      name: checkedName,
      email: checkedEmail!,
      emailKey: emailKey!,
      phone: checkedPhone,
      role: checkedRole!,
      twoFactor: checkedTwoFactor!,
    },
  };
}

/** A cell for a problem report: at most 100 code points. */
export function shortValue(text: string): string {
  const points = [...text];
  return points.length > 100 ? `${points.slice(0, 100).join('')}…` : text;
}
