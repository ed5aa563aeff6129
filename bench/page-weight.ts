import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { machineDescription, startBenchServer, type BenchServer } from './bench-server';
import { awaitingDeviceName, passwordDone, pendingCodes } from './sign-in-state';

// `npm run bench:page-weight [-- --lighthouse]` (P4): first-load JavaScript of each sign-in page
// (every <script src> the HTML loads, each gzipped at level 9) against the 404 page of the same
// build (the root layout, a heading, a paragraph and a link: the smallest page the app has), and
// with --lighthouse their Lighthouse 12.2.3 performance and accessibility scores in Debian's
// Chromium (default mobile settings, simulated throttling). Goal: ≤ baseline + 5 kB; performance
// ≥ 98, accessibility 100. Lighthouse does not score the baseline: it refuses a 404.

const PORT = Number(process.env.BENCH_PORT ?? 3840);
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const CHROMIUM_FLAGS =
  '--headless=new --no-sandbox --disable-gpu --disable-background-networking --disable-component-update --disable-sync --disable-quic --no-first-run';

/** `status`: the answer expected (200 unless said). */
type Page = { name: string; path: string; cookie?: string; status?: number };

async function signInPages(server: BenchServer): Promise<Page[]> {
  const [user] = await server.createUsers(1);
  const [code] = await pendingCodes(server, [user!.id], 1);
  return [
    { name: '404 (baseline)', path: '/no-such-page', status: 404 },
    { name: 'sign in', path: '/login' },
    {
      name: 'choose a method',
      path: '/login/method',
      cookie: `latchkey.ticket=${await passwordDone(server, user!.id)}`,
    },
    { name: 'enter the code', path: '/login/verify', cookie: `latchkey.ticket=${code!.ticketId}` },
    {
      name: 'name this device',
      path: '/login/device',
      cookie: `latchkey.ticket=${await awaitingDeviceName(server, user!.id)}`,
    },
  ];
}

