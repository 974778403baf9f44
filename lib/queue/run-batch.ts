import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { claimJobs } from './claim';
import { completeJobs } from './complete';
import { failJob } from './fail';
import { deferJob } from './defer';
import { rescueExpiredLeases } from './lease';
import { updateJobProgress } from './progress';
import { listQueues } from './queues';
import { DEFAULT_BACKOFF, type BackoffPolicy } from './backoff';
import { GroupCommit } from './group-commit';
import { JobTimeoutError, PermanentJobError, RateLimitedError, type JobTypes } from './registry';
import { QueueError, type Db, type Job } from './types';

export type Outcome = 'completed' | 'retrying' | 'failed' | 'deferred' | 'lost';

export interface JobOutcome {
  id: string;
  type: string;
  queue: string;
  userId: string | null;
  payload: unknown;
  attempt: number;
  outcome: Outcome;
  durationMs: number;
  error?: string;
  /** When a retrying or deferred job runs next. */
  nextRunAt?: Date;
}

export interface BatchSummary {
  workerId: string;
  rescued: number;
  claimed: number;
  counts: Record<Outcome, number>;
  elapsedMs: number;
  stoppedBy: 'empty' | 'budget' | 'max_jobs' | 'aborted';
  jobs: JobOutcome[];
}

export interface RunBatchOptions {
  workerId?: string;
  /** Jobs per claim. */
  limit?: number;
  /** Stop after this many jobs in all. */
  maxJobs?: number;
  concurrency?: number;
  /** No new claims once this much time has passed; running jobs are cut off at the budget. */
  timeBudgetMs?: number;
  leaseMs?: number;
  queues?: string[];
  clock?: () => Date;
  signal?: AbortSignal;
}

