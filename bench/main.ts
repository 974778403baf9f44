/**
 * The benchmark proper, which bench/run.ts starts once it runs on Node 24: Steady beside pg-boss and
 * graphile-worker on one PostgreSQL with durable settings; prints a markdown table with every target
 * marked met or not met and writes bench/results/<timestamp>.json.
 */
import os from 'node:os';
import path from 'node:path';
import { startBenchServer } from './lib/server';
import { Results } from './lib/results';
import { FULL, QUICK, makeFreshDb, type BenchConfig, type BenchContext } from './lib/context';
import { SYSTEMS } from './systems';
import { evaluateTargets, renderMarkdown, writeJson } from './report';
import { runCeiling } from './scenarios/ceiling';
import { runEnqueue } from './scenarios/enqueue';
import { runDrain } from './scenarios/drain';
import { runClaimLatency } from './scenarios/claim-latency';
import { runSyncAll } from './scenarios/sync-all';
import { runDashboard } from './scenarios/dashboard';
import { runPickup } from './scenarios/pickup';
import { runHttpRoute } from './scenarios/http-route';
import { runRouteDrain } from './scenarios/route-drain';
import { runMetrics } from './scenarios/metrics';
import { runQuotaDrain } from './scenarios/quota-drain';

const SCENARIOS: [string, (ctx: BenchContext) => Promise<void>][] = [
  ['ceiling', runCeiling],
  ['enqueue', runEnqueue],
  ['drain', runDrain],
  ['claim', runClaimLatency],
  ['sync-all', runSyncAll],
  ['dashboard', runDashboard],
  ['pickup', runPickup],
  ['http', runHttpRoute],
  ['route', runRouteDrain],
  ['metrics', runMetrics],
  ['quota', runQuotaDrain],
];

const args = process.argv.slice(2);
const flag = (name: string) => {
  const i = args.findIndex((a) => a === name || a.startsWith(`${name}=`));
  if (i === -1) return undefined;
  return args[i].includes('=') ? args[i].split('=')[1] : args[i + 1];
};
const quick = args.includes('--quick');
const only = flag('--only')?.split(',');
const unknown = only?.filter((o) => !SCENARIOS.some(([n]) => n === o)) ?? [];
if (unknown.length) {
  console.error(`unknown scenario ${unknown.join(', ')}; choose from ${SCENARIOS.map(([n]) => n).join(', ')}`);
  process.exit(2);
}
const config: BenchConfig = { ...(quick ? QUICK : FULL), quick };
if (flag('--rounds')) config.rounds = Math.max(1, Number(flag('--rounds')));

const started = Date.now();
const log = (line: string) =>
  console.log(`[bench ${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s] ${line}`);
process.env.NEXT_TELEMETRY_DISABLED = '1';
// A peer's idle pool connection cut by DROP DATABASE surfaces as an unhandled 'error' event; it is
// the end of a finished measurement, not a failure.
process.on('uncaughtException', (err: Error & { code?: string }) => {
  if (err.code === '57P01' || /terminating connection/.test(err.message)) return;
  console.error(err);
  process.exit(1);
});

const server = await startBenchServer(() => {});
// The server runs in its own process group: an interrupted run must still stop it.
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.once(sig, () => void server.stop().finally(() => process.exit(130)));
}
const results = new Results();
const ctx: BenchContext = { server, config, results, log, freshDb: makeFreshDb(server) };
const cpu = os.cpus();
const machine = {
  cpus: cpu.length,
  model: cpu[0]?.model ?? 'unknown',
  memoryGb: Math.round(os.totalmem() / 2 ** 30),
  os: `${os.type()} ${os.release()}`,
  node: process.version,
};
// Every setting the server reports (bench/lib/server.ts picks which), so the header cannot leave one out.
const serverSettings = Object.entries(server.settings)
  .map(([name, value]) => `${name}=${value}`)
  .join(', ');
const header = [
  `Machine: ${machine.cpus} × ${machine.model}, ${machine.memoryGb} GB, ${machine.os}, Node ${machine.node}`,
  `PostgreSQL ${server.version} (${server.source}), ${serverSettings}; a fresh database per system and measurement`,
  `Every system on Node ${machine.node}: its enqueue clients, workers and drain processes`,
  ...SYSTEMS.map((s) => `${s.name} ${s.version}: ${s.settings}`),
  `${quick ? 'Quick run (smaller sizes)' : 'Full run'}: ${config.rounds} rounds, systems in rotating order, median [min–max]`,
];
header.forEach((l) => log(l));

for (const [name, fn] of SCENARIOS) {
  if (only && !only.includes(name)) continue;
  log(`— ${name}`);
  try {
    await fn(ctx);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    results.notes.push(`${name}: failed: ${message}`);
    log(`${name} failed: ${err instanceof Error ? (err.stack ?? message) : message}`);
  }
}

try {
  const targets = evaluateTargets(results, config);
  const table = renderMarkdown(results, targets, header);
  console.log(`\n${table}\n`);
  const file = writeJson(path.resolve(import.meta.dirname, 'results'), {
    startedAt: new Date(started).toISOString(),
    durationS: Math.round((Date.now() - started) / 1000),
    machine,
    server: { version: server.version, source: server.source, settings: server.settings },
    systems: SYSTEMS.map((s) => ({ name: s.name, version: s.version, node: machine.node, settings: s.settings })),
    config,
    measurements: results.measurements,
    targets,
    notes: results.notes,
    markdown: table,
  });
  log(`wrote ${path.relative(process.cwd(), file)}`);
} finally {
  await server.stop();
}
process.exit(0);
