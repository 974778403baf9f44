import 'server-only';
import { newWorkerId, runBatch, type Db, type JobOutcome, type JobTypes, type Outcome } from '@/lib/queue';
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

export type StoppedBy = 'empty' | 'budget' | 'cap' | 'aborted';

export interface ProcessQueueResult {
  workerId: string;
  rescued: number;
  claimed: number;
  counts: Record<Outcome, number>;
  /** The same outcomes per job type (only the outcomes that happened). */
  byType: Record<string, Partial<Record<Outcome, number>>>;
  stoppedBy: StoppedBy;
  elapsedMs: number;
  /** The first LISTED_JOBS outcomes; `jobsNotListed` says how many more there were. */
  jobs: ProcessedJob[];
  jobsNotListed: number;
}

export interface ProcessQueueOptions {
  /** Jobs to run in this call at most; absent, the call works until the backlog or its budget ends. */
  limit?: number;
  /** No job starts after this; running ones are cut off at it. */
  timeBudgetMs: number;
  /** The current time; the batch's clock runs on from it. */
  now?: Date;
  types?: JobTypes;
  concurrency?: number;
  workerId?: string;
  /** Each outcome as it is written (a drain call measures its pace from these). */
  onOutcome?: (outcome: JobOutcome) => void;
}

// A few at a time, as the sync reference asks: enough to overlap network waits, few enough that one
// user's platforms do not hit a provider's rate limit together.
const DEFAULT_CONCURRENCY = 5;
// Jobs per claim: a claim is one statement whatever its size, and 100 kept the HTTP drain near the
// engine's own pace; a job that waits in its lane too long is handed back unspent (runBatch).
const CLAIM_SIZE = 100;
/** Outcomes listed in an answer: a call that works 50,000 jobs must not answer with all of them. */
export const LISTED_JOBS = 100;

const platformOf = (payload: unknown): string | null => {
  const p = (payload as { platform?: unknown } | null)?.platform;
  return typeof p === 'string' ? p : null;
};

const listed = (j: JobOutcome): ProcessedJob => ({
  id: j.id,
  type: j.type,
  userId: j.userId,
  platform: platformOf(j.payload),
  attempt: j.attempt,
  outcome: j.outcome,
  durationMs: j.durationMs,
  error: j.error ?? null,
  nextRunAt: j.nextRunAt ? j.nextRunAt.toISOString() : null,
});

/**
 * One process-queue run: rescue expired leases, then claim and run due jobs until the backlog, the
 * budget or the optional `limit` ends. The cron route, its fan-out calls and the dashboard all call this.
 */
export async function processQueue(db: Db, opts: ProcessQueueOptions): Promise<ProcessQueueResult> {
  const offset = opts.now ? opts.now.getTime() - Date.now() : 0;
  const clock = () => new Date(Date.now() + offset);
  const byType: ProcessQueueResult['byType'] = {};
  const cap = opts.limit ?? Number.POSITIVE_INFINITY;
  const summary = await runBatch(db, opts.types ?? getJobTypes(), {
    workerId: opts.workerId ?? newWorkerId('process-queue'),
    limit: Math.min(cap, CLAIM_SIZE),
    maxJobs: cap,
    keepJobs: LISTED_JOBS,
    concurrency: Math.min(cap, opts.concurrency ?? DEFAULT_CONCURRENCY),
    timeBudgetMs: opts.timeBudgetMs,
    clock,
    onOutcome: (o) => {
      const t = (byType[o.type] ??= {});
      t[o.outcome] = (t[o.outcome] ?? 0) + 1;
      opts.onOutcome?.(o);
    },
  });
  const outcomes = Object.values(summary.counts).reduce((a, b) => a + b, 0);
  return {
    workerId: summary.workerId,
    rescued: summary.rescued,
    claimed: summary.claimed,
    counts: summary.counts,
    byType,
    stoppedBy: summary.stoppedBy,
    elapsedMs: summary.elapsedMs,
    jobs: summary.jobs.map(listed),
    jobsNotListed: outcomes - summary.jobs.length,
  };
}

/**
 * The batch budget for a function allowed `maxDurationS`: room is left for rescuing leases before the
 * batch and recording outcomes (and handing on to the next call) after it, so the platform never
 * kills the function mid-write.
 */
export function processQueueBudgetMs(maxDurationS: number): number {
  const marginMs = Math.max(2_000, Math.min(10_000, maxDurationS * 200));
  return Math.max(1_000, maxDurationS * 1000 - marginMs);
}
