import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { createDb } from '@/lib/db';
import { migrateDatabase } from '@/scripts/lib/migrate';
import { defineJobType, enqueueJob, enqueueJobs, listenWith, PING_TYPE, startWorker, type JobTypes } from '@/lib/queue';
import { inParallel, NOOP_PAYLOAD, type QueueSystem } from './types';

export const NOOP_TYPE = PING_TYPE;

export function benchTypes(onJob: () => void = () => {}): JobTypes {
  return {
    [NOOP_TYPE]: defineJobType({
      queue: 'default',
      payloadSchema: z.object({ n: z.number().int() }),
      handle: async () => {
        onJob();
        return null;
      },
    }),
  };
}

// Claims of up to 1,000 (50 running + 950 buffered): for no-op jobs, bigger claims and completion
// groups cost less per job than more handlers in flight (measured 14k → 17k jobs/s).
export const DRAIN = { concurrency: 50, prefetch: 950 };
// As `npm run worker` runs: a larger young generation, so the per-job rows and results a busy worker
// allocates die there instead of being scavenged again and again (measured +20-25 % drained jobs/s).
export const WORKER_NODE_FLAGS = ['--max-semi-space-size=64'];

// The commit measured, and whether the working tree differed from it, as the peers name their release.
function repoVersion(): string {
  const root = path.resolve(import.meta.dirname, '../..');
  const pkg: string = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')).version;
  const git = (...args: string[]) =>
    execFileSync('git', args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  try {
    return `${pkg} (${git('rev-parse', '--short', 'HEAD')}${git('status', '--porcelain', '--untracked-files=no') ? ' + local changes' : ''})`;
  } catch {
    return pkg;
  }
}

const inputs = (n: number) => Array.from({ length: n }, (_, i) => ({ type: NOOP_TYPE, payload: NOOP_PAYLOAD(i) }));

export const steady: QueueSystem = {
  name: 'Steady',
  version: repoVersion(),
  settings: `startWorker concurrency ${DRAIN.concurrency}, prefetch ${DRAIN.prefetch}, node ${WORKER_NODE_FLAGS.join(' ')}, history on, enqueueJobs for bulk`,
  nodeFlags: WORKER_NODE_FLAGS,
  install: (url) => migrateDatabase(url),
  async bulkEnqueue(url, n) {
    const { db, client } = createDb({ url, max: 1 });
    await enqueueJobs(db, benchTypes(), inputs(n));
    await client.end();
  },
  async singleEnqueue(url, n, inFlight) {
    const { db, client } = createDb({ url, max: inFlight });
    const types = benchTypes();
    await inParallel(n, inFlight, (i) => enqueueJob(db, types, { type: NOOP_TYPE, payload: NOOP_PAYLOAD(i) }));
    await client.end();
  },
  async startDrain(url, onJob) {
    const { db, client } = createDb({ url, max: 4 });
    const worker = await startWorker(db, benchTypes(onJob), {
      ...DRAIN,
      pollIntervalMs: 200,
      listen: listenWith(client),
    });
    return {
      async stop() {
        await worker.stop({ deadlineMs: 5_000 });
        await client.end();
      },
    };
  },
  unfinishedSql: `select count(*)::int as n from jobs where status in ('pending', 'processing')`,
};
