import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import ts from 'typescript';

// `npm run security:trace [-- --write]`: every requirement ID of ../shared/SECURITY.md (or of the
// project's copy, docs/security-ids.txt, when ../shared is absent) with the tests whose titles
// name it, found by parsing the test files (test/it/describe titles, it.each and template titles
// included). Prints the IDs no test names and exits 1 when there are any. `--write` puts the table
// into docs/security.md between its markers and refreshes docs/security-ids.txt.

const ROOT = path.resolve(import.meta.dirname, '..');
const SHARED_SPEC = path.resolve(ROOT, '../shared/SECURITY.md');
const IDS_COPY = path.join(ROOT, 'docs/security-ids.txt');
const REPORT = path.join(ROOT, 'docs/security.md');
const START = '<!-- security:trace:start -->';
const END = '<!-- security:trace:end -->';
const ID = /\b([A-Z]{2,3}-\d{2})\b/g;
const TEST_CALL = /^(test|it|describe|suite)(\.[A-Za-z]+)*$/;

export type Requirement = { id: string; text: string };
export type TestTitle = { file: string; title: string };

/** IDs in order of first appearance, each with the words that follow it up to the next ID. */
export function parseRequirements(markdown: string): Requirement[] {
  const found = new Map<string, string>();
  // Only list items (`- PW-01 …`, with their indented continuation lines) and the copy's
  // `ID<tab>text` lines: prose elsewhere may mention an ID.
  const items: string[] = [];
  for (const line of markdown.split('\n')) {
    if (/^\s+\S/.test(line) && !/^\s*-\s/.test(line) && items.length)
      items[items.length - 1] += ` ${line.trim()}`;
    else items.push(line);
  }
  for (const line of items.filter((l) => /^\s*(-\s+)?[A-Z]{2,3}-\d{2}\b/.test(l))) {
    const matches = [...line.matchAll(ID)];
    matches.forEach((m, i) => {
      if (found.has(m[1]!)) return;
      const after = line.slice(m.index! + m[1]!.length, matches[i + 1]?.index ?? line.length);
      const text = after
        .replace(/^[\s:—–-]+/, '')
        .replace(/\s+/g, ' ')
        .trim();
      const sentence = text.split(/(?<=\.)\s(?=[A-Z])/)[0] ?? text;
      found.set(m[1]!, sentence.length > 110 ? `${sentence.slice(0, 107)}…` : sentence);
    });
  }
  return [...found].map(([id, text]) => ({ id, text }));
}

/** The callee as dotted text (`test.describe.skip`), or null for anything more complex. */
function calleeName(node: ts.Expression): string | null {
  if (ts.isIdentifier(node)) return node.text;
  if (ts.isPropertyAccessExpression(node)) {
    const left = calleeName(node.expression);
    return left ? `${left}.${node.name.text}` : null;
  }
  // it.each([...])('title'), describe.skipIf(cond)('title'): a call whose result is called.
  if (ts.isCallExpression(node)) return calleeName(node.expression);
  return null;
}

/** The title as written; `${…}` parts keep their source text. */
function titleText(node: ts.Node, source: ts.SourceFile): string | null {
  if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) return node.text;
  if (ts.isTemplateExpression(node)) {
    return (
      node.head.text +
      node.templateSpans.map((s) => `\${${s.expression.getText(source)}}${s.literal.text}`).join('')
    );
  }
  return null;
}

/** Titles of every test, it and describe in a TypeScript source. */
export function testTitles(file: string, text: string): TestTitle[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const titles: TestTitle[] = [];
  const visit = (node: ts.Node) => {
    if (ts.isCallExpression(node) && node.arguments.length > 0) {
      const name = calleeName(node.expression);
      const title = name && TEST_CALL.test(name) ? titleText(node.arguments[0]!, source) : null;
      if (title !== null) titles.push({ file, title });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return titles;
}

function filesUnder(dir: string, keep: (file: string) => boolean): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.join(entry.parentPath, entry.name))
    .filter(
      (file) =>
        !file.includes(`${path.sep}node_modules${path.sep}`) &&
        !file.includes(`${path.sep}.data${path.sep}`) &&
        keep(file),
    )
    .sort();
}

