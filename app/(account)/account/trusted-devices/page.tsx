import type { Metadata } from 'next';
import { FormMessage } from '@/app/ui/auth-card';
import { requireUser } from '@/lib/web/current-user';
import { getAccountSecurityDeps } from '@/lib/web/wiring';
import { viewFreshCode, type FreshCodeView } from '@/lib/auth/fresh-code';
import { getDeviceToken } from '@/lib/web/device-cookie';
import { listTrustedDevices, type TrustedDeviceView } from '@/lib/devices/trusted-devices';
import { env } from '@/lib/env';
import { FreshCodeSection } from '../_fresh-code/fresh-code-section';
import { deleteDeviceAction, deleteOtherDevicesAction } from './actions';
import { readDeviceNotice } from './device-notices';
import { RenameForm } from './rename-form';
import { dangerButtonClass, disclosureClass } from './styles';
import { AccountHeader } from '../account-header';

export const metadata: Metadata = { title: 'My Trusted Devices' };

// One fixed zone, named on screen, so the same device reads the same for everyone and in tests.
const dateFormat = new Intl.DateTimeFormat('en', {
  dateStyle: 'medium',
  timeStyle: 'short',
  timeZone: 'UTC',
});

function When({ at }: { at: Date }) {
  return <time dateTime={at.toISOString()}>{dateFormat.format(at)} UTC</time>;
}

const days = (n: number) => `${n} ${n === 1 ? 'day' : 'days'}`;

