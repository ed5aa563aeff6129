import 'server-only';
import { db } from '@/lib/db';
import type { Prisma } from '@/lib/generated/prisma/client';
import { csvLine } from '@/lib/csv/csv-cell';
import { canonicalUsername } from '@/lib/users/username';
import { typedUsernameSubject } from './record-event';
import { typedNameHash } from './typed-name';

// The admin's view of the audit table: filter by user, event type and time, page through it, and
// export it as CSV. Callers authorise first (requireAdmin in the page and the export route).

export type AuditFilter = {
  /**
   * As typed; matches the user with that canonical username and events typed so (stored as the
   * keyed hash of the canonical name, so any spelling of it matches).
   */
  username: string;
  /**
   * An exact event name such as `signin.succeeded`, or several separated by commas (the
   * overview's "wrong codes" are `code.rejected,code.burnt`); empty for all.
   */
  type: string;
  /** Only events whose detail names one of these channels (`sms,voice`); empty or absent for all. */
  channel?: string;
  /** Inclusive start and exclusive end, in UTC. */
  from: Date | null;
  to: Date | null;
};

export type AuditFilterInput = {
  user?: string;
  type?: string;
  from?: string;
  to?: string;
  channel?: string;
  page?: string;
};
export type ParsedAuditQuery = {
  filter: AuditFilter;
  page: number;
  errors: { from?: string; to?: string };
};

export const AUDIT_PAGE_SIZE = 50;
/** An export is bounded so one click cannot stream the whole table for minutes. */
export const AUDIT_EXPORT_MAX_ROWS = 100_000;
const EXPORT_BATCH = 1000;

const EVENT_NAME = /^[a-z][a-z_]*(\.[a-z_]+)*$/;
const CHANNELS = ['email', 'sms', 'voice'];

/** Names separated by commas, each allowed by `valid`, at most `max`; anything else means none. */
function nameList(text: string, valid: (name: string) => boolean, max: number): string {
  const names = text.split(',').map((n) => n.trim());
  return text.trim() !== '' && names.length <= max && names.every(valid) ? names.join(',') : '';
}
const eventNames = (text: string) => nameList(text, (n) => n.length <= 64 && EVENT_NAME.test(n), 8);
// What <input type="datetime-local"> sends: minutes, optionally seconds; read as UTC, as the
// page labels it and as every time on the admin pages is shown.
const LOCAL_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/;

function parseTime(text: string): Date | null | 'invalid' {
  if (text === '') return null;
  const m = LOCAL_TIME.exec(text);
  if (!m) return 'invalid';
  const [, y, mo, d, h, mi, s] = m.map(Number) as number[];
  const date = new Date(Date.UTC(y!, mo! - 1, d!, h!, mi!, Number.isNaN(s) ? 0 : s!));
  // Date.UTC rolls 2026-02-31 over into March: refuse dates that do not exist.
  return date.getUTCMonth() === mo! - 1 && date.getUTCDate() === d! && h! < 24 && mi! < 60
    ? date
    : 'invalid';
}

/** Reads the page's query string; anything malformed is dropped (and said), never an error page. */
export function parseAuditQuery(input: AuditFilterInput): ParsedAuditQuery {
  const errors: ParsedAuditQuery['errors'] = {};
  const username = (input.user ?? '').trim().slice(0, 200);
  const from = parseTime((input.from ?? '').trim());
  const toStart = parseTime((input.to ?? '').trim());
  if (from === 'invalid') errors.from = 'Enter a date and time, like 2026-01-31 09:00.';
  if (toStart === 'invalid') errors.to = 'Enter a date and time, like 2026-01-31 17:30.';
  // "To 17:30" includes the whole of 17:30: the end is exclusive one minute later.
  const to = toStart instanceof Date ? new Date(toStart.getTime() + 60_000) : null;
  const channel = nameList(input.channel ?? '', (n) => CHANNELS.includes(n), CHANNELS.length);
  const page = Math.max(1, Math.min(1_000_000, Math.floor(Number(input.page)) || 1));
  return {
    filter: {
      username,
      type: eventNames(input.type ?? ''),
      ...(channel ? { channel } : {}),
      from: from instanceof Date ? from : null,
      to,
    },
    page,
    errors,
  };
}

/** The filter as query parameters, for paging links and the export link. */
export function auditQueryString(filter: AuditFilter, extra: Record<string, string> = {}): string {
  const minute = (d: Date) => d.toISOString().slice(0, 16);
  const params = new URLSearchParams({
    ...(filter.username ? { user: filter.username } : {}),
    ...(filter.type ? { type: filter.type } : {}),
    ...(filter.channel ? { channel: filter.channel } : {}),
    ...(filter.from ? { from: minute(filter.from) } : {}),
    ...(filter.to ? { to: minute(new Date(filter.to.getTime() - 60_000)) } : {}),
    ...extra,
  });
  const text = params.toString();
  return text ? `?${text}` : '';
}

async function whereOf(filter: AuditFilter): Promise<Prisma.AuditEventWhereInput> {
  const and: Prisma.AuditEventWhereInput[] = [];
  if (filter.username) {
    const user = await db.user.findUnique({
      where: { usernameKey: canonicalUsername(filter.username) },
      select: { id: true },
    });
    and.push({
      OR: [
        ...(user ? [{ userId: user.id }] : []),
        { subject: typedUsernameSubject(filter.username) },
        // A subject as shown (`unknown:…`), and rows written before names were hashed.
        { subject: { equals: filter.username, mode: 'insensitive' } },
      ],
    });
  }
  if (filter.type) and.push({ type: { in: filter.type.split(',') } });
  if (filter.channel)
    and.push({
      OR: filter.channel
        .split(',')
        .map((channel) => ({ detail: { path: ['channel'], equals: channel } })),
    });
  if (filter.from || filter.to)
    and.push({
      createdAt: {
        ...(filter.from ? { gte: filter.from } : {}),
        ...(filter.to ? { lt: filter.to } : {}),
      },
    });
  return { AND: and };
}

