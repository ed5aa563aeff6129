import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import Ajv, { type ValidateFunction } from 'ajv';

// A local stand-in for Twilio's CreateMessage and CreateCall (API 2010-04-01). Every request body
// is validated against the request schemas from Twilio's OpenAPI description (shared testdata)
// plus the rules the schema cannot express; tests assert that no request had violations (OTP-12).
// Without ../shared/testdata (a user's own clone) the hand-written rules still run and
// `schemaChecked` is false, so the schema assertion can skip with a reason.

const repoRoot = path.resolve(import.meta.dirname, '../..');
export const TWILIO_SCHEMA_PATH = path.resolve(
  repoRoot,
  '../shared/testdata/twilio-api-v2010-create-message-and-call.json',
);

export type Resource = 'Messages' | 'Calls';

export type CapturedTwilioRequest = {
  method: string;
  path: string;
  resource: Resource | null;
  headers: http.IncomingHttpHeaders;
  rawBody: string;
  /** The form fields as sent (strings; repeated fields as arrays). */
  form: Record<string, string | string[]>;
  /** Every way the request departs from Twilio's published shape; empty when it conforms. */
  violations: string[];
  conforms: boolean;
  /** Whether the body went through the OpenAPI schema (false when the testdata is absent). */
  schemaChecked: boolean;
  /** The status this fake answered with. */
  status: number;
};

export type FailureMode = { status: number; body?: object } | { delayMs: number };

export type FakeTwilio = {
  /** For the adapter's apiBaseUrl, e.g. http://127.0.0.1:40123. */
  baseUrl: string;
  accountSid: string;
  authToken: string;
  requests: CapturedTwilioRequest[];
  /** True when the OpenAPI schemas were found and every request is checked against them. */
  schemaChecked: boolean;
  /** The next well-formed request gets this answer: an error status and body, or a late normal answer. */
  failNext(mode: FailureMode): void;
  close(): Promise<void>;
};

/** Twilio's documented magic numbers for test credentials: To → error code. */
export const TWILIO_TEST_NUMBER_ERRORS: Record<string, { code: number; message: string }> = {
  '+15005550001': {
    code: 21211,
    message: "The 'To' number +15005550001 is not a valid phone number.",
  },
  '+15005550002': {
    code: 21612,
    message:
      "The 'To' phone number: +15005550002, is not currently reachable using the 'From' phone number via SMS.",
  },
  '+15005550003': {
    code: 21408,
    message:
      "Permission to send an SMS has not been enabled for the region indicated by the 'To' number: +15005550003.",
  },
  '+15005550004': { code: 21610, message: 'Attempt to send to unsubscribed recipient' },
  '+15005550009': { code: 21614, message: "'To' number is not a valid mobile number" },
};

type Validators = Record<Resource, { validate: ValidateFunction; arrays: Set<string> }>;

/** Compiles the CreateMessage/CreateCall form schemas, or returns null when the file is absent. */
function loadValidators(): Validators | null {
  if (!fs.existsSync(TWILIO_SCHEMA_PATH)) return null;
  const spec = JSON.parse(fs.readFileSync(TWILIO_SCHEMA_PATH, 'utf8'));
  // Form values arrive as strings: coerce "45" → 45 and "true" → true per the schema's types.
  const ajv = new Ajv({ allErrors: true, coerceTypes: true, strict: true });
  ajv.addKeyword('x-twilio');
  const e164 = /^\+[1-9]\d{1,14}$/;
  ajv.addFormat('phone-number', (v: string) => e164.test(v) || /^[a-z]+:\S+$/.test(v)); // whatsapp:+1…, messenger:…
  ajv.addFormat('endpoint', (v: string) => e164.test(v) || /^(client|sip|app):\S+$/.test(v));
  ajv.addFormat('uri', (v: string) => URL.canParse(v));
  ajv.addFormat('date-time', (v: string) => !Number.isNaN(Date.parse(v)));
  ajv.addFormat('http-method', /^(GET|POST)$/);
  ajv.addFormat('twiml', (v: string) =>
    /^\s*(<\?xml[^>]*\?>\s*)?<Response>[\s\S]*<\/Response>\s*$/.test(v),
  );
  const $defs = spec.components.schemas;
  const compile = (operation: 'CreateMessage' | 'CreateCall') => {
    const schema = spec[operation].requestBody.content['application/x-www-form-urlencoded'].schema;
    // The published schema allows any field; an unknown one here is our typo (e.g. "ValidityPeriode"),
    // which Twilio would silently ignore, so the fake refuses it.
    const strictSchema = JSON.parse(
      JSON.stringify({ ...schema, additionalProperties: false, $defs }).replaceAll(
        '#/components/schemas/',
        '#/$defs/',
      ),
    );
    const arrays = new Set(
      Object.entries(schema.properties as Record<string, { type?: string }>)
        .filter(([, p]) => p.type === 'array')
        .map(([k]) => k),
    );
    return { validate: ajv.compile(strictSchema), arrays };
  };
  return { Messages: compile('CreateMessage'), Calls: compile('CreateCall') };
}

