/**
 * `npm run soak -- --minutes N`: the built app under load and trouble for N minutes, then an account
 * of every job. Load: sync-all enqueues through the app, process-queue callers and two outside
 * workers drain the queue. Trouble: platform faults set through the fake APIs' /_control endpoint
 * (rate limits, 5xx, slow answers), workers SIGKILLed mid-batch, optionally the app itself.
 * Prints jobs in, completed, failed as expected, lost (must be 0), duplicates (must be 0; lease
 * re-runs are reported apart), pickup latency p50/p99 and the app's memory over time. Exit 1 on loss.
 *
 * Options: --minutes 2  --users 1500  --callers 3  --workers 2  --kill-every 20 (s)  --app-kills 0
 *          --port (free)  --enqueue-users 20 (per 2 s tick)
 */
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { createDb } from '@/lib/db';
import { getQueueStats } from '@/lib/queue';
import { freePort, startEmbeddedPostgres } from './lib/embedded-pg';
import { spawnServerScript } from './lib/server-script';
import { ensureDatabase, migrateDatabase } from './lib/migrate';
import { ensureBuilt, startBuiltApp, type RunningApp } from './lib/chaos-app';
import { printSoakReport, soakCounts } from './lib/chaos-report';
import { startFakePlatforms } from './fake-platforms';

const args = process.argv.slice(2);
const opt = (name: string, fallback: number) => {
  const i = args.indexOf(`--${name}`);
  const v = i === -1 ? undefined : Number(args[i + 1]);
  return v !== undefined && Number.isFinite(v) ? v : fallback;
};
const minutes = opt('minutes', 2);
const USERS = opt('users', 1_500);
const CALLERS = opt('callers', 3);
const WORKERS = opt('workers', 2);
const KILL_EVERY_MS = opt('kill-every', 20) * 1000;
const APP_KILLS = opt('app-kills', 0);
const ENQUEUE_USERS = opt('enqueue-users', 20);
const DRAIN_LIMIT_MS = 5 * 60_000;
const log = (l: string) => console.log(`[soak ${new Date().toISOString().slice(11, 19)}] ${l}`);
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

const dir = mkdtempSync(path.join(tmpdir(), 'steady-soak-'));
chmodSync(dir, 0o755); // the server runs as user postgres
const [pg] = await Promise.all([
  startEmbeddedPostgres({ dataDir: path.join(dir, 'data'), ephemeral: true }),
  ensureBuilt('.next-rel', log),
]);
await ensureDatabase(pg.url('postgres'), 'steady');
const dbUrl = pg.url('steady');
await migrateDatabase(dbUrl);
const fake = await startFakePlatforms({ port: 0 });
const secret = () => randomBytes(16).toString('base64url');
const CRON = secret();
const appEnv: Record<string, string> = {
  DATABASE_URL: dbUrl,
  DATABASE_POOL_MAX: '15',
  CRON_SECRET: CRON,
  QUEUE_API_KEY: secret(),
  DASHBOARD_PASSWORD: secret(),
  SESSION_SECRET: secret(),
  PLATFORM_TIMEOUT_MS: '5000',
  ...fake.baseUrls,
};
const port = opt('port', await freePort());
let app: RunningApp = await startBuiltApp({ distDir: '.next-rel', port, env: appEnv });
const { db, client } = createDb({ url: dbUrl, max: 3 });
log(`app on ${app.url}, PostgreSQL on ${pg.port}, fake platforms on ${fake.url}`);

// Users with one to four platforms; one in fifty has a GitHub account that no longer exists (404).
await db.execute(
  sql`insert into users (username, display_name) select 's' || i, 'Soak ' || i from generate_series(1, ${USERS}) i`,
);
await db.execute(sql`
  insert into platform_connections (user_id, platform, handle)
  select id, 'github'::platform, case when n % 50 = 0 then 'gone-' || n else 's' || n end from (select id, substr(username, 2)::int n from users) u
  union all select id, 'twitter', 's_' || n from (select id, substr(username, 2)::int n from users) u where n % 2 = 0
  union all select id, 'youtube', 'UCsoak' || n from (select id, substr(username, 2)::int n from users) u where n % 3 = 0
  union all select id, 'instagram', '1784' || lpad(n::text, 13, '0') from (select id, substr(username, 2)::int n from users) u where n % 5 = 0`);
const userIds = (await db.execute(sql`select id::text as id from users`)).map((r) => String(r.id));

const started = Date.now();
const soakMs = minutes * 60_000;
const chaosEnds = started + soakMs * 0.8;
const enqueueEnds = started + soakMs;
let stopping = false;
let restarting = false;
let enqueueInFlight = false;
let jobsIn = 0;
let callerErrors = 0;
let lateRefused = 0;
let kills = 0;
let appKills = 0;
let faultWindows = 0;
const rss: { t: number; mb: number }[] = [];

