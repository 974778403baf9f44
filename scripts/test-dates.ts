/**
 * `npm run test:dates [-- 2027-12-31T23:59:30Z …]`: the unit and integration tiers with the clock moved
 * to each date (libfaketime moves it for Node and the embedded PostgreSQL alike), so a test that leans
 * on today's date, the hour or the calendar fails here instead of on the day CI meets it.
 * `--quick` runs one date only (the first), as CI does beside today.
 */
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { runOnce } from './lib/run-once';
import { findLibfaketime } from './lib/faketime';
import { vitestArgs, vitestBin } from './lib/vitest';

// Month and year ends, 29 February, the first hours of a UTC day, daylight-saving switches in Europe and
// the US, and a date years ahead.
const DEFAULT_DATES = [
  '2027-12-31T23:59:30Z',
  '2026-12-03T07:00:00Z',
  '2027-01-10T03:00:00Z',
  '2028-02-29T12:00:00Z',
  '2027-03-28T01:30:00Z',
  '2029-03-11T07:30:00Z',
  '2031-06-30T23:58:00Z',
];

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const given = args.filter((a) => !a.startsWith('--'));
for (const d of given) {
  if (Number.isNaN(Date.parse(d))) {
    console.error(`test:dates: "${d}" is not a date (use ISO 8601, e.g. 2027-12-31T23:59:30Z)`);
    process.exit(2);
  }
}
const dates = given.length > 0 ? given : quick ? DEFAULT_DATES.slice(0, 1) : DEFAULT_DATES;

// libfaketime's absolute form: "@YYYY-MM-DD hh:mm:ss", read as UTC when TZ is UTC.
const fakeTime = (iso: string) => `@${new Date(iso).toISOString().slice(0, 19).replace('T', ' ')}`;

const lib = findLibfaketime();
if (!lib) {
  console.error('test:dates needs libfaketime: apt-get install -y faketime');
  process.exit(2);
}
mkdirSync('test-results', { recursive: true });
// With one date, npm test reads this report as its 'dates' tier.
const OUT = 'test-results/vitest-dates.json';
const rows: { date: string; passed: number; failed: number; code: number }[] = [];
for (const date of dates) {
  console.log(`\n[test:dates] the clock at ${date}`);
  rmSync(OUT, { force: true });
  const code = await runOnce(vitestBin, vitestArgs(OUT), {
    ...process.env,
    TZ: 'UTC',
    FAKETIME: fakeTime(date),
    // Every process started under it (vitest's workers, PostgreSQL) begins at the same instant.
    FAKETIME_DONT_RESET: '1',
    LD_PRELOAD: [process.env.LD_PRELOAD, lib].filter(Boolean).join(' '),
  });
  const report = existsSync(OUT) ? JSON.parse(readFileSync(OUT, 'utf8')) : {};
  rows.push({ date, passed: report.numPassedTests ?? 0, failed: report.numFailedTests ?? 0, code });
}

console.log('\n| clock | passed | failed |\n|---|---|---|');
for (const r of rows)
  console.log(
    `| ${r.date} | ${r.passed} | ${r.failed}${r.code !== 0 && r.failed === 0 ? ' (exit ' + r.code + ')' : ''} |`,
  );
const passed = rows.reduce((n, r) => n + r.passed, 0);
const failed = rows.reduce((n, r) => n + r.failed, 0);
console.log(`\n${passed} passed, ${failed} failed`);
process.exit(rows.some((r) => r.code !== 0 || r.failed > 0 || r.passed === 0) ? 1 : 0);
