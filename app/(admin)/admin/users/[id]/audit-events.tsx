import type { AuditEventView } from '@/lib/admin/get-user-detail';
import { cardClass, cellClass, headCellClass } from '../../styles';
import { When } from '../when';

// Details hold channel names, masked destinations, counts, reasons and ids (never a secret,
// RC-06); shown as compact text. React escapes them, so a device name typed by a user stays text.
function describe(detail: AuditEventView['detail']): string {
  if (detail === null || typeof detail !== 'object' || Array.isArray(detail))
    return detail === null ? '' : JSON.stringify(detail);
  return Object.entries(detail)
    .map(([key, value]) => `${key}: ${typeof value === 'string' ? value : JSON.stringify(value)}`)
    .join(', ');
}

/** The user's last 20 audit events, newest first. */
export function AuditEvents({ events }: { events: AuditEventView[] }) {
  return (
    <section aria-labelledby="events-title" className={cardClass}>
      <h2 id="events-title" className="mb-2 text-lg font-semibold">
        Recent events
      </h2>
      {events.length === 0 ? (
        <p className="text-sm text-slate-700">No events yet.</p>
      ) : (
        <div className="overflow-x-auto">
          <table aria-labelledby="events-title" className="w-full text-left text-sm">
            <thead className="border-b border-slate-200 bg-slate-50 text-slate-700">
              <tr>
                {['When', 'Event', 'IP address', 'Details'].map((h) => (
                  <th key={h} scope="col" className={headCellClass}>
                    {h}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-200">
              {events.map((event) => (
                <tr key={event.id}>
                  <td className={`${cellClass} whitespace-nowrap`}>
                    <When at={event.createdAt} />
                  </td>
                  <td className={`${cellClass} font-mono whitespace-nowrap`}>{event.type}</td>
                  <td className={`${cellClass} font-mono`}>{event.ip ?? ''}</td>
                  <td className={`${cellClass} break-words text-slate-700`}>
                    {describe(event.detail)}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