/** Every script the page's HTML loads, fetched and gzipped; the HTML's own gzipped size too. */
async function weigh(server: BenchServer, page: Page) {
  const response = await fetch(server.origin + page.path, {
    headers: page.cookie ? { cookie: page.cookie } : {},
    redirect: 'manual',
  });
  if (response.status !== (page.status ?? 200))
    throw new Error(
      `${page.path} answered ${response.status} → ${response.headers.get('location')}`,
    );
  const html = await response.text();
  const scripts = [
    ...new Set([...html.matchAll(/<script\b[^>]*\bsrc="([^"]+)"/g)].map((m) => m[1]!)),
  ];
  const sizes = await Promise.all(
    scripts.map(
      async (src) =>
        gzipSync(Buffer.from(await (await fetch(new URL(src, server.origin))).arrayBuffer()), {
          level: 9,
        }).byteLength,
    ),
  );
  return {
    scripts: new Map(scripts.map((s, i) => [s, sizes[i]!])),
    js: sizes.reduce((a, b) => a + b, 0),
    html: gzipSync(html, { level: 9 }).byteLength,
  };
}

type Scores = { performance: number; accessibility: number; metrics: string };

async function lighthouse(server: BenchServer, page: Page): Promise<Scores | string> {
  const bin = path.resolve(import.meta.dirname, '../node_modules/.bin/lighthouse');
  if (!existsSync(bin)) return 'lighthouse is not installed';
  const dir = mkdtempSync(path.join(os.tmpdir(), 'latchkey-lh-'));
  try {
    const out = path.join(dir, 'report.json');
    const args = [
      server.origin + page.path,
      '--quiet',
      '--only-categories=performance,accessibility',
      `--chrome-flags=${CHROMIUM_FLAGS}`,
      '--output=json',
      `--output-path=${out}`,
    ];
    if (page.cookie) args.push(`--extra-headers=${JSON.stringify({ Cookie: page.cookie })}`);
    // Not spawnSync: the Upstash bridge lives in this process and must go on answering the server.
    const child = spawn(bin, args, {
      env: { ...process.env, CHROME_PATH: CHROMIUM },
      stdio: ['ignore', 'ignore', 'pipe'],
      timeout: 120_000,
    });
    let stderr = '';
    child.stderr!.on('data', (chunk) => (stderr += chunk));
    const status = await new Promise<number | null>((resolve) => child.on('close', resolve));
    if (status !== 0 || !existsSync(out)) return `lighthouse failed: ${stderr.slice(-300)}`;
    const report = JSON.parse(readFileSync(out, 'utf8')) as {
      categories: Record<string, { score: number | null }>;
      audits: Record<string, { numericValue?: number; score: number | null }>;
      finalDisplayedUrl?: string;
    };
    if (report.finalDisplayedUrl && new URL(report.finalDisplayedUrl).pathname !== page.path)
      return `redirected to ${report.finalDisplayedUrl}`;
    const metric = (id: string, label: string, unit = 'ms') =>
      `${label} ${Math.round(report.audits[id]?.numericValue ?? Number.NaN)}${unit}`;
    const metrics = [
      metric('first-contentful-paint', 'FCP'),
      metric('largest-contentful-paint', 'LCP'),
      metric('total-blocking-time', 'TBT'),
      metric('speed-index', 'SI'),
      `CLS ${(report.audits['cumulative-layout-shift']?.numericValue ?? 0).toFixed(3)}`,
    ].join(', ');
    return {
      performance: Math.round(100 * (report.categories.performance?.score ?? 0)),
      accessibility: Math.round(100 * (report.categories.accessibility?.score ?? 0)),
      metrics,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main() {
  console.log(`machine: ${machineDescription()}`);
  const withLighthouse = process.argv.includes('--lighthouse');
  const server = await startBenchServer({
    port: PORT,
    deadlineSeconds: withLighthouse ? 900 : 240,
  });
  try {
    const pages = await signInPages(server);
    const weights = [];
    for (const page of pages) weights.push({ page, ...(await weigh(server, page)) });
    const baseline = weights[0]!;
    const kB = (bytes: number) => (bytes / 1000).toFixed(1);
    // "Beyond baseline" is what the page loads that the 404 page does not: its own chunks. The
    // difference of the totals can be smaller, since the 404 page may load a shared chunk
    // (next/link's, for one) that a sign-in page does not.
    console.log(
      '\npage               first-load JS (gzip)   beyond baseline (goal ≤ 5 kB)   total − baseline   HTML (gzip)',
    );
    for (const w of weights) {
      const own = [...w.scripts].filter(([src]) => !baseline.scripts.has(src));
      const beyond = own.reduce((sum, [, size]) => sum + size, 0);
      const cells =
        w === baseline
          ? ''.padEnd(49)
          : `${`+${kB(beyond)} kB ${beyond <= 5000 ? 'ok' : 'over'}`.padEnd(32)}${`${w.js - baseline.js >= 0 ? '+' : ''}${kB(w.js - baseline.js)} kB`.padEnd(17)}`;
      console.log(
        `${w.page.name.padEnd(18)} ${kB(w.js).padStart(8)} kB ${String(w.scripts.size).padStart(3)} files  ${cells} ${kB(w.html).padStart(6)} kB`,
      );
    }
    for (const w of weights.slice(1)) {
      const own = [...w.scripts].filter(([src]) => !baseline.scripts.has(src));
      const missing = [...baseline.scripts].filter(([src]) => !w.scripts.has(src));
      console.log(
        `  ${w.page.name}: own ${own.map(([src, size]) => `${src.split('/').pop()} ${kB(size)} kB`).join(', ') || 'none'}${missing.length ? `; not loaded from the baseline's: ${missing.map(([src, size]) => `${src.split('/').pop()} ${kB(size)} kB`).join(', ')}` : ''}`,
      );
    }

    if (withLighthouse) {
      // Lighthouse's simulated throttling scales what it observes on this CPU, so a busy machine
      // costs points: each page is run RUNS times and the median performance score is shown.
      const runs = Number(process.env.LIGHTHOUSE_RUNS ?? 3);
      console.log(
        `\nLighthouse 12.2.3 (mobile, simulated throttling), median of ${runs}: performance / accessibility (metrics of the median run)`,
      );
      for (let i = 0; i < pages.length; i++) {
        if (pages[i]!.status === 404) continue;
        const results: Scores[] = [];
        for (let run = 0; run < runs; run++) {
          // A fresh ticket each time: Lighthouse loads the page more than once.
          const page = (await signInPages(server))[i]!;
          const scores = await lighthouse(server, page);
          if (typeof scores === 'string') console.log(`${page.name.padEnd(18)} ${scores}`);
          else results.push(scores);
        }
        if (!results.length) continue;
        results.sort((a, b) => a.performance - b.performance);
        const median = results[Math.floor(results.length / 2)]!;
        console.log(
          `${pages[i]!.name.padEnd(18)} ${median.performance} / ${median.accessibility}   (all runs: ${results.map((r) => r.performance).join(', ')}; ${median.metrics})`,
        );
      }
    }
  } finally {
    await server.stop();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main();
