import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import postgres from 'postgres';
import { freePort } from '@/scripts/lib/embedded-pg';
import { steady } from '../systems/steady';
import { inParallel } from '../systems/types';
import { sleep, summarise } from '../lib/stats';
import type { BenchContext } from '../lib/context';

export const HTTP_DRAIN = 'drain via /api/cron/process-queue';
const DIST = '.next-bench';
const SECRET = 'bench-cron-secret-0123456789';
const CALLERS = 4;
const LIMIT = 100;
const next = path.resolve('node_modules/.bin/next');

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; tail: string }> {
  return new Promise((resolve) => {
    const p = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const keep = (b: Buffer) => { out = (out + b.toString()).slice(-4000); };
    p.stdout!.on('data', keep);
    p.stderr!.on('data', keep);
    p.once('exit', (code) => resolve({ code: code ?? 1, tail: out }));
  });
}

/** `next build` into .next-bench; the quick run reuses one already there and builds none itself. */
async function build(ctx: BenchContext, env: NodeJS.ProcessEnv): Promise<boolean | 'skipped'> {
  const id = path.join(DIST, 'BUILD_ID');
  if (ctx.config.quick) {
    if (!existsSync(id)) return 'skipped';
    ctx.log(`reusing the build in ${DIST} from ${statSync(id).mtime.toISOString()}`);
    return true;
  }
  ctx.log(`building the app into ${DIST} (next build)…`);
  // next build adds its dist dir's type folders to tsconfig.json; a benchmark leaves the tree as it was.
  const tsconfig = readFileSync('tsconfig.json', 'utf8');
  const { code, tail } = await run(next, ['build'], { ...env, NODE_ENV: 'production' });
  if (readFileSync('tsconfig.json', 'utf8') !== tsconfig) writeFileSync('tsconfig.json', tsconfig);
  if (code !== 0) ctx.log(`next build failed:\n${tail}`);
  return code === 0;
}

async function startApp(env: NodeJS.ProcessEnv, port: number): Promise<ChildProcess> {
  const app = spawn(next, ['start', '-p', String(port)], { env: { ...env, NODE_ENV: 'production' }, stdio: 'ignore', detached: true });
  for (let i = 0; i < 300; i++) {
    const ok = await fetch(`http://127.0.0.1:${port}/api/health`).then((r) => r.ok, () => false);
    if (ok) return app;
    if (app.exitCode !== null) break;
    await sleep(100);
  }
  stopApp(app);
  throw new Error('the built app did not become healthy');
}

function stopApp(app: ChildProcess): void {
  try {
    process.kill(-app.pid!, 'SIGTERM');
  } catch {
    /* gone */
  }
}

/**
 * The production build's process-queue route drained by 4 concurrent callers asking for 100 jobs each,
 * as overlapping cron ticks would, until a call finds nothing to claim. The app runs with its own
 * defaults (pool of 5, concurrency 5 per call); the jobs are `queue.ping`, the app's no-op type.
 */
export async function runHttpRoute(ctx: BenchContext): Promise<void> {
  const { config, results, log, server } = ctx;
  const db = await ctx.freshDb(steady, 'http');
  const port = await freePort();
  const env: NodeJS.ProcessEnv = {
    ...process.env, NEXT_DIST_DIR: DIST, NEXT_TELEMETRY_DISABLED: '1', DATABASE_URL: db.url, CRON_SECRET: SECRET,
  };
  const built = await build(ctx, env);
  if (built !== true) {
    results.notes.push(built === 'skipped'
      ? `HTTP route: skipped in the quick run (no ${DIST} build yet: run the full bench once, or NEXT_DIST_DIR=${DIST} npx next build)`
      : 'HTTP route: next build failed, not measured');
    await server.dropDatabase(db.name);
    return;
  }
  const app = await startApp(env, port);
  const raw = postgres(db.url, { max: 1, onnotice: () => {} });
  const rates: number[] = [];
  try {
    for (let round = 0; round < config.rounds; round++) {
      await steady.bulkEnqueue(db.url, config.httpJobs);
      await server.analyze(db.name);
      let claimed = 0;
      const t0 = performance.now();
      await inParallel(CALLERS, CALLERS, async () => {
        while (true) {
          const res = await fetch(`http://127.0.0.1:${port}/api/cron/process-queue`, {
            method: 'POST',
            headers: { authorization: `Bearer ${SECRET}`, 'content-type': 'application/json' },
            body: JSON.stringify({ limit: LIMIT }),
          });
          if (!res.ok) throw new Error(`process-queue answered ${res.status}: ${await res.text()}`);
          const body = (await res.json()) as { claimed: number };
          claimed += body.claimed;
          if (body.claimed === 0) return;
        }
      });
      const seconds = (performance.now() - t0) / 1000;
      const [left] = await raw.unsafe(steady.unfinishedSql);
      if (Number(left.n) !== 0 || claimed !== config.httpJobs) {
        throw new Error(`HTTP drain left work: claimed ${claimed} of ${config.httpJobs}`);
      }
      rates.push(config.httpJobs / seconds);
      log(`HTTP route drain: ${Math.round(rates[round])} jobs/s`);
    }
  } finally {
    await raw.end({ timeout: 5 });
    stopApp(app);
  }
  results.add({
    scenario: HTTP_DRAIN, label: 'Steady', unit: 'jobs/s', better: 'higher', summary: summarise(rates),
    note: `${config.httpJobs.toLocaleString('en')} jobs, ${CALLERS} callers, limit ${LIMIT}`,
  });
  await sleep(500);
  await server.dropDatabase(db.name);
}
