import 'server-only';
import {
  countDrainCalls,
  countDueJobs,
  enterDrainCall,
  handledTypeNames,
  leaveDrainCall,
  limitsOpenAt,
  newWorkerId,
  type Db,
} from '@/lib/queue';
import { getJobTypes } from '@/lib/job-types';
import { processQueue, type ProcessQueueOptions, type ProcessQueueResult } from '@/lib/process-queue';

/**
 * A drain call is one process-queue invocation at work: a cron tick, a call another one started, or a
 * dashboard action's run after its response. At most `maxParallel` are at work at once across every
 * instance (counted in PostgreSQL, lib/queue/drain-calls.ts). A call works until the backlog or its
 * budget ends; while the backlog outlasts what the calls at work can finish, it starts one more
 * (`fanOut`), and when its budget ends with jobs still due it hands on to a successor. Each call
 * follows the same rule, so the number at work follows the backlog and falls to none when it is gone.
 */
export interface DrainLimits {
  maxParallel: number;
  /** How long a call keeps its place if it dies without leaving: the function's maximum duration. */
  holdMs: number;
}

export interface AdmittedCall {
  entered: true;
  callId: string;
  running: number;
  maxParallel: number;
}

export interface RefusedCall {
  entered: false;
  running: number;
  maxParallel: number;
}

export interface DrainCallOptions extends ProcessQueueOptions {
  /** Starts one more call of the route; true when it was accepted. Absent: no fan-out, no hand-on. */
  fanOut?: () => Promise<boolean>;
}

export type DrainCallResult = Omit<ProcessQueueResult, 'stoppedBy'> & {
  /** As processQueue's, or 'limit': due jobs are left, and limits hold every one of them. */
  stoppedBy: ProcessQueueResult['stoppedBy'] | 'limit';
  /** With 'limit': when the first of those limits opens by itself (null: when a running job ends). */
  limitOpensAt: string | null;
  running: number;
  maxParallel: number;
  /** Calls this one started while it worked, and whether it handed on when its budget ended. */
  fannedOut: number;
  handedOn: boolean;
};

// The pace is judged over at least this much work, and the backlog looked at this often.
const FAN_OUT_CHECK_MS = 1_000;
// Past this many due jobs the count stops: a backlog this large outlasts any call anyway.
const DUE_COUNT_CAP = 50_000;
// A call with less left than this starts nobody: its successor would start as it ends.
const MIN_REMAINING_MS = 3_000;

export async function admitDrainCall(
  db: Db,
  limits: DrainLimits,
  now = new Date(),
): Promise<AdmittedCall | RefusedCall> {
  const callId = newWorkerId('process-queue');
  const r = await enterDrainCall(db, { callId, maxParallel: limits.maxParallel, holdMs: limits.holdMs, now });
  return r.entered
    ? { entered: true, callId, running: r.running, maxParallel: limits.maxParallel }
    : { entered: false, running: r.running, maxParallel: limits.maxParallel };
}

/** Works an admitted call to its end, gives its place back, and hands on when the backlog remains. */
export async function runDrainCall(db: Db, call: AdmittedCall, opts: DrainCallOptions): Promise<DrainCallResult> {
  const offset = opts.now ? opts.now.getTime() - Date.now() : 0;
  const clock = () => new Date(Date.now() + offset);
  const types = opts.types ?? getJobTypes();
  const handled = handledTypeNames(types);
  const started = clock().getTime();
  const deadline = started + opts.timeBudgetMs;
  let done = 0;
  let fannedOut = 0;
  let checking = false;
  // A call given a `limit` was asked for that much work: it starts no other call.
  const fanOut = opts.limit === undefined ? opts.fanOut : undefined;

  // Judged on this call's own pace: the calls at work together finish about `running` times as much
  // as this one, and have before them the due jobs and the ones leased but not finished.
  const maybeFanOut = async () => {
    if (checking || !fanOut) return;
    checking = true;
    try {
      const now = clock();
      const remaining = deadline - now.getTime();
      if (remaining < MIN_REMAINING_MS) return;
      const running = await countDrainCalls(db, { now });
      if (running >= call.maxParallel) return;
      const pace = done / Math.max(1, now.getTime() - started);
      const canFinish = Math.floor(pace * remaining * running);
      if (canFinish >= DUE_COUNT_CAP) return;
      const work = await countDueJobs(db, { now, cap: canFinish + 1, types: handled, running: true });
      if (work > canFinish && (await fanOut())) fannedOut++;
    } catch (err) {
      console.error('process-queue: the fan-out check failed:', err);
    } finally {
      checking = false;
    }
  };

  const timer = fanOut ? setInterval(() => void maybeFanOut(), FAN_OUT_CHECK_MS) : undefined;
  let result: ProcessQueueResult;
  try {
    result = await processQueue(db, {
      ...opts,
      types,
      workerId: call.callId,
      onOutcome: (o) => {
        done++;
        opts.onOutcome?.(o);
      },
    });
  } finally {
    clearInterval(timer);
    await leaveDrainCall(db, { callId: call.callId }).catch((err: unknown) => {
      console.error('process-queue: could not give the call its place back (it frees itself later):', err);
    });
  }
  let handedOn = false;
  if (fanOut && result.stoppedBy === 'budget') {
    const left = await countDueJobs(db, { now: clock(), cap: 1, types: handled }).catch(() => 0);
    if (left > 0) handedOn = await fanOut();
  }
  let stoppedBy: DrainCallResult['stoppedBy'] = result.stoppedBy;
  let limitOpensAt: string | null = null;
  if (result.stoppedBy === 'empty') {
    const now = clock();
    const held = await countDueJobs(db, { now, cap: 1, types: handled, ignoreLimits: true }).catch(() => 0);
    if (held > 0) {
      stoppedBy = 'limit';
      limitOpensAt = (await limitsOpenAt(db, now).catch(() => null))?.toISOString() ?? null;
    }
  }
  const running = await countDrainCalls(db, { now: clock() }).catch(() => call.running);
  return { ...result, stoppedBy, limitOpensAt, running, maxParallel: call.maxParallel, fannedOut, handedOn };
}

/** The answer for a call refused because `maxParallel` calls are already at work. */
export function refusedDrainCall(call: RefusedCall) {
  return {
    stoppedBy: 'parallel_cap' as const,
    message: `${call.running} of ${call.maxParallel} process-queue calls are at work already; this one ran nothing`,
    running: call.running,
    maxParallel: call.maxParallel,
    rescued: 0,
    claimed: 0,
    counts: { completed: 0, retrying: 0, failed: 0, deferred: 0, lost: 0 },
    byType: {},
    elapsedMs: 0,
    jobs: [],
    jobsNotListed: 0,
    limitOpensAt: null,
    fannedOut: 0,
    handedOn: false,
  };
}
