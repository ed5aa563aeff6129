import { z } from 'zod';
import { parsePhone } from '@/lib/users/phone';
import { parseUsername } from '@/lib/users/username';

// The admin's user form (create and edit): what each field must be, and one message per field,
// so the page can show each error beside its field. Pure: the default phone region comes in as
// an argument (env.PHONE_DEFAULT_REGION at the edge), and the database checks (duplicates) are
// in admin-users.ts.

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

export const ROLES = ['user', 'admin'] as const;
export type Role = (typeof ROLES)[number];

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

export const NAME_MAX = 100;
/** RFC 5321's limit on a forward path. */
export const EMAIL_MAX = 254;
export const PHONE_REQUIRED_MESSAGE = 'A phone number is required when two-step sign-in is on.';

const emailSchema = z
  .string()
  .trim()
  .min(1, 'Enter an email address.')
  .max(EMAIL_MAX, `Use at most ${EMAIL_MAX} characters.`)
  .pipe(z.email('Enter an email address like name@example.com.'));

/** An email address as typed, trimmed; the profile page uses the same rule as the admin form. */
export function parseEmail(
  input: string,
): { ok: true; email: string } | { ok: false; error: string } {
  const result = emailSchema.safeParse(input);
  return result.success
    ? { ok: true, email: result.data }
    : { ok: false, error: result.error.issues[0]?.message ?? 'Enter an email address.' };
}

// A checkbox posts its value when ticked and nothing when not; "on" is the browser default.
const checkbox = z
  .union([z.literal('1'), z.literal('on'), z.literal('true')])
  .optional()
  .transform((v) => v !== undefined);

function schema(defaultRegion: string) {
  return z
    .object({
      username: z.string().transform((typed, ctx) => {
        const parsed = parseUsername(typed);
        if (parsed.ok) return parsed.username;
        ctx.addIssue({ code: 'custom', message: parsed.error });
        return z.NEVER;
      }),
      name: z
        .string()
        .transform((v) => v.trim())
        .refine((v) => [...v].length <= NAME_MAX, `Use at most ${NAME_MAX} characters.`)
        .refine((v) => !/\p{Cc}/u.test(v), 'Remove the control characters.')
        .transform((v) => v || null),
      email: emailSchema,
      phone: z.string().transform((typed, ctx) => {
        if (!typed.trim()) return null;
        const parsed = parsePhone(typed, defaultRegion);
        if (parsed.ok) return parsed.e164;
        ctx.addIssue({ code: 'custom', message: parsed.error });
        return z.NEVER;
      }),
      role: z.enum(ROLES, 'Choose user or admin.'),
      twoFactor: checkbox,
      disabled: checkbox,
    })
    .superRefine((user, ctx) => {
      // The product rule (DESIGN.md rule 8): a two-step account needs somewhere to send SMS codes.
      if (user.twoFactor && user.phone === null)
        ctx.addIssue({ code: 'custom', path: ['phone'], message: PHONE_REQUIRED_MESSAGE });
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
  // A superRefine runs only when every field parsed, so the phone rule is checked on its own too:
  // the admin should see "phone required" together with, say, a bad email.
  const result = schema(options.defaultRegion).safeParse(raw);
  if (result.success) return { ok: true, user: result.data };
  const errors: FieldErrors = {};
  for (const issue of result.error.issues) {
    const field = issue.path[0];
    if (typeof field === 'string' && (USER_FORM_FIELDS as readonly string[]).includes(field)) {
      errors[field as UserFormField] ??= issue.message;
    }
  }
  if (values.twoFactor && !values.phone.trim()) errors.phone ??= PHONE_REQUIRED_MESSAGE;
  return { ok: false, errors };
}