/** Rules from Twilio's documentation that the OpenAPI schema does not encode. */
function twilioRuleViolations(
  resource: Resource,
  form: Record<string, string | string[]>,
): string[] {
  const has = (key: string) =>
    typeof form[key] === 'string'
      ? form[key] !== ''
      : Array.isArray(form[key]) && form[key].length > 0;
  const problems: string[] = [];
  if (!has('To')) problems.push('To: required');
  if (resource === 'Messages') {
    if (!has('From') && !has('MessagingServiceSid'))
      problems.push('From or MessagingServiceSid: one is required');
    if (!has('Body') && !has('MediaUrl') && !has('ContentSid'))
      problems.push('Body, MediaUrl or ContentSid: one is required');
    if (typeof form.Body === 'string' && form.Body.length > 1600)
      problems.push('Body: at most 1600 characters');
    if ('ValidityPeriod' in form) {
      const seconds = Number(form.ValidityPeriod);
      if (!Number.isInteger(seconds) || seconds < 1 || seconds > 36000)
        problems.push('ValidityPeriod: an integer from 1 to 36000');
    }
  } else {
    if (!has('From')) problems.push('From: required');
    if (!has('Url') && !has('Twiml') && !has('ApplicationSid'))
      problems.push('Url, Twiml or ApplicationSid: one is required');
    if (typeof form.Twiml === 'string' && form.Twiml.length > 4000)
      problems.push('Twiml: at most 4000 characters');
  }
  return problems;
}

function twilioError(status: number, code: number, message: string) {
  return { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status };
}

function sid(prefix: string) {
  return prefix + randomBytes(16).toString('hex');
}

function resourceBody(
  resource: Resource,
  accountSid: string,
  form: Record<string, string | string[]>,
) {
  const now = new Date().toUTCString().replace('GMT', '+0000'); // Twilio's RFC 2822 dates
  const common = {
    account_sid: accountSid,
    api_version: '2010-04-01',
    date_created: now,
    date_updated: now,
    direction: 'outbound-api',
    status: 'queued',
    to: form.To,
  };
  if (resource === 'Messages') {
    const id = sid('SM');
    return {
      ...common,
      sid: id,
      body: form.Body ?? '',
      from: form.From ?? null,
      messaging_service_sid: form.MessagingServiceSid ?? null,
      date_sent: null,
      error_code: null,
      error_message: null,
      num_media: '0',
      num_segments: '1',
      price: null,
      price_unit: 'USD',
      status: form.MessagingServiceSid ? 'accepted' : 'queued',
      uri: `/2010-04-01/Accounts/${accountSid}/Messages/${id}.json`,
      subresource_uris: { media: `/2010-04-01/Accounts/${accountSid}/Messages/${id}/Media.json` },
    };
  }
  const id = sid('CA');
  return {
    ...common,
    sid: id,
    from: form.From,
    from_formatted: form.From,
    to_formatted: form.To,
    parent_call_sid: null,
    phone_number_sid: null,
    start_time: null,
    end_time: null,
    duration: null,
    price: null,
    price_unit: 'USD',
    answered_by: null,
    caller_name: null,
    uri: `/2010-04-01/Accounts/${accountSid}/Calls/${id}.json`,
  };
}

