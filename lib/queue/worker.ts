import { claimJobs, rescueAndClaimJobs } from './claim';
import { extendLease, releaseJobs } from './lease';
import { createExecutor, type JobOutcome } from './execute';
import { JOBS_CHANNEL, wakesFor, type Listen } from './notify';
import { newWorkerId } from './run-batch';
import { handledTypeNames, type JobTypes } from './registry';
import { processMetrics } from './process-metrics';
import type { Db, Job } from './types';

export interface WorkerOptions {
  workerId?: string;
  /** Handlers running at once. */
  concurrency?: number;
  /** Claimed jobs kept waiting locally beyond `concurrency`, so a freed slot needs no round trip. */
  prefetch?: number;
  /** How often an idle worker looks for due jobs without a notification (delayed jobs, missed NOTIFYs). */
  pollIntervalMs?: number;
  leaseMs?: number;
  /** LISTEN for enqueues (see listenWith); without it the worker polls. */
  listen?: Listen;
  queues?: string[];
  signal?: AbortSignal;
  /** Deadline for a stop started by `signal`. */
  stopDeadlineMs?: number;
  clock?: () => Date;
  onOutcome?: (outcome: JobOutcome) => void;
  onError?: (err: unknown) => void;
}

export interface WorkerStats {
  claimed: number;
  completed: number;
  failed: number;
  retried: number;
  deferred: number;
  lost: number;
  released: number;
  running: number;
  buffered: number;
  /** Nothing was due at the last claim: waiting for a notification or the next poll. */
  idle: boolean;
}

export interface WorkerHandle {
  workerId: string;
  stats(): WorkerStats;
  /** Claim now instead of at the next notification or poll (after an enqueue in this process). */
  wake(): void;
  /**
   * Stops claiming and hands buffered jobs back at once; running jobs may finish until the deadline,
   * after which they are aborted and released (their attempt is not spent). Resolves when all is written.
   */
  stop(opts?: { deadlineMs?: number }): Promise<WorkerStats>;
}

const MAX_CLAIM = 500;
const STAT_OF = {
  completed: 'completed',
  failed: 'failed',
  retrying: 'retried',
  deferred: 'deferred',
  lost: 'lost',
} as const;
// A job is started only with this much of its lease left; otherwise the lease is extended first.
const MIN_LEASE_LEFT_MS = 5_000;

interface Slot {
  job: Job;
  abort?: (reason: unknown) => void;
}

