import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

// A local stand-in for Postmark's POST /email that checks every request against the documented
// request shape (https://postmarkapp.com/developer/api/email-api) and answers like Postmark.
// Tests point the real adapter at it (ServerClient with useHttps: false, requestHost) and assert
// that no request had shape violations (OTP-12).

export type CapturedPostmarkRequest = {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  rawBody: string;
  /** Parsed JSON body, or undefined when it was not JSON. */
  body: unknown;
  /** Every way the request departs from Postmark's documented shape; empty when it conforms. */
  violations: string[];
  conforms: boolean;
  /** The status this fake answered with. */
  status: number;
};

export type FailureMode = { status: number; body?: object } | { delayMs: number };

export type FakePostmark = {
  /** host:port, for ServerClient's requestHost. */
  host: string;
  token: string;
  requests: CapturedPostmarkRequest[];
  /** The next request gets this answer: an error status and body, or a late normal answer. */
  failNext(mode: FailureMode): void;
  close(): Promise<void>;
};

const STRING_FIELDS = [
  'From',
  'To',
  'Cc',
  'Bcc',
  'Subject',
  'TextBody',
  'HtmlBody',
  'MessageStream',
  'Tag',
  'ReplyTo',
];
const KNOWN_FIELDS = new Set([
  ...STRING_FIELDS,
  'Headers',
  'TrackOpens',
  'TrackLinks',
  'Metadata',
  'Attachments',
]);
const TRACK_LINKS = new Set(['None', 'HtmlAndText', 'HtmlOnly', 'TextOnly']);
const MAX_RECIPIENTS = 50;

/** Shape violations of a POST /email JSON body; empty when it matches Postmark's documentation. */
export function postmarkEmailViolations(body: unknown): string[] {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    return ['body: expected a JSON object'];
  const email = body as Record<string, unknown>;
  const problems: string[] = [];
  for (const key of Object.keys(email))
    if (!KNOWN_FIELDS.has(key)) problems.push(`${key}: unknown field`);
  for (const key of STRING_FIELDS)
    if (key in email && typeof email[key] !== 'string') problems.push(`${key}: expected a string`);
  for (const key of ['From', 'To', 'Subject'])
    if (typeof email[key] !== 'string' || (email[key] as string).trim() === '')
      problems.push(`${key}: required`);
  if (typeof email.TextBody !== 'string' && typeof email.HtmlBody !== 'string')
    problems.push('TextBody/HtmlBody: at least one is required');
  // Stricter than Postmark, on purpose: every Latchkey email carries both parts (decision 0021).
  for (const key of ['TextBody', 'HtmlBody'])
    if (typeof email[key] !== 'string' || (email[key] as string).trim() === '')
      problems.push(`${key}: every Latchkey email has a text and an HTML part`);
  for (const key of ['To', 'Cc', 'Bcc'])
    if (typeof email[key] === 'string' && (email[key] as string).split(',').length > MAX_RECIPIENTS)
      problems.push(`${key}: at most ${MAX_RECIPIENTS} recipients`);
  if (typeof email.Subject === 'string' && email.Subject.length > 2000)
    problems.push('Subject: at most 2000 characters');
  if ('TrackOpens' in email && typeof email.TrackOpens !== 'boolean')
    problems.push('TrackOpens: expected a boolean');
  if ('TrackLinks' in email && !TRACK_LINKS.has(email.TrackLinks as string))
    problems.push(`TrackLinks: expected one of ${[...TRACK_LINKS].join(', ')}`);
  if ('Headers' in email && !isListOf(email.Headers, ['Name', 'Value'], []))
    problems.push('Headers: expected [{ Name, Value }]');
  if (
    'Attachments' in email &&
    !isListOf(email.Attachments, ['Name', 'Content', 'ContentType'], ['ContentID'])
  )
    problems.push('Attachments: expected [{ Name, Content, ContentType, ContentID? }]');
  if ('Metadata' in email && !isStringRecord(email.Metadata))
    problems.push('Metadata: expected an object of strings');
  return problems;
}

