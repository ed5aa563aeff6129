/**
 * The nice value of a password-step worker thread (lib/web/password-step-worker.ts, decision
 * 0032): below the request thread's 0, so that on busy cores code verifies and pages go first;
 * above the lowest (19), so that logins still get a share. Lowering one's own priority needs no
 * privilege.
 */
export const PASSWORD_WORKER_NICE = 10;
