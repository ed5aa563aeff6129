/** The name under which a no-JavaScript post of the code form leaves its message (form-flash). */
export const CODE_FORM = 'code';
