import type { TrustedDeviceView } from '@/lib/devices/trusted-devices';
import { cardClass, cellClass, dangerButtonClass, headCellClass } from '../../styles';
import { revokeAllDevicesAction, revokeDeviceAction } from '../actions';
import { When } from '../when';

/** The user's trusted browsers, each revocable, and all at once (TD-06: admin action). */
export function UserDevices({ userId, devices }: { userId: string; devices: TrustedDeviceView[] }) {
  return (
    <section id="devices" aria-labelledby="devices-title" className={`${cardClass} mb-8`}>
      <h2 id="devices-title" className="mb-2 text-lg font-semibold">
        Trusted devices
      </h2>
      {devices.length === 0 ? (
        <p className="text-sm text-slate-700">
          No trusted devices: every sign-in asks for a security code.
        </p>
      ) : (
        <>
          <p className="mb-4 text-sm text-slate-700">
            Revoking a device makes its next sign-in ask for a security code.
          </p>
          <div className="mb-4 overflow-x-auto">
            <table aria-labelledby="devices-title" className="w-full text-left text-sm">
              <thead className="border-b border-slate-200 bg-slate-50 text-slate-700">
                <tr>
                  {[
                    'Device',
                    'Browser',
                    'Operating system',
                    'IP address',
                    'Added',
                    'Last used',
                    'Trust expires',
                    'Action',
                  ].map((h) => (
                    <th key={h} scope="col" className={headCellClass}>
                      {h}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-200">
                {devices.map((device) => (
                  <tr key={device.id}>
                    <th scope="row" className={`${cellClass} font-medium break-words`}>
                      {device.name}
                    </th>
                    <td className={cellClass}>{device.browser ?? 'Unknown'}</td>
                    <td className={cellClass}>{device.os ?? 'Unknown'}</td>
                    <td className={`${cellClass} font-mono`}>{device.ip ?? 'Unknown'}</td>
                    <td className={`${cellClass} whitespace-nowrap`}>
                      <When at={device.createdAt} />
                    </td>
                    <td className={`${cellClass} whitespace-nowrap`}>
                      <When at={device.lastUsedAt} />
                    </td>
                    <td className={`${cellClass} whitespace-nowrap`}>
                      <When at={device.expiresAt} />
                    </td>
                    <td className={cellClass}>
                      <form action={revokeDeviceAction}>
                        <input type="hidden" name="userId" value={userId} />
                        <input type="hidden" name="deviceId" value={device.id} />
                        <button type="submit" className={dangerButtonClass}>
                          Revoke<span className="sr-only"> {device.name}</span>
                        </button>
                      </form>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <form action={revokeAllDevicesAction}>
            <input type="hidden" name="userId" value={userId} />
            <button type="submit" className={dangerButtonClass}>
              Revoke all devices
            </button>
          </form>
        </>
      )}
    </section>
  );
}
