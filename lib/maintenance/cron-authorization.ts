import { secretEquals } from '@/lib/security/secret-equals';

// Vercel Cron calls the job's path with `Authorization: Bearer <CRON_SECRET>` when the project
// has a CRON_SECRET variable (https://vercel.com/docs/cron-jobs/manage-cron-jobs). Anyone can
// send a GET to the same path, so the header is the only thing that tells the two apart.

export type CronAuthorization = 'ok' | 'not-configured' | 'denied';

export function authorizeCronRequest(
  authorization: string | null,
  secret: string | undefined,
): CronAuthorization {
  if (!secret) return 'not-configured';
  return secretEquals(authorization, `Bearer ${secret}`) ? 'ok' : 'denied';
}