export const newWorkerId = (label = 'worker') =>
  `${label}:${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;

// Claiming needs a little room: a job started with less than this left would be cut off at once.
const MIN_RUN_WINDOW_MS = 250;

export async function runBatch(db: Db, types: JobTypes, opts: RunBatchOptions = {}): Promise<BatchSummary> {
  const clock = opts.clock ?? (() => new Date());
  const started = clock().getTime();
  const workerId = opts.workerId ?? newWorkerId('batch');
  const limit = Math.max(1, opts.limit ?? 5);
  const maxJobs = opts.maxJobs ?? Number.POSITIVE_INFINITY;
  const concurrency = Math.max(1, opts.concurrency ?? limit);
  const budget = opts.timeBudgetMs ?? 10_000;
  const leaseMs = Math.max(opts.leaseMs ?? 60_000, 1_000);
  const deadline = started + budget;
  const handled = Object.entries(types).filter(([, t]) => t.handle).map(([name]) => name);

  const summary: BatchSummary = {
    workerId,
    rescued: 0,
    claimed: 0,
    counts: { completed: 0, retrying: 0, failed: 0, deferred: 0, lost: 0 },
    elapsedMs: 0,
    stoppedBy: 'empty',
    jobs: [],
  };

  summary.rescued = (await rescueExpiredLeases(db, { now: clock() })).length;
  const policies = new Map<string, BackoffPolicy>((await listQueues(db)).map((q) => [q.name, q.backoff]));
  const completer = new GroupCommit<{ id: string; attempt: number; result: unknown }, boolean>(async (items) => {
    const done = new Set(await completeJobs(db, { workerId, now: clock(), items }));
    return items.map((i) => done.has(i.id));
  });

  const runOne = async (job: Job): Promise<void> => {
    const def = types[job.type];
    const t0 = clock().getTime();
    const timeoutMs = Math.min(
      def?.timeoutMs ?? 30_000,
      leaseMs - 1_000,
      Math.max(MIN_RUN_WINDOW_MS, deadline - t0),
    );
    const record = (outcome: Outcome, extra: Partial<JobOutcome> = {}) => {
      summary.counts[outcome]++;
      summary.jobs.push({
        id: job.id, type: job.type, queue: job.queue, userId: job.userId, payload: job.payload,
        attempt: job.attempts, outcome, durationMs: clock().getTime() - t0, ...extra,
      });
    };
    const ac = new AbortController();
    const onOuterAbort = () => ac.abort(opts.signal?.reason);
    opts.signal?.addEventListener('abort', onOuterAbort, { once: true });
    let timer: NodeJS.Timeout | undefined;
    try {
      if (!def?.handle) throw new PermanentJobError(`No handler for job type ${job.type}`);
      const parsed = def.payloadSchema.safeParse(job.payload);
      if (!parsed.success) throw new PermanentJobError(`Invalid payload: ${parsed.error.issues[0]?.message ?? 'unknown'}`);
      const timedOut = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          const err = new JobTimeoutError(timeoutMs);
          ac.abort(err);
          reject(err);
        }, timeoutMs);
      });
      const result = await Promise.race([
        def.handle({
          job, payload: parsed.data, db, signal: ac.signal,
          progress: async (step) => {
            await updateJobProgress(db, { id: job.id, now: clock(), progress: step.slice(0, 200), workerId });
          },
          rateLimited: (provider, retryAfterSec = 60) => {
            throw new RateLimitedError(provider, retryAfterSec);
          },
        }),
        timedOut,
      ]);
      clearTimeout(timer);
      const ok = await completer.add({ id: job.id, attempt: job.attempts, result: result ?? null });
      record(ok ? 'completed' : 'lost', ok ? {} : { error: 'Lease lost before completion' });
    } catch (err) {
      clearTimeout(timer);
      await settleFailure(job, err, record);
    } finally {
      opts.signal?.removeEventListener('abort', onOuterAbort);
    }
  };

  const settleFailure = async (job: Job, err: unknown, record: (o: Outcome, e?: Partial<JobOutcome>) => void) => {
    const now = clock();
    try {
      if (err instanceof RateLimitedError) {
        const j = await deferJob(db, {
          id: job.id, workerId, attempt: job.attempts, provider: err.provider, retryAfterSec: err.retryAfterSec, now,
        });
        record(j.status === 'failed' ? 'failed' : 'deferred', { error: err.message, nextRunAt: j.runAt });
        return;
      }
      const message = err instanceof Error ? err.message : String(err);
      const j = await failJob(db, {
        id: job.id, workerId, attempt: job.attempts, error: message, now,
        policy: policies.get(job.queue) ?? DEFAULT_BACKOFF,
        permanent: err instanceof PermanentJobError,
      });
      record(j.status === 'failed' ? 'failed' : 'retrying', {
        error: message, nextRunAt: j.status === 'pending' ? j.runAt : undefined,
      });
    } catch (settleErr) {
      if (settleErr instanceof QueueError) record('lost', { error: settleErr.message });
      else throw settleErr;
    }
  };

  while (true) {
    if (opts.signal?.aborted) { summary.stoppedBy = 'aborted'; break; }
    if (summary.claimed >= maxJobs) { summary.stoppedBy = 'max_jobs'; break; }
    const now = clock();
    if (deadline - now.getTime() < MIN_RUN_WINDOW_MS) { summary.stoppedBy = 'budget'; break; }
    const want = Math.min(limit, maxJobs - summary.claimed);
    const jobs = await claimJobs(db, { workerId, limit: want, leaseMs, now, types: handled, queues: opts.queues });
    if (jobs.length === 0) { summary.stoppedBy = 'empty'; break; }
    summary.claimed += jobs.length;
    await runPool(jobs, concurrency, runOne);
  }
  await completer.flush();
  summary.elapsedMs = clock().getTime() - started;
  return summary;
}

async function runPool<T>(items: T[], concurrency: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.min(concurrency, items.length) }, async () => {
    while (next < items.length) await fn(items[next++]);
  });
  await Promise.all(lanes);
}
