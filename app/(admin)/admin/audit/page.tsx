import type { Metadata } from 'next';
import Link from 'next/link';
import { inputClass, secondaryButtonClass } from '@/app/ui/auth-card';
import { requireAdmin } from '@/lib/web/current-user';
import {
  auditQueryString,
  describeDetail,
  describeTypedName,
  listAuditEvents,
  listAuditEventTypes,
  parseAuditQuery,
  type AuditFilter,
  type AuditRow,
} from '@/lib/audit/audit-log';
import { cellClass, headCellClass, linkClass, primaryLinkClass } from '../styles';
import { When } from '../users/when';

export const metadata: Metadata = { title: 'Audit log' };

type Search = Record<
  'user' | 'type' | 'channel' | 'from' | 'to' | 'page',
  string | string[] | undefined
>;
const first = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v) ?? '';
const labelClass = 'mb-1 block text-sm font-medium text-slate-700';
// A code's channel is in its events' details; "SMS or voice" is what the daily SMS budget counts.
const channelChoices = [
  ['', 'Any channel'],
  ['email', 'Email'],
  ['sms', 'SMS'],
  ['voice', 'Voice call'],
  ['sms,voice', 'SMS or voice'],
] as const;
const minute = (d: Date | null, shift = 0) =>
  d ? new Date(d.getTime() + shift).toISOString().slice(0, 16) : '';