/** A long-lived worker: claims in batches into a small local buffer and runs handlers as slots free up. */
export async function startWorker(db: Db, types: JobTypes, opts: WorkerOptions = {}): Promise<WorkerHandle> {
  const clock = opts.clock ?? (() => new Date());
  const workerId = opts.workerId ?? newWorkerId('worker');
  const concurrency = Math.max(1, opts.concurrency ?? 10);
  const prefetch = Math.max(0, opts.prefetch ?? concurrency);
  const pollIntervalMs = Math.max(10, opts.pollIntervalMs ?? 1_000);
  const leaseMs = Math.max(opts.leaseMs ?? 60_000, 2 * MIN_LEASE_LEFT_MS);
  const handled = handledTypeNames(types);
  const onError = opts.onError ?? ((err: unknown) => console.error(`[${workerId}]`, err));
  const executor = createExecutor(db, types, { workerId, clock });

  const stats: WorkerStats = {
    claimed: 0,
    completed: 0,
    failed: 0,
    retried: 0,
    deferred: 0,
    lost: 0,
    released: 0,
    running: 0,
    buffered: 0,
    idle: false,
  };
  const buffer: Job[] = [];
  const running = new Map<string, Slot>();
  // Outcomes not yet written (completions wait for their group): stop() waits for them.
  let unsettled = 0;
  let allSettled: (() => void) | null = null;
  let claiming = false;
  let idle = false;
  let wokenDuringClaim = false;
  let stopping = false;
  let pollTimer: NodeJS.Timeout | undefined;
  let lastRescue = 0;

  const wake = () => {
    if (stopping) return;
    wokenDuringClaim = true;
    if (idle) {
      idle = false;
      pump();
    }
  };

  const settle = () => {
    if (--unsettled === 0) allSettled?.();
  };
  const count = (o: JobOutcome) => {
    settle();
    stats[STAT_OF[o.outcome]]++;
    try {
      opts.onOutcome?.(o);
    } catch (err) {
      onError(err);
    }
  };
  const countFailed = (err: unknown) => {
    settle();
    onError(err);
  };

  // Plain callbacks rather than an async function per job: a busy worker starts thousands a second.
  const start = (job: Job) => {
    const slot: Slot = { job };
    running.set(job.id, slot);
    const leaseLeft = (job.lockedUntil?.getTime() ?? 0) - clock().getTime();
    if (leaseLeft >= MIN_LEASE_LEFT_MS) return run(slot, leaseLeft);
    extendLease(db, { id: job.id, workerId, attempt: job.attempts, leaseMs, now: clock() }).then(
      (kept) => {
        // A stop that came meanwhile has handed, or will hand, this job back: it must not start here.
        if (kept && stopping) void release([job]).then(() => done(slot));
        else if (kept) run(slot, leaseMs);
        else done(slot);
      },
      (err: unknown) => {
        onError(err);
        done(slot);
      },
    );
  };
  const run = (slot: Slot, leaseLeft: number) => {
    try {
      const { ran, outcome, abort } = executor.execute(slot.job, leaseLeft - 1_000);
      slot.abort = abort;
      unsettled++;
      outcome.then(count, countFailed);
      void ran.then(() => done(slot));
    } catch (err) {
      onError(err);
      done(slot);
    }
  };
  const done = (slot: Slot) => {
    running.delete(slot.job.id);
    pump();
  };

  const claim = async () => {
    claiming = true;
    wokenDuringClaim = false;
    const want = Math.min(MAX_CLAIM, concurrency + prefetch - running.size - buffer.length);
    try {
      const now = clock();
      const claimOpts = { workerId, limit: want, leaseMs, now, types: handled, queues: opts.queues };
      // Every half lease, expired leases are put back in the same statement as the claim.
      const rescue = now.getTime() - lastRescue > leaseMs / 2;
      if (rescue) lastRescue = now.getTime();
      const { jobs, rescued } = rescue
        ? await rescueAndClaimJobs(db, claimOpts)
        : { jobs: await claimJobs(db, claimOpts), rescued: 0 };
      stats.claimed += jobs.length;
      if (rescued > 0) processMetrics.recordRescued(rescued);
      if (stopping) await release(jobs);
      else buffer.push(...jobs);
      // Fewer than asked: the queue is drained for now, so wait for a notification or the next poll.
      // Rescued jobs were not claimable in that statement: claim again at once for them.
      if (jobs.length < want && !wokenDuringClaim && rescued === 0) idle = true;
    } catch (err) {
      onError(err);
      idle = true;
    } finally {
      claiming = false;
    }
    if (idle) schedulePoll();
    pump();
  };

  const schedulePoll = () => {
    clearTimeout(pollTimer);
    // A claim that was in flight when stop() cleared the timer must not set a new one.
    if (stopping) return;
    pollTimer = setTimeout(() => {
      idle = false;
      pump();
    }, pollIntervalMs);
  };

  // Refill once half the local buffer is used: the next claim's round trip then overlaps the jobs
  // still buffered and running instead of following them, and a claim always asks for a real batch.
  const refillAt = concurrency + Math.floor(prefetch / 2);

  function pump() {
    if (stopping) return;
    while (running.size < concurrency && buffer.length > 0) start(buffer.shift()!);
    const held = running.size + buffer.length;
    if (!claiming && !idle && held <= refillAt && held < concurrency + prefetch) void claim();
  }

  const release = async (jobs: Job[]) => {
    if (jobs.length === 0) return;
    try {
      stats.released += await releaseJobs(db, {
        workerId,
        now: clock(),
        items: jobs.map((j) => ({ id: j.id, attempt: j.attempts })),
      });
    } catch (err) {
      onError(err);
    }
  };

  const subscription = opts.listen
    ? await opts.listen(
        JOBS_CHANNEL,
        (payload) => {
          if (wakesFor(payload, opts.queues)) wake();
        },
        wake,
      )
    : null;

  let stopped: Promise<WorkerStats> | null = null;
  const stop = (stopOpts: { deadlineMs?: number } = {}) => {
    stopped ??= (async () => {
      stopping = true;
      clearTimeout(pollTimer);
      await subscription?.close().catch(onError);
      await release(buffer.splice(0));
      const deadline = new Promise<void>((r) =>
        setTimeout(r, stopOpts.deadlineMs ?? opts.stopDeadlineMs ?? 10_000).unref(),
      );
      let waiting = true;
      const drained = (async () => {
        while (waiting && (running.size > 0 || claiming)) await new Promise((r) => setTimeout(r, 5));
      })();
      await Promise.race([drained, deadline]);
      waiting = false;
      // Released before aborted: the abort settles the run as a failure, which must find the job gone.
      const cut = [...running.values()];
      await release(cut.map((r) => r.job));
      for (const r of cut) r.abort?.(new Error('Worker stopped'));
      if (unsettled > 0)
        await new Promise<void>((resolve) => {
          allSettled = resolve;
        });
      await executor.flush();
      return { ...stats, running: running.size, buffered: buffer.length, idle: false };
    })();
    return stopped;
  };
  if (opts.signal?.aborted) void stop();
  else opts.signal?.addEventListener('abort', () => void stop(), { once: true });

  pump();
  return {
    workerId,
    stats: () => ({ ...stats, running: running.size, buffered: buffer.length, idle }),
    wake,
    stop,
  };
}
