/** The name under which a no-JavaScript post of the sign-in form leaves its message (form-flash). */
export const PASSWORD_FORM = 'password';