// Every authentication event (RC-06), newest first. A GET form, so a filtered view is a link an
// admin can share, and the same query string drives the CSV export.
export default async function AuditLogPage({
  searchParams,
}: {
  searchParams: Promise<Partial<Search>>;
}) {
  await requireAdmin();
  const params = await searchParams;
  const { filter, page, errors } = parseAuditQuery({
    user: first(params.user),
    type: first(params.type),
    channel: first(params.channel),
    from: first(params.from),
    to: first(params.to),
    page: first(params.page),
  });
  const [list, types] = await Promise.all([listAuditEvents(filter, page), listAuditEventTypes()]);
  const filtered = !!(filter.username || filter.type || filter.channel || filter.from || filter.to);
  const from = list.total === 0 ? 0 : (list.page - 1) * list.pageSize + 1;
  const to = Math.min(list.total, list.page * list.pageSize);

  return (
    <main>
      <div className="mb-6 flex flex-wrap items-end justify-between gap-4">
        <h1 id="audit-title" className="text-2xl font-semibold">
          Audit log
        </h1>
        <a
          href={`/admin/audit/export${auditQueryString(filter)}`}
          className={primaryLinkClass}
          download
        >
          Export CSV
        </a>
      </div>

      <form
        role="search"
        aria-label="Filter the log"
        method="get"
        action="/admin/audit"
        className="mb-6 grid max-w-5xl gap-4 sm:grid-cols-2 lg:grid-cols-5"
      >
        <div>
          <label htmlFor="user" className={labelClass}>
            Username
          </label>
          <input
            id="user"
            name="user"
            type="search"
            defaultValue={filter.username}
            maxLength={200}
            autoComplete="off"
            className={inputClass}
          />
        </div>
        <div>
          <label htmlFor="type" className={labelClass}>
            Event
          </label>
          <select id="type" name="type" defaultValue={filter.type} className={inputClass}>
            <option value="">All events</option>
            {(filter.type && !types.includes(filter.type) ? [filter.type, ...types] : types).map(
              (t) => (
                <option key={t} value={t}>
                  {t.replaceAll(',', ' or ')}
                </option>
              ),
            )}
          </select>
        </div>
        <div>
          <label htmlFor="channel" className={labelClass}>
            Channel
          </label>
          <select id="channel" name="channel" defaultValue={filter.channel} className={inputClass}>
            {channelChoices.map(([value, label]) => (
              <option key={value} value={value}>
                {label}
              </option>
            ))}
          </select>
        </div>
        <TimeField name="from" label="From (UTC)" value={minute(filter.from)} error={errors.from} />
        <TimeField
          name="to"
          label="To (UTC)"
          value={minute(filter.to, -60_000)}
          error={errors.to}
        />
        <div className="flex gap-2 sm:col-span-2 lg:col-span-5">
          <button type="submit" className={secondaryButtonClass}>
            Filter
          </button>
          {filtered && (
            <Link href="/admin/audit" className={secondaryButtonClass}>
              Clear filter
            </Link>
          )}
        </div>
      </form>

      <p className="mb-3 text-sm text-slate-700" role="status">
        {list.total === 0
          ? filtered
            ? 'No events match this filter.'
            : 'There are no events yet.'
          : `Showing ${from}–${to} of ${list.total} ${list.total === 1 ? 'event' : 'events'}${filtered ? ' matching the filter' : ''}, newest first.`}
      </p>

      {list.events.length > 0 && (
        <div className="mb-6 overflow-x-auto rounded-xl border border-slate-200 bg-white shadow-sm">
          <table aria-labelledby="audit-title" className="w-full text-left text-sm">
            <thead className="border-b border-slate-200 bg-slate-50 text-slate-700">
              <tr>
                {['When', 'Event', 'User', 'IP address', 'Details'].map((h) => (
                  <th key={h} scope="col" className={headCellClass}>
                    {h}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-200">
              {list.events.map((event) => (
                <EventRow key={event.id} event={event} filter={filter} />
              ))}
            </tbody>
          </table>
        </div>
      )}

      {list.pageCount > 1 && <Pages filter={filter} page={list.page} pageCount={list.pageCount} />}
    </main>
  );
}

function TimeField({
  name,
  label,
  value,
  error,
}: {
  name: string;
  label: string;
  value: string;
  error?: string;
}) {
  return (
    <div>
      <label htmlFor={name} className={labelClass}>
        {label}
      </label>
      <input
        id={name}
        name={name}
        type="datetime-local"
        defaultValue={value}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? `${name}-error` : undefined}
        className={inputClass}
      />
      {error && (
        <p id={`${name}-error`} className="mt-1 text-sm text-red-800">
          {error}
        </p>
      )}
    </div>
  );
}

// Typed usernames, user agents and device names are attacker text: React renders them as text.
function EventRow({ event, filter }: { event: AuditRow; filter: AuditFilter }) {
  return (
    <tr>
      <td className={`${cellClass} whitespace-nowrap`}>
        <When at={event.createdAt} />
      </td>
      <td className={`${cellClass} font-mono whitespace-nowrap`}>{event.type}</td>
      <td className={`${cellClass} break-all`}>
        {event.user && event.userId ? (
          <Link href={`/admin/users/${event.userId}`} className={linkClass}>
            {event.user.username}
          </Link>
        ) : event.subject !== null ? (
          <span className="font-mono">{describeTypedName(event.subject, filter)}</span>
        ) : (
          <span className="text-slate-600">none</span>
        )}
      </td>
      <td className={`${cellClass} font-mono`}>{event.ip ?? ''}</td>
      <td className={`${cellClass} break-words text-slate-700`}>{describeDetail(event.detail)}</td>
    </tr>
  );
}

function Pages({
  filter,
  page,
  pageCount,
}: {
  filter: AuditFilter;
  page: number;
  pageCount: number;
}) {
  const href = (p: number) => `/admin/audit${auditQueryString(filter, { page: String(p) })}`;
  return (
    <nav aria-label="Pages" className="flex items-center gap-3 text-sm">
      {page > 1 ? (
        <Link href={href(page - 1)} className={secondaryButtonClass}>
          Previous page
        </Link>
      ) : null}
      <span>
        Page {page} of {pageCount}
      </span>
      {page < pageCount ? (
        <Link href={href(page + 1)} className={secondaryButtonClass}>
          Next page
        </Link>
      ) : null}
    </nav>
  );
}
