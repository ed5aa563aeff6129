import { readFileSync } from 'node:fs';
import path from 'node:path';
import semver from 'semver';
import { describe, expect, it } from 'vitest';

// Decision 0037: deployments run on the Node.js major that package.json's engines selects on
// Vercel, and CI builds and checks the production build on that major (DEPLOY_NODE in .ci/run).
// Change one without the other and a deployment runs on a version nothing checked.

const ROOT = path.resolve(import.meta.dirname, '..');
const read = (file: string) => readFileSync(path.join(ROOT, file), 'utf8');
const engines: string = JSON.parse(read('package.json')).engines.node;
const deployNode = /^DEPLOY_NODE=(\S+)$/m.exec(read('.ci/run'))?.[1] ?? '';

/**
 * Vercel's Node.js majors, newest first. It deploys on the first whose range (`24.x`) intersects
 * engines, whatever the project's setting: an open range such as `>=20.19` gets the newest.
 */
const VERCEL_MAJORS = [26, 24, 22, 20];
const vercelMajor = (range: string) =>
  VERCEL_MAJORS.find((major) => semver.intersects(`${major}.x`, range));

describe('the Node.js a deployment runs on (decision 0037)', () => {
  it('Vercel picks the major that CI checks the production build on', () => {
    expect(semver.valid(deployNode), '.ci/run sets DEPLOY_NODE to an exact version').toBeTruthy();
    expect(semver.satisfies(deployNode, engines)).toBe(true);
    expect(vercelMajor(engines)).toBe(semver.major(deployNode));
  });

  it('an open range would have picked a major nothing checks', () => {
    expect(vercelMajor('>=20.19')).toBe(26);
    expect(vercelMajor('>=20.19')).not.toBe(semver.major(deployNode));
  });

  it('package-lock.json records the same engines, and this Node.js is one of them', () => {
    expect(JSON.parse(read('package-lock.json')).packages[''].engines.node).toBe(engines);
    expect(semver.satisfies(process.version, engines)).toBe(true);
  });
});
