/**
 * `npm test`: lint (ESLint, zero warnings) and the format check (Prettier), the type check, unit and integration (vitest, real PostgreSQL), the same two on Node 24
 * (STEADY_NODE24) and again with the clock moved to a year's last seconds (libfaketime); each of those
 * two is skipped with a note where it is not installed, and required in CI; then the production build
 * and Playwright in Chromium against it. Ends with one
 * "N passed, N failed" line over every tier.
 */
import { mkdirSync, readFileSync, existsSync, rmSync } from 'node:fs';
import path from 'node:path';
import postgres from 'postgres';
import { runOnce } from './lib/run-once';
import { findLibfaketime } from './lib/faketime';
import { vitestArgs, vitestBin } from './lib/vitest';

const bin = (name: string) => path.resolve('node_modules/.bin', name);
const env: NodeJS.ProcessEnv = { ...process.env, NEXT_TELEMETRY_DISABLED: '1' };
const only = process.argv.slice(2);
const want = (tier: string) => only.length === 0 || only.includes(tier);
mkdirSync('test-results', { recursive: true });

const tally = { passed: 0, failed: 0, skipped: 0 };
let failedTiers: string[] = [];

function readVitest(file: string) {
  if (!existsSync(file)) return false;
  const r = JSON.parse(readFileSync(file, 'utf8'));
  tally.passed += r.numPassedTests ?? 0;
  tally.failed += r.numFailedTests ?? 0;
  tally.skipped += (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
  return true;
}

function readPlaywright(file: string) {
  if (!existsSync(file)) return false;
  const s = JSON.parse(readFileSync(file, 'utf8')).stats ?? {};
  tally.passed += (s.expected ?? 0) + (s.flaky ?? 0);
  tally.failed += s.unexpected ?? 0;
  tally.skipped += s.skipped ?? 0;
  return true;
}

if (want('lint')) {
  console.log('\n[test] lint (eslint --max-warnings 0) and format check (prettier --check)…');
  if ((await runOnce(bin('eslint'), ['.', '--max-warnings', '0'], env)) !== 0) failedTiers.push('lint');
  if ((await runOnce(bin('prettier'), ['--check', '.', '--log-level', 'warn'], env)) !== 0) failedTiers.push('format');
}

if (want('types')) {
  console.log('\n[test] type check (next typegen, tsc --noEmit)…');
  const gen = await runOnce(bin('next'), ['typegen'], env);
  const code = gen === 0 ? await runOnce(bin('tsc'), ['--noEmit', '--incremental', 'false'], env) : gen;
  if (code !== 0) failedTiers.push('types');
}

if (want('unit') || want('integration')) {
  const projects = ['unit', 'integration'].filter(want);
  const out = 'test-results/vitest.json';
  rmSync(out, { force: true });
  const code = await runOnce(vitestBin, vitestArgs(out, { projects, reporter: 'default' }), env);
  if (!readVitest(out) || code !== 0) failedTiers.push('unit/integration');
}

/**
 * A vitest tier that needs something the machine may lack: without it, skipped with a note, except in
 * CI, which installs it and so requires it. `run` writes its vitest JSON report to `out`.
 */
async function vitestTier(
  name: string,
  missing: string | null,
  intro: string,
  out: string,
  run: () => Promise<number>,
) {
  if (missing) {
    console.log(`\n[test] ${name} tier: ${missing}; ${env.CI ? 'CI requires it' : 'skipped'}`);
    if (env.CI) failedTiers.push(name);
    return;
  }
  console.log(`\n[test] ${intro}…`);
  rmSync(out, { force: true });
  const code = await run();
  if (!readVitest(out) || code !== 0) failedTiers.push(name);
}

// The Node the README names as supported, beside the machine's own: STEADY_NODE24 is the folder of a
// Node 24 binary (.ci/run installs the npm registry's node@24 and sets it).
if (want('node24')) {
  const dir = env.STEADY_NODE24 ?? '';
  const out = 'test-results/vitest-node24.json';
  await vitestTier(
    'node24',
    dir && existsSync(path.join(dir, 'node'))
      ? null
      : 'STEADY_NODE24 does not name a folder with a Node 24 binary (npm install --prefix <dir> node@24)',
    `unit and integration on Node 24 (${dir})`,
    out,
    () => runOnce(vitestBin, vitestArgs(out), { ...env, PATH: `${dir}${path.delimiter}${env.PATH ?? ''}` }),
  );
}

// Only when asked for by name or as part of the whole run: `npm test -- unit` stays quick.
if (want('dates')) {
  await vitestTier(
    'dates',
    findLibfaketime() ? null : 'libfaketime is not installed (apt-get install -y faketime)',
    'unit and integration with the clock moved (npm run test:dates -- --quick)',
    'test-results/vitest-dates.json',
    () => runOnce(bin('tsx'), ['scripts/test-dates.ts', '--quick'], env),
  );
}

if (want('e2e')) {
  console.log('\n[test] building the app for the browser tests…');
  const build = await runOnce(bin('next'), ['build'], { ...env, NODE_ENV: 'production' });
  if (build !== 0) failedTiers.push('build');
  else {
    const e2eEnv = { ...env };
    if (env.DATABASE_URL) {
      // Never the developer's data: a database of its own on the same server.
      e2eEnv.E2E_DATABASE_URL = await freshDatabase(env.DATABASE_URL, 'steady_e2e');
      delete e2eEnv.DATABASE_URL;
    }
    const out = 'test-results/e2e.json';
    rmSync(out, { force: true });
    const code = await runOnce(bin('playwright'), ['test'], e2eEnv);
    if (!readPlaywright(out) || code !== 0) failedTiers.push('e2e');
  }
}

async function freshDatabase(url: string, name: string): Promise<string> {
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const sql = postgres(admin.toString(), { max: 1, onnotice: () => {} });
  await sql.unsafe(`drop database if exists ${name} with (force)`);
  await sql.unsafe(`create database ${name}`);
  await sql.end();
  const target = new URL(url);
  target.pathname = `/${name}`;
  return target.toString();
}

// A tier whose report counts failures has failed whatever its exit code said.
if (tally.failed > 0 && failedTiers.length === 0) failedTiers.push('tests');
failedTiers = [...new Set(failedTiers)];
console.log(`\n${tally.passed} passed, ${tally.failed} failed, ${tally.skipped} skipped`);
if (failedTiers.length > 0) {
  console.log(`failing: ${failedTiers.join(', ')}`);
  process.exit(1);
}
