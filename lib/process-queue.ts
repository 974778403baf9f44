import { newWorkerId, runBatch, type Db, type JobTypes, type Outcome } from '@/lib/queue';
import { after } from 'next/server';
import { getJobTypes } from '@/lib/job-types';

export interface ProcessedJob {
  id: string;
  type: string;
  userId: string | null;
  /** From the payload when the job names one (the sync tasks do). */
  platform: string | null;
  attempt: number;
  outcome: Outcome;
  durationMs: number;
  error: string | null;
  /** When a retrying or deferred job runs next. */
  nextRunAt: string | null;
}

export interface ProcessQueueResult {
  workerId: string;
  rescued: number;
  claimed: number;
  counts: Record<Outcome, number>;
  stoppedBy: 'empty' | 'budget' | 'max_jobs' | 'aborted';
  elapsedMs: number;
  jobs: ProcessedJob[];
}

export interface ProcessQueueOptions {
  /** Jobs to run in this call at most. */
  limit: number;
  /** No job starts after this; running ones are cut off at it. */
  timeBudgetMs: number;
  /** The current time; the batch's clock runs on from it. */
  now?: Date;
  types?: JobTypes;
  concurrency?: number;
}

// A few at a time, as the sync reference asks: enough to overlap network waits, few enough that one
// user's platforms do not hit a provider's rate limit together.
const DEFAULT_CONCURRENCY = 5;

const platformOf = (payload: unknown): string | null => {
  const p = (payload as { platform?: unknown } | null)?.platform;
  return typeof p === 'string' ? p : null;
};

/**
 * One process-queue run: rescue expired leases, then claim and run up to `limit` due jobs within
 * the budget. The cron route and the dashboard's "Run queue now" both call this.
 */
export async function processQueue(db: Db, opts: ProcessQueueOptions): Promise<ProcessQueueResult> {
  const offset = opts.now ? opts.now.getTime() - Date.now() : 0;
  const clock = () => new Date(Date.now() + offset);
  const summary = await runBatch(db, opts.types ?? getJobTypes(), {
    workerId: newWorkerId('process-queue'),
    limit: opts.limit,
    maxJobs: opts.limit,
    concurrency: Math.min(opts.limit, opts.concurrency ?? DEFAULT_CONCURRENCY),
    timeBudgetMs: opts.timeBudgetMs,
    clock,
  });
  return {
    workerId: summary.workerId,
    rescued: summary.rescued,
    claimed: summary.claimed,
    counts: summary.counts,
    stoppedBy: summary.stoppedBy,
    elapsedMs: summary.elapsedMs,
    jobs: summary.jobs.map((j) => ({
      id: j.id,
      type: j.type,
      userId: j.userId,
      platform: platformOf(j.payload),
      attempt: j.attempt,
      outcome: j.outcome,
      durationMs: j.durationMs,
      error: j.error ?? null,
      nextRunAt: j.nextRunAt ? j.nextRunAt.toISOString() : null,
    })),
  };
}

/**
 * The batch budget for a function allowed `maxDurationS`: room is left for rescuing leases before the
 * batch and recording outcomes after it, so the platform never kills the function mid-write.
 */
export function processQueueBudgetMs(maxDurationS: number): number {
  const marginMs = Math.max(2_000, Math.min(10_000, maxDurationS * 200));
  return Math.max(1_000, maxDurationS * 1000 - marginMs);
}

/**
 * Runs a short processQueue once the response has been sent (Next's `after()`), so work a person just
 * enqueued starts within seconds instead of at the next cron minute. Outside a request (tests,
 * scripts) there is no "after the response": returns false and leaves the work to the cron.
 */
export function processQueueAfterResponse(db: Db, opts: ProcessQueueOptions): boolean {
  try {
    after(async () => {
      try {
        await processQueue(db, opts);
      } catch (err) {
        console.error('processing after the response failed:', err);
      }
    });
    return true;
  } catch {
    return false;
  }
}