const call = async (route: string, body: unknown) => {
  const res = await fetch(`${app.url}${route}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${CRON}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(90_000),
  });
  return { status: res.status, body: (await res.json()) as Record<string, number> & { jobs?: { outcome: string }[] } };
};

async function enqueueLoop() {
  while (Date.now() < enqueueEnds) {
    while (restarting) await pause(100);
    enqueueInFlight = true;
    const ids = Array.from({ length: ENQUEUE_USERS }, () => userIds[Math.floor(Math.random() * userIds.length)]);
    const date = new Date(Date.now() - (1 + Math.floor(Math.random() * 14)) * 86_400_000).toISOString().slice(0, 10);
    try {
      const r = await call('/api/cron/sync-all', { date, userIds: [...new Set(ids)] });
      if (r.status !== 200) throw new Error(`sync-all answered ${r.status}: ${JSON.stringify(r.body)}`);
      jobsIn += r.body.created;
    } catch (err) {
      log(`enqueue failed: ${err instanceof Error ? err.message : String(err)}`);
    } finally {
      enqueueInFlight = false;
    }
    await pause(2_000);
  }
}

async function callerLoop() {
  while (!stopping) {
    try {
      const r = await call('/api/cron/process-queue', { limit: 25 });
      if (r.status !== 200) callerErrors++;
      lateRefused += r.body.jobs?.filter((j) => j.outcome === 'lost').length ?? 0;
      if (!r.body.claimed) await pause(500);
    } catch {
      callerErrors++;
      await pause(500);
    }
  }
}

const workerEnv: NodeJS.ProcessEnv = { ...process.env, ...appEnv, NODE_ENV: 'production' };
const spawnWorker = (): ChildProcess =>
  spawnServerScript(path.resolve(import.meta.dirname, 'lib/chaos-worker.ts'), {
    env: workerEnv,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
const workers: ChildProcess[] = Array.from({ length: WORKERS }, () => spawnWorker());

/** SIGKILL a worker while it holds claims (rows locked by it), then start a new one in its place. */
async function killLoop() {
  let appKillsLeft = APP_KILLS;
  const appKillEvery = APP_KILLS > 0 ? (chaosEnds - started) / (APP_KILLS + 1) : Infinity;
  let nextAppKill = started + appKillEvery;
  while (Date.now() < chaosEnds) {
    await pause(KILL_EVERY_MS * (0.5 + Math.random()));
    const i = Math.floor(Math.random() * workers.length);
    for (let tries = 0; tries < 100; tries++) {
      const [held] = await db.execute(sql`
        select count(*)::int as n from jobs where status = 'processing' and locked_by like ${`process-queue:%:${workers[i].pid}:%`}`);
      if (Number(held.n) > 0) break;
      await pause(50);
    }
    workers[i].kill('SIGKILL');
    workers[i] = spawnWorker();
    kills++;
    if (appKillsLeft > 0 && Date.now() >= nextAppKill) {
      restarting = true;
      while (enqueueInFlight) await pause(20);
      await app.kill();
      appKills++;
      appKillsLeft--;
      nextAppKill += appKillEvery;
      app = await startBuiltApp({ distDir: '.next-rel', port, env: appEnv });
      restarting = false;
      log('app killed and restarted');
    }
  }
}

const FAULTS = [
  { platform: 'github', mode: 'rate_limit', retryAfterSec: 5, times: 40 },
  { platform: 'twitter', mode: 'error', status: 503, times: 30 },
  { platform: 'youtube', mode: 'slow', delayMs: 2_500, times: 20 },
  { platform: 'github', mode: 'error', status: 500, times: 20 },
  { platform: 'instagram', mode: 'error', status: 502, times: 20 },
  { platform: 'twitter', mode: 'slow', delayMs: 1_500, times: 30 },
];

async function faultLoop() {
  while (Date.now() < chaosEnds) {
    const fault = FAULTS[faultWindows % FAULTS.length];
    const res = await fetch(`${fake.url}/_control`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ addFaults: [fault] }),
    });
    if (!res.ok) throw new Error(`/_control refused a fault: ${await res.text()}`);
    faultWindows++;
    await pause(10_000);
  }
  await fetch(`${fake.url}/_control`, { method: 'POST', body: JSON.stringify({ clearFaults: true }) });
}

async function monitorLoop() {
  while (!stopping) {
    rss.push({ t: Date.now() - started, mb: app.rssMb() });
    if (rss.length % 6 === 0) {
      const { totals } = await getQueueStats(db, { now: new Date() });
      log(
        `in ${jobsIn}, completed ${totals.completed}, open ${totals.pending + totals.processing}, worker kills ${kills}, app RSS ${rss.at(-1)!.mb} MB`,
      );
    }
    await pause(5_000);
  }
}

/** Nothing pending (due or later) and nothing running, by the engine's exact counters. */
async function drained(): Promise<boolean> {
  const { totals } = await getQueueStats(db, { now: new Date() });
  return totals.pending === 0 && totals.processing === 0;
}

const monitor = monitorLoop();
const callers = Array.from({ length: CALLERS }, callerLoop);
await Promise.all([enqueueLoop(), killLoop(), faultLoop()]);
log(
  `enqueue ended with ${jobsIn} jobs in; draining (at most ${DRAIN_LIMIT_MS / 60_000} min: retries back off, killed workers' leases last 60 s)`,
);
const drainEnds = Date.now() + DRAIN_LIMIT_MS;
while (Date.now() < drainEnds && !(await drained())) await pause(2_000);
stopping = true;
await Promise.all([...callers, monitor]);
for (const w of workers) w.kill('SIGKILL');

const counts = await soakCounts(db, jobsIn);
const ok = printSoakReport(counts, { minutes, kills, appKills, faults: faultWindows, callerErrors, lateRefused, rss });
await client.end({ timeout: 2 });
await app.stop();
await fake.close();
await pg.stop();
rmSync(dir, { recursive: true, force: true });
process.exit(ok ? 0 : 1);