export default async function TrustedDevicesPage({
  searchParams,
}: {
  searchParams: Promise<{ notice?: string | string[]; fresh?: string | string[] }>;
}) {
  const user = await requireUser();
  const devices = await listTrustedDevices(user.id, await getDeviceToken());
  const { notice: noticeParam, fresh } = await searchParams;
  const notice = readDeviceNotice(noticeParam);
  // SE-07, TD-10: deleting all other devices needs a code entered within the window.
  const freshCode = await viewFreshCode(getAccountSecurityDeps(), user.id);
  const lifetime = days(env.TRUSTED_DEVICE_DAYS);
  const others = devices.filter((d) => !d.isCurrent).length;
  const thisBrowserTrusted = devices.some((d) => d.isCurrent);

  return (
    <main className="mx-auto max-w-6xl px-4 py-12">
      <AccountHeader />
      <h1 id="devices-title" className="mb-2 text-2xl font-semibold">
        My Trusted Devices
      </h1>
      <p className="mb-6 max-w-3xl text-slate-700">
        Browsers where you chose not to be asked for a security code. Signed in as{' '}
        <strong>{user.username}</strong>.
      </p>
      {notice && <FormMessage tone={notice.tone}>{notice.text}</FormMessage>}

      {devices.length === 0 ? (
        <section
          aria-labelledby="none-title"
          className="mb-8 rounded-xl border border-slate-200 bg-white p-6 shadow-sm"
        >
          <h2 id="none-title" className="mb-2 text-lg font-semibold">
            No trusted devices
          </h2>
          <p className="text-slate-700">
            When you sign in, tick “Don’t require OTP on this browser” to skip the code on this
            browser for {lifetime}. You will still enter your password every time. Trusted browsers
            then appear here, where you can rename or delete them.
          </p>
        </section>
      ) : (
        <>
          {!thisBrowserTrusted && (
            <p className="mb-3 text-sm text-slate-700">
              This browser is not one of your trusted devices.
            </p>
          )}
          <div className="mb-6 overflow-x-auto rounded-xl border border-slate-200 bg-white shadow-sm">
            <table aria-labelledby="devices-title" className="w-full text-left text-sm">
              <thead className="border-b border-slate-200 bg-slate-50 text-slate-700">
                <tr>
                  {[
                    'Device',
                    'Browser',
                    'OS',
                    'IP address',
                    'Added',
                    'Last used',
                    'Trust expires',
                    'Actions',
                  ].map((h) => (
                    <th key={h} scope="col" className="px-3 py-3 font-medium whitespace-nowrap">
                      {h}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-200">
                {devices.map((device) => (
                  <DeviceRow key={device.id} device={device} />
                ))}
              </tbody>
            </table>
          </div>
          {others > 0 && (
            <DeleteOthers
              others={others}
              keepsThisBrowser={thisBrowserTrusted}
              email={user.email}
              freshCode={freshCode}
              fresh={fresh}
            />
          )}
        </>
      )}

      <section
        aria-labelledby="how-title"
        className="max-w-3xl rounded-xl border border-slate-200 bg-white p-6 text-sm text-slate-700 shadow-sm"
      >
        <h2 id="how-title" className="mb-2 text-base font-semibold text-slate-900">
          How trust works
        </h2>
        <p className="mb-2">
          A trusted browser skips the security code, never the password: you always sign in with
          your password. Trust belongs to you alone; someone else signing in on the same browser is
          still asked for a code.
        </p>
        <p>
          Trust ends after {lifetime}, when you delete the device here, when your password, email
          address or phone number changes, or when an administrator revokes it. After that, the next
          sign-in from that browser asks for a code again.
        </p>
      </section>
    </main>
  );
}

function DeviceRow({ device }: { device: TrustedDeviceView }) {
  const cell = 'px-3 py-3 align-top';
  return (
    <tr>
      <th scope="row" className={`${cell} max-w-48 font-medium text-slate-900`}>
        <span className="wrap-anywhere">{device.name}</span>
        {device.isCurrent && (
          <span className="mt-1 block w-fit rounded-full bg-indigo-100 px-2 py-0.5 text-xs font-semibold whitespace-nowrap text-indigo-800">
            This device
          </span>
        )}
      </th>
      <td className={cell}>{device.browser ?? 'Unknown'}</td>
      <td className={cell}>{device.os ?? 'Unknown'}</td>
      <td className={cell}>
        <span className="font-mono">{device.ip ?? 'Unknown'}</span>
        {device.location && <span className="block text-slate-600">{device.location}</span>}
      </td>
      <td className={`${cell} min-w-28`}>
        <When at={device.createdAt} />
      </td>
      <td className={`${cell} min-w-28`}>
        <When at={device.lastUsedAt} />
      </td>
      <td className={`${cell} min-w-28`}>
        <When at={device.expiresAt} />
      </td>
      <td className={`${cell} space-y-2`}>
        <RenameForm deviceId={device.id} name={device.name} />
        <DeleteDevice device={device} />
      </td>
    </tr>
  );
}

/** Confirmation without JavaScript: the confirm button sits inside a disclosure. */
function DeleteDevice({ device }: { device: TrustedDeviceView }) {
  return (
    <details>
      <summary className={disclosureClass}>
        Delete<span className="sr-only"> {device.name}</span>
      </summary>
      <form action={deleteDeviceAction} className="mt-2 w-56 space-y-2">
        <input type="hidden" name="deviceId" value={device.id} />
        <p className="text-sm text-slate-700">
          {device.isCurrent
            ? 'Stop trusting this browser? Your next sign-in here will ask for a security code.'
            : 'Stop trusting this device? Its next sign-in will ask for a security code.'}
        </p>
        <button type="submit" className={dangerButtonClass}>
          Delete device<span className="sr-only"> {device.name}</span>
        </button>
      </form>
    </details>
  );
}

function DeleteOthers({
  others,
  keepsThisBrowser,
  email,
  freshCode,
  fresh,
}: {
  others: number;
  keepsThisBrowser: boolean;
  email: string;
  freshCode: FreshCodeView;
  fresh: unknown;
}) {
  return (
    <details className="mb-8" open={fresh !== undefined}>
      <summary className={disclosureClass}>Delete all other devices</summary>
      {!freshCode.freshUntil ? (
        <div className="mt-3 max-w-xl rounded-xl border border-slate-200 bg-white p-4">
          <FreshCodeSection
            page="devices"
            email={email}
            view={freshCode}
            fresh={fresh}
            purpose="delete all other devices"
          />
        </div>
      ) : (
        <form
          action={deleteOtherDevicesAction}
          className="mt-3 max-w-xl space-y-3 rounded-xl border border-red-200 bg-red-50 p-4"
        >
          <p className="text-sm text-red-900">
            {others === 1 ? 'One device' : `${others} devices`} will need a security code at their
            next sign-in.
            {keepsThisBrowser ? ' This browser stays trusted.' : ''}
          </p>
          <button type="submit" className={dangerButtonClass}>
            Yes, delete all other devices
          </button>
        </form>
      )}
    </details>
  );
}
