import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Measurement, Results, TargetRow } from './lib/results';
import type { BenchConfig } from './lib/context';
import { SYSTEMS } from './systems';
import { BULK, PLAIN_INSERT, SINGLE } from './scenarios/enqueue';
import { DRAIN_1, DRAIN_1_SERVER_CPU, DRAIN_1_WORKER_CPU, DRAIN_2, DRAIN_LIMITED } from './scenarios/drain';
import { CLAIM } from './scenarios/claim-latency';
import { SYNC_ALL } from './scenarios/sync-all';
import { DASHBOARD } from './scenarios/dashboard';
import { PICKUP } from './scenarios/pickup';
import { HTTP_DRAIN } from './scenarios/http-route';
import { TICK } from './scenarios/route-drain';
import { QUOTA_DRAIN } from './scenarios/quota-drain';

const fmt = (v: number, unit: string) =>
  unit === 'ms' || unit === 's' || unit === 'µs/job'
    ? v < 10
      ? v.toFixed(2)
      : v.toFixed(1)
    : Math.round(v).toLocaleString('en');
const cell = (m: Measurement | undefined) =>
  m ? `${fmt(m.summary.median, m.unit)} [${fmt(m.summary.min, m.unit)}–${fmt(m.summary.max, m.unit)}]` : '–';
const x = (a: number | null, b: number | null) => (a !== null && b !== null && b > 0 ? a / b : null);
const ratio = (r: number | null) => (r === null ? 'not measured' : `${r.toFixed(2)}×`);

export function evaluateTargets(results: Results, config: BenchConfig): TargetRow[] {
  const m = (s: string, l: string) => results.median(s, l);
  const rows: TargetRow[] = [];
  const add = (scenario: string, target: string, value: number | null, ok: (v: number) => boolean, shown?: string) =>
    rows.push({
      scenario,
      target,
      measured: value === null ? 'not measured' : (shown ?? String(value)),
      met: value === null ? null : ok(value),
    });

  const drainG = x(m(DRAIN_1, 'Steady'), m(DRAIN_1, 'graphile-worker'));
  const drainB = x(m(DRAIN_1, 'Steady'), m(DRAIN_1, 'pg-boss'));
  add('drain, 1 process, history on', '≥ 1.25× graphile-worker', drainG, (v) => v >= 1.25, ratio(drainG));
  add('drain, 1 process, history on', '≥ 3× pg-boss', drainB, (v) => v >= 3, ratio(drainB));
  const bulkG = x(m(BULK, 'Steady'), m(BULK, 'graphile-worker'));
  const bulkP = x(m(BULK, 'Steady'), m(BULK, PLAIN_INSERT));
  add('bulk enqueue', '≥ 2× graphile-worker addJobs', bulkG, (v) => v >= 2, ratio(bulkG));
  add(
    'bulk enqueue',
    '≥ 80% of plain multi-row INSERT',
    bulkP,
    (v) => v >= 0.8,
    bulkP === null ? '' : `${Math.round(bulkP * 100)}%`,
  );
  const single = x(m(SINGLE, 'Steady'), m(SINGLE, 'pg-boss'));
  add('single enqueue, 10 in flight', '≥ 2× pg-boss', single, (v) => v >= 2, ratio(single));

  const biggest = Math.max(...config.claimPending);
  const at = (p: string, n: number) => m(CLAIM, `${p} @ ${n.toLocaleString('en')} pending`);
  const scaled = biggest < 1_000_000 ? ` (at ${biggest.toLocaleString('en')}: quick run)` : '';
  const p99 = at('p99', biggest);
  add(
    'claim latency',
    `p99 ≤ 3 ms at 1,000,000 pending${scaled}`,
    p99,
    (v) => v <= 3,
    p99 === null ? '' : `${p99.toFixed(2)} ms`,
  );
  const grow = x(at('p50', biggest), at('p50', Math.min(...config.claimPending)));
  add('claim latency', `p50 at 1,000,000 ≤ 1.5× p50 at 10,000${scaled}`, grow, (v) => v <= 1.5, ratio(grow));

  const tasks = config.syncUsers * 4;
  const limitS = 5 * (tasks / 400_000);
  const sync = m(SYNC_ALL, `${tasks.toLocaleString('en')} tasks`);
  add(
    'sync-all',
    `400,000 tasks ≤ 5 s${tasks === 400_000 ? '' : ` (scaled: ${tasks.toLocaleString('en')} ≤ ${limitS.toFixed(2)} s)`}`,
    sync,
    (v) => v <= limitS,
    sync === null ? '' : `${sync.toFixed(2)} s`,
  );

  const p95s = results.measurements.filter((r) => r.scenario === DASHBOARD && r.label.endsWith('p95'));
  const worst = p95s.length ? p95s.reduce((a, b) => (b.summary.median > a.summary.median ? b : a)) : null;
  add(
    'stats and jobs list',
    `p95 ≤ 50 ms at ${config.dashboardRows.toLocaleString('en')} rows${config.dashboardRows < 1_000_000 ? ' (quick run)' : ''}`,
    worst?.summary.median ?? null,
    (v) => v <= 50,
    worst ? `worst ${worst.summary.median.toFixed(1)} ms (${worst.label})` : '',
  );
  const pickup = m(PICKUP, 'p50');
  add(
    'pickup latency, idle queue',
    'p50 ≤ 10 ms',
    pickup,
    (v) => v <= 10,
    pickup === null ? '' : `${pickup.toFixed(1)} ms`,
  );
  const http = x(m(HTTP_DRAIN, 'Steady'), m(DRAIN_1, 'Steady'));
  add(
    'HTTP route drain',
    "≥ 50% of the engine's own drain",
    http,
    (v) => v >= 0.5,
    http === null ? '' : `${Math.round(http * 100)}%`,
  );
  const share = results.measurements.find((r) => r.scenario === TICK && r.unit === '%')?.summary.median ?? null;
  const limited = x(m(DRAIN_LIMITED, 'Steady'), m(DRAIN_1, 'Steady'));
  add(
    'drain with limits',
    '≥ 85% of the drain without them',
    limited,
    (v) => v >= 0.85,
    limited === null ? '' : `${Math.round(limited * 100)}%`,
  );
  const keyedP99 =
    results.measurements.find((r) => r.scenario === CLAIM && r.label.startsWith('p99') && r.label.includes('keys'))
      ?.summary.median ?? null;
  add(
    'claim latency with keys and limits',
    `p99 ≤ 3 ms at the largest backlog${config.claimPending.at(-1)! < 1_000_000 ? ' (quick run)' : ''}`,
    keyedP99,
    (v) => v <= 3,
    keyedP99 === null ? '' : `${keyedP99.toFixed(2)} ms`,
  );
  add(
    'one cron tick',
    '≥ 95% of 2,000 due no-op jobs completed',
    share,
    (v) => v >= 95,
    share === null ? '' : `${share.toFixed(1)}%`,
  );
  const quota = (label: string) =>
    results.measurements.find((r) => r.scenario === QUOTA_DRAIN && r.label.startsWith(label))?.summary.median ?? null;
  const refused = quota('requests refused');
  add(
    'sync-all against quota-shaped platforms',
    'zero requests over quota',
    refused,
    (v) => v === 0,
    refused === null ? '' : String(refused),
  );
  // YouTube's window is a day: an hour's sample is its burst more than its pace, so it is shown, not judged.
  for (const p of ['github', 'twitter', 'instagram']) {
    const pace = quota(`${p}:`);
    add(
      `sync-all: ${p}'s pace`,
      '≥ 90% of what its quota allows',
      pace,
      (v) => v >= 90,
      pace === null ? '' : `${Math.round(pace)}%`,
    );
  }
  return rows;
}

