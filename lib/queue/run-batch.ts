import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { claimJobs, rescueAndClaimJobs } from './claim';
import { releaseJobs, rescueExpiredLeases } from './lease';
import { createExecutor, type JobOutcome, type Outcome } from './execute';
import { handledTypeNames, type JobTypes } from './registry';
import { processMetrics } from './process-metrics';
import type { Db, Job } from './types';

export type { Outcome, JobOutcome } from './execute';

export interface BatchSummary {
  workerId: string;
  rescued: number;
  claimed: number;
  counts: Record<Outcome, number>;
  elapsedMs: number;
  stoppedBy: 'empty' | 'budget' | 'cap' | 'aborted';
  /** Claimed but not started (budget spent or lease too close to its end): handed back unspent. */
  released: number;
  /** The first `keepJobs` outcomes. */
  jobs: JobOutcome[];
}

export interface RunBatchOptions {
  workerId?: string;
  /** Jobs per claim. */
  limit?: number;
  /** Stop after this many jobs in all (stoppedBy 'cap'). */
  maxJobs?: number;
  /** Outcomes kept in `jobs`, so a long run's summary stays small; `counts` covers them all. */
  keepJobs?: number;
  /** Each outcome as it is written. */
  onOutcome?: (outcome: JobOutcome) => void;
  concurrency?: number;
  /** No new claims once this much time has passed; running jobs are cut off at the budget. */
  timeBudgetMs?: number;
  leaseMs?: number;
  queues?: string[];
  clock?: () => Date;
  signal?: AbortSignal;
}

export const newWorkerId = (label = 'worker') => `${label}:${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;

// Claiming needs a little room: a job started with less than this left would be cut off at once.
const MIN_RUN_WINDOW_MS = 250;
// A job must start with this much of its lease left (and is cut off that long before the lease ends):
// once the lease has passed, another batch may rescue and run it, and it must not run here as well.
const leaseMargin = (leaseMs: number) => Math.min(5_000, Math.floor(leaseMs / 4));

export async function runBatch(db: Db, types: JobTypes, opts: RunBatchOptions = {}): Promise<BatchSummary> {
  const clock = opts.clock ?? (() => new Date());
  const started = clock().getTime();
  const workerId = opts.workerId ?? newWorkerId('batch');
  const limit = Math.max(1, opts.limit ?? 5);
  const maxJobs = opts.maxJobs ?? Number.POSITIVE_INFINITY;
  const keepJobs = opts.keepJobs ?? Number.POSITIVE_INFINITY;
  const concurrency = Math.max(1, opts.concurrency ?? limit);
  const budget = opts.timeBudgetMs ?? 10_000;
  const leaseMs = Math.max(opts.leaseMs ?? 60_000, 1_000);
  const deadline = started + budget;
  const handled = handledTypeNames(types);

  const summary: BatchSummary = {
    workerId,
    rescued: 0,
    claimed: 0,
    counts: { completed: 0, retrying: 0, failed: 0, deferred: 0, lost: 0 },
    elapsedMs: 0,
    stoppedBy: 'empty',
    released: 0,
    jobs: [],
  };

  const executor = createExecutor(db, types, { workerId, clock, signal: opts.signal });
  const outcomes: Promise<void>[] = [];
  const unstarted: Job[] = [];
  let writeError: unknown;
  const margin = leaseMargin(leaseMs);

  // A lane moves to its next job as soon as the handler returns; the completion joins the next grouped
  // write instead of costing the lane a round trip per job. A job that waited in its lane until its
  // lease (or the budget) is nearly gone is handed back instead of started.
  const runOne = (job: Job): Promise<void> | undefined => {
    const now = clock().getTime();
    const leaseLeft = (job.lockedUntil?.getTime() ?? now + leaseMs) - now - margin;
    const budgetLeft = deadline - now;
    if (
      writeError !== undefined ||
      opts.signal?.aborted ||
      leaseLeft < MIN_RUN_WINDOW_MS ||
      budgetLeft < MIN_RUN_WINDOW_MS
    ) {
      unstarted.push(job);
      return undefined;
    }
    const { ran, outcome } = executor.execute(job, Math.min(leaseLeft, budgetLeft));
    // Handled here, at once: a write failing (database down) must not surface as an unhandled rejection.
    outcomes.push(
      outcome.then(
        (o) => {
          summary.counts[o.outcome]++;
          if (summary.jobs.length < keepJobs) summary.jobs.push(o);
          opts.onOutcome?.(o);
        },
        (err: unknown) => {
          writeError ??= err;
        },
      ),
    );
    return ran;
  };

  let first = true;
  let settledBefore = 0;
  while (true) {
    if (opts.signal?.aborted) {
      summary.stoppedBy = 'aborted';
      break;
    }
    if (summary.claimed >= maxJobs) {
      summary.stoppedBy = 'cap';
      break;
    }
    const now = clock();
    if (deadline - now.getTime() < MIN_RUN_WINDOW_MS) {
      summary.stoppedBy = 'budget';
      break;
    }
    const want = Math.min(limit, maxJobs - summary.claimed);
    const claim = { workerId, limit: want, leaseMs, now, types: handled, queues: opts.queues };
    // The first claim also puts back expired leases (a dead batch's jobs), in the same statement.
    let jobs: Job[];
    if (first) {
      first = false;
      const r = await rescueAndClaimJobs(db, claim);
      summary.rescued = r.rescued;
      processMetrics.recordRescued(r.rescued);
      jobs = r.jobs;
      // The rescued jobs were not claimable within that statement: claim again for them.
      if (jobs.length === 0 && r.rescued > 0) continue;
    } else {
      jobs = await claimJobs(db, claim);
    }
    if (jobs.length === 0) {
      // Outcomes not yet written still count as running against their limits: write them, then look
      // once more before calling the backlog empty.
      if (outcomes.length > settledBefore) {
        settledBefore = outcomes.length;
        await Promise.all(outcomes);
        await executor.flush().catch((err: unknown) => {
          writeError ??= err;
        });
        if (writeError === undefined) continue;
      }
      summary.stoppedBy = 'empty';
      break;
    }
    summary.claimed += jobs.length;
    await runPool(jobs, concurrency, runOne);
    if (writeError !== undefined || unstarted.length > 0) break;
  }
  // Stopped before its first claim (aborted, or no budget): still put back what expired.
  if (first) {
    summary.rescued = (await rescueExpiredLeases(db, { now: clock() })).length;
    processMetrics.recordRescued(summary.rescued);
  }
  await Promise.all(outcomes);
  await executor.flush().catch((err: unknown) => {
    writeError ??= err;
  });
  if (unstarted.length > 0 && writeError === undefined) {
    summary.released = await releaseJobs(db, {
      workerId,
      now: clock(),
      items: unstarted.map((j) => ({ id: j.id, attempt: j.attempts })),
    });
    if (summary.stoppedBy === 'empty') summary.stoppedBy = opts.signal?.aborted ? 'aborted' : 'budget';
  }
  // Jobs whose outcome could not be written keep their lease and are rescued when it passes.
  if (writeError !== undefined) throw writeError;
  summary.elapsedMs = clock().getTime() - started;
  return summary;
}

// `fn` answers a promise for work that has started, or nothing when it did not start the item: the lane
// then moves on without waiting a turn of the event loop.
async function runPool<T>(items: T[], concurrency: number, fn: (item: T) => Promise<void> | undefined): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.min(concurrency, items.length) }, async () => {
    while (next < items.length) {
      const running = fn(items[next++]);
      if (running) await running;
    }
  });
  await Promise.all(lanes);
}
