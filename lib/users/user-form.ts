import { z } from 'zod';
import {
  checkTwoFactorForRole,
  checkEmail,
  checkName,
  checkPhone,
  checkRole,
  checkUsername,
  type FieldResult,
  type Role,
} from '@/lib/users/user-rules';

// The admin's user form (create and edit): the posted fields through the user rules
// (user-rules.ts, shared with the User Upload), one message per field, so the page can show each
// error beside its field. Pure: the default phone region comes in as an argument
// (env.PHONE_DEFAULT_REGION at the edge), and the database checks (duplicates) are in
// lib/admin/duplicate-errors.ts.

// The admin-users tests read the message from here.
export { PHONE_REQUIRED_MESSAGE } from '@/lib/users/user-rules';

export const USER_FORM_FIELDS = [
  'username',
  'name',
  'email',
  'phone',
  'role',
  'twoFactor',
  'disabled',
] as const;
export type UserFormField = (typeof USER_FORM_FIELDS)[number];
export type FieldErrors = Partial<Record<UserFormField, string>>;

/** A user as the form describes it, normalised: phone in E.164, empty name as null. */
export type UserInput = {
  username: string;
  name: string | null;
  email: string;
  phone: string | null;
  role: Role;
  twoFactor: boolean;
  disabled: boolean;
};

/** What a create or edit action returns to `useActionState`. */
export type UserFormState = {
  error?: string;
  info?: string;
  fieldErrors?: FieldErrors;
  /** What the admin typed, to refill the form after a refusal ('1' or '' for the checkboxes). */
  values?: Record<UserFormField, string>;
};

/** checkEmail in the shape the profile page's contact change reads (contact-change.ts). */

/** A text field checked by one of the user rules, its message kept for the field. */
const field = <T>(check: (typed: string) => FieldResult<T>) =>
  z.string().transform((typed, ctx) => {
    const result = check(typed);
    if (result.ok) return result.value;
    ctx.addIssue({ code: 'custom', message: result.error });
    return z.NEVER;
  });

// A checkbox posts its value when ticked and nothing when not; "on" is the browser default.
const checkbox = z
  .union([z.literal('1'), z.literal('on'), z.literal('true')])
  .optional()
  .transform((v) => v !== undefined);

// The phone rule depends on the two-step box, so the schema is made for what was ticked: every
// field is then checked on its own and the admin sees "phone required" together with, say, a
// bad email.
function schema(options: { defaultRegion: string; twoFactor: boolean; role: string }) {
  return z.object({
    username: field(checkUsername),
    name: field(checkName),
    email: field(checkEmail),
    phone: field((typed) => checkPhone(typed, options)),
    role: field(checkRole),
    // Like the phone rule, the admin rule reads the other field as typed, so it shows beside its
    // box together with every other problem (as the upload reports it).
    twoFactor: checkbox.transform((on, ctx) => {
      const role = checkRole(options.role);
      const result = role.ok ? checkTwoFactorForRole(role.value, on) : null;
      if (!result || result.ok) return on;
      ctx.addIssue({ code: 'custom', message: result.error });
      return z.NEVER;
    }),
    disabled: checkbox,
  });
}

/** The form's raw values, as typed: what goes back into the form after a refusal. */
export function userFormValues(
  source: FormData | Record<string, unknown>,
): Record<UserFormField, string> {
  const read = (key: string) => {
    const value = source instanceof FormData ? source.get(key) : source[key];
    return typeof value === 'string' ? value : '';
  };
  const ticked = (key: string) => (['1', 'on', 'true'].includes(read(key)) ? '1' : '');
  return {
    username: read('username'),
    name: read('name'),
    email: read('email'),
    phone: read('phone'),
    role: read('role'),
    twoFactor: ticked('twoFactor'),
    disabled: ticked('disabled'),
  };
}

export type UserFormResult = { ok: true; user: UserInput } | { ok: false; errors: FieldErrors };

/** Parses the form; on refusal, the first message for each field that is wrong. */
export function parseUserForm(
  source: FormData | Record<string, unknown>,
  options: { defaultRegion: string },
): UserFormResult {
  const values = userFormValues(source);
  const raw = {
    ...values,
    twoFactor: values.twoFactor || undefined,
    disabled: values.disabled || undefined,
  };
  const result = schema({
    defaultRegion: options.defaultRegion,
    twoFactor: values.twoFactor !== '',
    role: values.role,
  }).safeParse(raw);
  if (result.success) return { ok: true, user: result.data };
  const errors: FieldErrors = {};
  for (const issue of result.error.issues) {
    const field = issue.path[0];
    if (typeof field === 'string' && (USER_FORM_FIELDS as readonly string[]).includes(field)) {
      errors[field as UserFormField] ??= issue.message;
    }
  }
  return { ok: false, errors };
}
