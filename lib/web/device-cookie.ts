import 'server-only';
import { cookies } from 'next/headers';
import { cookieOptions, deviceCookieName, expiredCookie } from '@/lib/auth/cookies';

/** This browser's trusted-device token, if it holds one. */
export async function getDeviceToken(): Promise<string | undefined> {
  return (await cookies()).get(deviceCookieName)?.value;
}

/** Stores a (new or rotated) device token for as long as the trust lasts. */
export async function setDeviceToken(token: string, expiresAt: Date): Promise<void> {
  (await cookies()).set(deviceCookieName, token, { ...cookieOptions, expires: expiresAt });
}

export async function clearDeviceToken(): Promise<void> {
  (await cookies()).set(deviceCookieName, '', expiredCookie);
}