export function collectTitles(root: string): TestTitle[] {
  const files = [
    ...filesUnder(path.join(root, 'lib'), (f) => f.endsWith('.test.ts')),
    ...filesUnder(path.join(root, 'tests'), (f) => f.endsWith('.ts')),
  ];
  return files.flatMap((file) => testTitles(path.relative(root, file), readFileSync(file, 'utf8')));
}

export function trace(requirements: Requirement[], titles: TestTitle[]) {
  return requirements.map((r) => ({
    ...r,
    tests: titles.filter((t) => new RegExp(`\\b${r.id}\\b`).test(t.title)),
  }));
}

const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function markdownTable(rows: ReturnType<typeof trace>, source: string): string {
  const missing = rows.filter((r) => r.tests.length === 0).map((r) => r.id);
  const lines = [
    `Generated by \`npm run security:trace -- --write\` from ${source}. ${rows.length} requirements, ` +
      `${rows.length - missing.length} named by at least one test, ${missing.length} by none.`,
    '',
    missing.length
      ? `**No test names:** ${missing.join(', ')}`
      : '**Every requirement is named by at least one test.**',
    '',
    '| ID | Requirement | Tests naming it |',
    '|---|---|---|',
    ...rows.map(
      (r) =>
        `| ${r.id} | ${cell(r.text)} | ${r.tests.length ? r.tests.map((t) => `\`${t.file}\`: ${cell(t.title)}`).join('<br>') : '**none**'} |`,
    ),
  ];
  return lines.join('\n');
}

function main(argv: string[]) {
  const fromShared = existsSync(SHARED_SPEC);
  if (!fromShared && !existsSync(IDS_COPY)) {
    console.error(`Neither ${SHARED_SPEC} nor ${IDS_COPY} exists: no requirement list to trace.`);
    return 2;
  }
  const requirements = parseRequirements(readFileSync(fromShared ? SHARED_SPEC : IDS_COPY, 'utf8'));
  // The report names the project's own copy of the list, which --write refreshes with it.
  const source = 'the requirement list in docs/security-ids.txt';
  const rows = trace(requirements, collectTitles(ROOT));
  const missing = rows.filter((r) => r.tests.length === 0);

  for (const r of rows) {
    console.log(
      `${r.id.padEnd(7)} ${r.tests.length ? `${r.tests.length} test${r.tests.length === 1 ? '' : 's'}` : 'NONE'}`,
    );
    for (const t of r.tests) console.log(`          ${t.file}: ${t.title}`);
  }
  const copy = requirements.map((r) => `${r.id}\t${r.text}`).join('\n') + '\n';
  if (fromShared && existsSync(IDS_COPY) && readFileSync(IDS_COPY, 'utf8') !== copy) {
    console.warn(
      '\ndocs/security-ids.txt differs from ../shared/SECURITY.md: run with --write to refresh it.',
    );
  }
  if (argv.includes('--write')) {
    const table = `${START}\n${markdownTable(rows, source)}\n${END}`;
    const current = existsSync(REPORT) ? readFileSync(REPORT, 'utf8') : '';
    const next =
      current.includes(START) && current.includes(END)
        ? current.slice(0, current.indexOf(START)) +
          table +
          current.slice(current.indexOf(END) + END.length)
        : `${current ? `${current.trimEnd()}\n\n` : '# Security requirements and their tests\n\n'}${table}\n`;
    writeFileSync(REPORT, next);
    if (fromShared) writeFileSync(IDS_COPY, copy);
    console.log(
      `\nWrote ${path.relative(ROOT, REPORT)}${fromShared ? ' and docs/security-ids.txt' : ''}.`,
    );
  }
  console.log(
    `\n${rows.length} requirements; ${missing.length} named by no test${missing.length ? `: ${missing.map((r) => r.id).join(', ')}` : '.'}`,
  );
  return missing.length ? 1 : 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href)
  process.exitCode = main(process.argv.slice(2));
