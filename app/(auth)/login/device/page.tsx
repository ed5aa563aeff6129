import type { Metadata } from 'next';
import { AuthCard } from '@/app/ui/auth-card';
import { env } from '@/lib/env';
import { viewDeviceNaming } from '@/lib/auth/sign-in-device';
import { getSignInDeps } from '@/lib/web/wiring';
import { getTicketId } from '@/lib/web/pending-sign-in';
import { getRequestInfo } from '@/lib/web/request-info';
import { UNAVAILABLE_MESSAGE } from '@/lib/auth/form-state';
import { describeUserAgent } from '@/lib/devices/describe-user-agent';
import { ExpiredSignIn, Unavailable } from '../expired-sign-in';
import { DeviceForm } from './device-form';

export const metadata: Metadata = { title: 'Name this device' };

export default async function DevicePage() {
  let ticket;
  try {
    ticket = await viewDeviceNaming(getSignInDeps(), await getTicketId());
  } catch (error) {
    console.error('sign-in: device page could not read the pending sign-in', error);
    return <Unavailable message={UNAVAILABLE_MESSAGE} />;
  }
  if (!ticket) return <ExpiredSignIn />;
  const { userAgent } = await getRequestInfo();
  return (
    <AuthCard title="Name this device">
      <DeviceForm
        suggestedName={describeUserAgent(userAgent).suggestedName}
        days={env.TRUSTED_DEVICE_DAYS}
      />
    </AuthCard>
  );
}