function isListOf(value: unknown, required: string[], optional: string[]): boolean {
  return (
    Array.isArray(value) &&
    value.every(
      (item) =>
        typeof item === 'object' &&
        item !== null &&
        required.every((key) => typeof (item as Record<string, unknown>)[key] === 'string') &&
        Object.keys(item).every((key) => required.includes(key) || optional.includes(key)),
    )
  );
}

function isStringRecord(value: unknown): boolean {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    Object.values(value).every((v) => typeof v === 'string')
  );
}

function mediaType(header: string | undefined): string {
  return (header ?? '').split(';')[0]!.trim().toLowerCase();
}

export async function startFakePostmark(options: { token?: string } = {}): Promise<FakePostmark> {
  const token = options.token ?? `fake-postmark-${randomUUID()}`;
  const requests: CapturedPostmarkRequest[] = [];
  const pending: FailureMode[] = [];
  const timers = new Set<NodeJS.Timeout>();

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const rawBody = Buffer.concat(chunks).toString('utf8');
      const path = (req.url ?? '/').split('?')[0]!;
      const captured: CapturedPostmarkRequest = {
        method: req.method ?? '',
        path,
        headers: req.headers,
        rawBody,
        body: undefined,
        violations: [],
        conforms: false,
        status: 0,
      };
      requests.push(captured);

      const reply = (status: number, payload: object, delayMs = 0) => {
        captured.status = status;
        const write = () => {
          if (res.destroyed) return;
          res
            .writeHead(status, { 'Content-Type': 'application/json' })
            .end(JSON.stringify(payload));
        };
        if (delayMs <= 0) return write();
        const timer = setTimeout(() => (timers.delete(timer), write()), delayMs);
        timers.add(timer);
      };
      const violation = (text: string) => captured.violations.push(text);

      if (req.method !== 'POST' || path !== '/email') {
        violation(`${req.method} ${path}: this fake serves POST /email only`);
        return reply(404, { ErrorCode: 404, Message: 'Not found' });
      }
      if (mediaType(req.headers.accept) !== 'application/json')
        violation('Accept: expected application/json');
      if (mediaType(req.headers['content-type']) !== 'application/json')
        violation('Content-Type: expected application/json');
      if (req.headers['x-postmark-server-token'] !== token) {
        violation('X-Postmark-Server-Token: missing or wrong');
        return reply(401, {
          ErrorCode: 10,
          Message:
            'The Server Token you provided in the X-Postmark-Server-Token request header was invalid.',
        });
      }
      try {
        captured.body = JSON.parse(rawBody);
      } catch {
        violation('body: not valid JSON');
        return reply(422, { ErrorCode: 402, Message: 'Received invalid JSON input.' });
      }
      for (const problem of postmarkEmailViolations(captured.body)) violation(problem);
      captured.conforms = captured.violations.length === 0;
      if (!captured.conforms) {
        return reply(422, {
          ErrorCode: 300,
          Message: `Invalid email request: ${captured.violations.join('; ')}`,
        });
      }

      const failure = pending.shift();
      if (failure && 'status' in failure) {
        return reply(
          failure.status,
          failure.body ?? { ErrorCode: 0, Message: `Simulated HTTP ${failure.status}` },
        );
      }
      const email = captured.body as { To: string };
      reply(
        200,
        {
          To: email.To,
          SubmittedAt: new Date().toISOString(),
          MessageID: randomUUID(),
          ErrorCode: 0,
          Message: 'OK',
        },
        failure?.delayMs ?? 0,
      );
    });
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    host: `127.0.0.1:${port}`,
    token,
    requests,
    failNext: (mode) => void pending.push(mode),
    close: () =>
      new Promise<void>((resolve, reject) => {
        for (const timer of timers) clearTimeout(timer);
        server.close((error) => (error ? reject(error) : resolve()));
        // Keep-alive sockets (fetch keeps them) would hold close() open.
        server.closeAllConnections();
      }),
  };
}
