/** The name under which a no-JavaScript post of the sign-in form leaves its message (form-flash). */
export const PASSWORD_FORM = 'password';

/**
 * Where the sign-in form posts (password-form.tsx writes it out, for the forms check): the password
 * step's route (./password/route.ts).
 */
export const PASSWORD_STEP_PATH = '/login/password';