// Scenarios measured for every system: one table row each, with a column per system.
const COMPARED = [BULK, SINGLE, DRAIN_1, DRAIN_2, DRAIN_1_WORKER_CPU, DRAIN_1_SERVER_CPU];
// Shown only when measured: server CPU needs the embedded server, whose processes are on this machine.
const IF_MEASURED = new Set([DRAIN_1_WORKER_CPU, DRAIN_1_SERVER_CPU]);

export function renderMarkdown(results: Results, targets: TargetRow[], header: string[]): string {
  const out: string[] = [...header, ''];
  const labels = [...SYSTEMS.map((s) => s.name), PLAIN_INSERT];
  out.push(`| scenario | ${labels.join(' | ')} |`, `|---|${labels.map(() => '---:').join('|')}|`);
  for (const scenario of COMPARED) {
    const first = results.measurements.find((r) => r.scenario === scenario);
    if (!first && IF_MEASURED.has(scenario)) continue;
    const note = first?.note;
    out.push(
      `| ${scenario}, ${first?.unit ?? 'jobs/s'}${note ? ` (${note})` : ''} | ${labels.map((l) => cell(results.get(scenario, l))).join(' | ')} |`,
    );
  }
  out.push('', '| Steady only | median [min–max] | unit |', '|---|---:|---|');
  for (const r of results.measurements) {
    if (COMPARED.includes(r.scenario)) continue;
    out.push(`| ${r.scenario}: ${r.label}${r.note ? ` (${r.note})` : ''} | ${cell(r)} | ${r.unit} |`);
  }
  out.push('', '| target | | measured | |', '|---|---|---|---|');
  for (const t of targets) {
    out.push(
      `| ${t.scenario} | ${t.target} | ${t.measured} | ${t.met === null ? 'not measured' : t.met ? 'met' : 'not met'} |`,
    );
  }
  if (results.notes.length) out.push('', ...results.notes.map((n) => `- ${n}`));
  return out.join('\n');
}

export function writeJson(dir: string, data: unknown): string {
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, `${JSON.stringify(data, null, 2)}\n`);
  return file;
}
