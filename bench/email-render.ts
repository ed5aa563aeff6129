import os from 'node:os';
import { composeCodeMessage } from '../lib/challenges/code-message';
import { withEmailParts } from '../lib/email/email-parts';
import { deviceRemovedNotice } from '../lib/notices/device-removed-notice';

// `npm run bench:email`: what the HTML part costs one email, on the sign-in path (the code
// email) and for a longer notice. React's production build, no pretty-printing, one core; the
// first render (module warm-up) is reported apart. Goal: a code email's render stays under
// 5 ms at the median, small beside the Postmark call it precedes (decision 0021).

const RUNS = Number(process.env.BENCH_RUNS ?? 500);
const origin = 'https://login.example.com';
const code = composeCodeMessage({
  channel: 'email',
  to: 'ada@example.com',
  code: '012345',
  ttlSeconds: 600,
  origin,
});
const notice = deviceRemovedNotice({
  to: 'ada@example.com',
  deviceNames: ['Work laptop', 'Home desktop', 'Phone'],
  by: 'self',
  at: new Date(),
  ip: '203.0.113.9',
  origin,
});

async function measure(label: string, message: typeof code) {
  const started = performance.now();
  await withEmailParts(message);
  const first = performance.now() - started;
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t = performance.now();
    await withEmailParts(message);
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  const at = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))]!;
  console.log(
    `${label}: first ${first.toFixed(1)} ms; then over ${RUNS}: median ${at(0.5).toFixed(2)} ms, p95 ${at(0.95).toFixed(2)} ms, p99 ${at(0.99).toFixed(2)} ms`,
  );
  return at(0.5);
}

console.log(`load average ${os.loadavg()[0]!.toFixed(1)} on ${os.cpus().length} cores`);
if (process.env.NODE_ENV !== 'production')
  console.warn('NODE_ENV is not production: React runs its development build (slower).');
const median = await measure('code email', code);
await measure('device-removed notice', notice);
if (median > 5) {
  console.error(`The code email's median render (${median.toFixed(2)} ms) is over 5 ms.`);
  process.exitCode = 1;
}