export async function startFakeTwilio(
  options: { accountSid?: string; authToken?: string } = {},
): Promise<FakeTwilio> {
  const accountSid = options.accountSid ?? sid('AC');
  const authToken = options.authToken ?? randomBytes(16).toString('hex');
  const expectedAuth = `Basic ${Buffer.from(`${accountSid}:${authToken}`).toString('base64')}`;
  const validators = loadValidators();
  const requests: CapturedTwilioRequest[] = [];
  const pending: FailureMode[] = [];
  const timers = new Set<NodeJS.Timeout>();

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const rawBody = Buffer.concat(chunks).toString('utf8');
      const urlPath = (req.url ?? '/').split('?')[0]!;
      const match = /^\/2010-04-01\/Accounts\/([^/]+)\/(Messages|Calls)\.json$/.exec(urlPath);
      const resource = (match?.[2] as Resource | undefined) ?? null;
      const captured: CapturedTwilioRequest = {
        method: req.method ?? '',
        path: urlPath,
        resource,
        headers: req.headers,
        rawBody,
        form: {},
        violations: [],
        conforms: false,
        schemaChecked: false,
        status: 0,
      };
      requests.push(captured);
      const violation = (text: string) => captured.violations.push(text);
      const reply = (status: number, payload: object, delayMs = 0) => {
        captured.status = status;
        const write = () => {
          if (!res.destroyed)
            res
              .writeHead(status, { 'Content-Type': 'application/json' })
              .end(JSON.stringify(payload));
        };
        if (delayMs <= 0) return write();
        const timer = setTimeout(() => (timers.delete(timer), write()), delayMs);
        timers.add(timer);
      };

      if (req.method !== 'POST' || !match || !resource) {
        violation(
          `${req.method} ${urlPath}: this fake serves POST …/Messages.json and …/Calls.json only`,
        );
        return reply(404, twilioError(404, 20404, 'The requested resource was not found'));
      }
      if (req.headers.authorization !== expectedAuth) {
        violation('Authorization: missing or wrong HTTP Basic credentials');
        return reply(401, twilioError(401, 20003, 'Authenticate'));
      }
      if (match[1] !== accountSid) {
        violation(`path: AccountSid ${match[1]} is not the authenticated account`);
        return reply(404, twilioError(404, 20404, 'The requested resource was not found'));
      }
      if (
        (req.headers['content-type'] ?? '').split(';')[0]!.trim() !==
        'application/x-www-form-urlencoded'
      )
        violation('Content-Type: expected application/x-www-form-urlencoded');

      const params = new URLSearchParams(rawBody);
      const arrays = validators?.[resource].arrays;
      for (const key of new Set(params.keys())) {
        const values = params.getAll(key);
        if (arrays?.has(key) || values.length > 1) captured.form[key] = values;
        else captured.form[key] = values[0]!;
        if (values.length > 1 && arrays && !arrays.has(key))
          violation(`${key}: sent ${values.length} times`);
      }
      if (validators) {
        const data = structuredClone(captured.form); // ajv coerces in place
        if (!validators[resource].validate(data))
          for (const e of validators[resource].validate.errors ?? [])
            violation(
              `${e.instancePath.slice(1) || (e.params as { additionalProperty?: string }).additionalProperty || 'body'}: ${e.message}`,
            );
        captured.schemaChecked = true;
      }
      for (const problem of twilioRuleViolations(resource, captured.form)) violation(problem);
      captured.conforms = captured.violations.length === 0;
      // 20001 is Twilio's "Unknown parameter"; the fake uses it for every shape violation.
      if (!captured.conforms)
        return reply(
          400,
          twilioError(400, 20001, `Invalid request: ${captured.violations.join('; ')}`),
        );

      const testError = TWILIO_TEST_NUMBER_ERRORS[captured.form.To as string];
      if (testError) return reply(400, twilioError(400, testError.code, testError.message));
      const failure = pending.shift();
      if (failure && 'status' in failure)
        return reply(
          failure.status,
          failure.body ?? twilioError(failure.status, 20500, `Simulated HTTP ${failure.status}`),
        );
      reply(201, resourceBody(resource, accountSid, captured.form), failure?.delayMs ?? 0);
    });
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    baseUrl: `http://127.0.0.1:${port}`,
    accountSid,
    authToken,
    requests,
    schemaChecked: validators !== null,
    failNext: (mode) => void pending.push(mode),
    close: () =>
      new Promise<void>((resolve, reject) => {
        for (const timer of timers) clearTimeout(timer);
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections(); // the SDK's agent keeps sockets alive
      }),
  };
}
