/**
 * A worker process for the crash tests: loops runBatch against DATABASE_URL with a short lease until
 * killed. Run with `node --conditions=react-server --import tsx tests/helpers/crash-worker.ts`.
 * Env: DATABASE_URL, RUNS_FILE, LEASE_MS, HANDLER_MS, BATCH_LIMIT, CONCURRENCY.
 */
import { appendFileSync } from 'node:fs';
import { createDb } from '@/lib/db';
import { newWorkerId, runBatch } from '@/lib/queue';
import { crashJobTypes, type RunRecord } from './crash-job-types';

const num = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const runsFile = process.env.RUNS_FILE!;
const leaseMs = num('LEASE_MS', 2_000);
const workerId = newWorkerId('crash');
const types = crashJobTypes({ runsFile, workerId, handlerMs: num('HANDLER_MS', 30) });
const { db } = createDb({ url: process.env.DATABASE_URL!, max: 3, applicationName: 'crash-worker' });

while (true) {
  const summary = await runBatch(db, types, {
    workerId,
    leaseMs,
    limit: num('BATCH_LIMIT', 8),
    concurrency: num('CONCURRENCY', 4),
    timeBudgetMs: 2_000,
  });
  // A late completion the engine refused: the job had been rescued while this process was frozen.
  for (const j of summary.jobs.filter((o) => o.outcome === 'lost')) {
    const r: RunRecord = {
      e: 'lost',
      id: j.id,
      n: (j.payload as { n: number }).n,
      attempt: j.attempt,
      worker: workerId,
      pid: process.pid,
      at: Date.now(),
      lockedUntil: 0,
    };
    appendFileSync(runsFile, `${JSON.stringify(r)}\n`);
  }
  if (summary.claimed === 0) await new Promise((r) => setTimeout(r, 100));
}
