import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { sendNotice } from '@/lib/notices/send-notice';

// The shape of lib/, checked over the source text: folders form a tree (a lower module never
// imports a higher one), and every message reaches a provider through one of two doors — codes
// through the challenge module (behind the channel policy and its limits), notices through
// sendNotice.

const LIB = path.resolve(import.meta.dirname, '../../lib');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return name === 'generated' ? [] : sourceFiles(full);
    return /\.tsx?$/.test(name) && !/\.test\.tsx?$/.test(name) ? [full] : [];
  });
}

/** A lib folder, or a file directly in lib/ (db.ts, env.ts, …) as a node of its own. */
function nodeOf(libPath: string): string {
  const parts = libPath.split('/');
  return parts.length > 1 ? parts[0]! : parts[0]!.replace(/\.tsx?$/, '');
}

function importGraph() {
  const edges = new Map<string, Map<string, string>>();
  for (const file of sourceFiles(LIB)) {
    const from = nodeOf(path.relative(LIB, file));
    const text = readFileSync(file, 'utf8');
    for (const match of text.matchAll(/(?:from |import\()'@\/lib\/([^']+)'/g)) {
      const to = nodeOf(match[1]!);
      if (to === from || to === 'generated') continue;
      if (!edges.has(from)) edges.set(from, new Map());
      edges.get(from)!.set(to, path.relative(LIB, file));
    }
  }
  return edges;
}

function reaches(edges: ReturnType<typeof importGraph>, from: string, to: string): boolean {
  const seen = new Set<string>();
  const queue = [from];
  while (queue.length) {
    const node = queue.shift()!;
    for (const next of edges.get(node)?.keys() ?? []) {
      if (next === to) return true;
      if (seen.has(next)) continue;
      seen.add(next);
      queue.push(next);
    }
  }
  return false;
}

describe('lib/ is a tree of folders', () => {
  it('no folder of lib/ imports, directly or through others, a folder that imports it back', () => {
    const edges = importGraph();
    const cycles: string[] = [];
    for (const [from, targets] of edges)
      for (const [to, file] of targets)
        if (reaches(edges, to, from)) cycles.push(`${from} -> ${to} (${file})`);
    expect(cycles).toEqual([]);
  });

  it('the check sees imports: the wiring imports the challenge module', () => {
    expect(reaches(importGraph(), 'web', 'challenges')).toBe(true);
  });
});

describe('FR-01 FR-03 every one-time code passes the channel policy', () => {
  it('FR-01 only sendChallengeCode and sendNotice hand a message to a sender', () => {
    const callers = sourceFiles(LIB)
      .filter((file) => !file.includes(`${path.sep}delivery${path.sep}`))
      .filter((file) => /\.send\(/.test(readFileSync(file, 'utf8')))
      .map((file) => path.relative(LIB, file))
      .sort();
    expect(callers).toEqual(['challenges/send-code.ts', 'notices/send-notice.ts']);
  });

  it('FR-03 sendNotice refuses a message that carries a code, before any sender sees it', async () => {
    const sent: unknown[] = [];
    const deps = { senderFor: () => ({ send: async (m: unknown) => void sent.push(m) }) };
    const message = { channel: 'sms', to: '+15005550006', subject: 's', text: 't', code: '123456' };
    await expect(
      sendNotice(deps, { message: message as never, kind: 'new-device', userId: null }),
    ).rejects.toThrow(/must not carry a one-time code/);
    expect(sent).toEqual([]);
  });
});

describe('the sign-in pages stay light (P4)', () => {
  it("no page under app/(auth), nor the 404 page (its client code loads with every page), imports next/link: each step is a full navigation, and Link's client code is ~3 kB (gzip) a page", () => {
    const APP = path.resolve(import.meta.dirname, '../../app');
    const files = [...sourceFiles(path.join(APP, '(auth)')), path.join(APP, 'not-found.tsx')];
    const offenders = files
      .filter((file) => /from 'next\/link'/.test(readFileSync(file, 'utf8')))
      .map((file) => path.relative(APP, file));
    expect(files.length).toBeGreaterThan(20);
    expect(offenders).toEqual([]);
  });
});