const rowFields = {
  id: true,
  createdAt: true,
  type: true,
  userId: true,
  subject: true,
  ip: true,
  userAgent: true,
  detail: true,
} as const;
/** An event and the username of the user it concerns (null: no user, or one no longer there). */
export type AuditRow = Prisma.AuditEventGetPayload<{ select: typeof rowFields }> & {
  user: { username: string } | null;
};

// Events carry the user's id without a foreign key (append-only, see schema.prisma): the
// usernames of a page of events come from one look-up.
async function withUsernames(
  events: Prisma.AuditEventGetPayload<{ select: typeof rowFields }>[],
): Promise<AuditRow[]> {
  const ids = [...new Set(events.flatMap((e) => (e.userId ? [e.userId] : [])))];
  const users = ids.length
    ? await db.user.findMany({ where: { id: { in: ids } }, select: { id: true, username: true } })
    : [];
  const byId = new Map(users.map((u) => [u.id, { username: u.username }]));
  return events.map((e) => ({ ...e, user: (e.userId && byId.get(e.userId)) || null }));
}
const newestFirst: Prisma.AuditEventOrderByWithRelationInput[] = [
  { createdAt: 'desc' },
  { id: 'desc' },
];

export async function listAuditEvents(
  filter: AuditFilter,
  requestedPage: number,
  pageSize = AUDIT_PAGE_SIZE,
) {
  const where = await whereOf(filter);
  const total = await db.auditEvent.count({ where });
  const pageCount = Math.max(1, Math.ceil(total / pageSize));
  const page = Math.min(pageCount, Math.max(1, requestedPage));
  const events = await withUsernames(
    await db.auditEvent.findMany({
      where,
      orderBy: newestFirst,
      skip: (page - 1) * pageSize,
      take: pageSize,
      select: rowFields,
    }),
  );
  return { events, total, page, pageSize, pageCount };
}

/** Event names that occur in the table, for the filter's choices (new kinds appear by themselves). */
export async function listAuditEventTypes(): Promise<string[]> {
  const rows = await db.auditEvent.findMany({
    distinct: ['type'],
    select: { type: true },
    orderBy: { type: 'asc' },
  });
  return rows.map((r) => r.type);
}

/**
 * How the page shows an event's typed name: its hash, or, when the admin searched for the name
 * it is the hash of, that name. Rows from before names were hashed show their text.
 */
export function describeTypedName(subject: string, filter: AuditFilter): string {
  const hash = typedNameHash(subject);
  if (hash === null) return `typed: ${subject}`;
  if (filter.username && typedUsernameSubject(filter.username) === subject)
    return `typed: ${filter.username} (matched by its hash)`;
  return `typed name, hash ${hash}`;
}

/** Details as one line of text: `key: value, …` (values that are not strings as JSON). */
export function describeDetail(detail: Prisma.JsonValue): string {
  if (detail === null) return '';
  if (typeof detail !== 'object' || Array.isArray(detail)) return JSON.stringify(detail);
  return Object.entries(detail)
    .map(([key, value]) => `${key}: ${typeof value === 'string' ? value : JSON.stringify(value)}`)
    .join(', ');
}

export const AUDIT_CSV_COLUMNS = [
  'time_utc',
  'event',
  'username',
  'typed_username_hash',
  'ip',
  'user_agent',
  'details',
] as const;

/**
 * The export, newest first, line by line: every cell through csvCell, which neutralises
 * spreadsheet formulas (CSV-04): user agents, legacy typed usernames and device names are attacker text.
 */
export async function* auditCsvLines(
  filter: AuditFilter,
  maxRows = AUDIT_EXPORT_MAX_ROWS,
): AsyncGenerator<string> {
  const where = await whereOf(filter);
  yield csvLine(AUDIT_CSV_COLUMNS);
  let cursor: string | undefined;
  let written = 0;
  while (written < maxRows) {
    const batch = await withUsernames(
      await db.auditEvent.findMany({
        where,
        orderBy: newestFirst,
        select: rowFields,
        take: Math.min(EXPORT_BATCH, maxRows - written),
        ...(cursor ? { cursor: { id: cursor }, skip: 1 } : {}),
      }),
    );
    for (const e of batch) {
      yield csvLine([
        e.createdAt.toISOString(),
        e.type,
        e.user?.username ?? '',
        e.subject ?? '',
        e.ip ?? '',
        e.userAgent ?? '',
        e.detail === null ? '' : JSON.stringify(e.detail),
      ]);
    }
    written += batch.length;
    if (batch.length === 0 || (batch.length < EXPORT_BATCH && written < maxRows)) return;
    cursor = batch.at(-1)!.id;
  }
  const more = await db.auditEvent.findFirst({
    where,
    orderBy: newestFirst,
    select: { id: true },
    ...(cursor ? { cursor: { id: cursor }, skip: 1 } : {}),
  });
  if (more)
    yield csvLine([
      '',
      '*',
      '',
      '',
      '',
      '',
      `Stopped after ${maxRows} rows: narrow the filter to export the rest.`,
    ]);
}
