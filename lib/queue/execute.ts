import { completeJobs, type Completion } from './complete';
import { failJob } from './fail';
import { deferJob, deferredUntil } from './defer';
import { updateJobProgress } from './progress';
import { listQueues } from './queues';
import { coolDown, coolingUntil, isLimitKey } from './limits';
import { DEFAULT_BACKOFF, type BackoffPolicy } from './backoff';
import { GroupCommit } from './group-commit';
import {
  JobTimeoutError,
  PermanentJobError,
  RateLimitedError,
  type HandlerContext,
  type JobType,
  type JobTypes,
} from './registry';
import { QueueError, type Db, type Job } from './types';
import { processMetrics } from './process-metrics';
import { endRunSpan, startRunSpan, withSpan } from './tracing';
import type { Span } from '@opentelemetry/api';

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

export interface Execution {
  /** Settles when the handler has returned or thrown: the job's slot is free again. */
  ran: Promise<void>;
  /** Settles when the outcome is written (completions are grouped, so this may come later). */
  outcome: Promise<JobOutcome>;
  /** Settles the run at once as failed with `reason`, even if the handler ignores its signal. */
  abort(reason: unknown): void;
}

export interface ExecutorOptions {
  workerId: string;
  clock: () => Date;
  signal?: AbortSignal;
}

// Retry policies are read when a job first fails, not before every batch: most batches never fail,
// and the read was one more round trip per cron call. Kept a minute, so an operator's change lands.
const POLICY_TTL_MS = 60_000;

// Timeouts are checked by one timer per executor rather than one per job: at thousands of jobs a
// second, a timer and an AbortController per job cost more than a no-op handler does.
const TICK_MS = 20;

// An odd number of backslashes before `u0000`: JSON's escape for U+0000, which jsonb refuses.
const NUL_ESCAPE = /(?:^|[^\\])(?:\\\\)*\\u0000/;

/** Why a handler's result cannot go into a jsonb column, or null when it can. */
function unstorableReason(result: unknown): string | null {
  let text: string | undefined;
  try {
    text = JSON.stringify(result);
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
  if (text !== undefined && text.includes('u0000') && NUL_ESCAPE.test(text))
    return 'it contains the NUL character (\\u0000)';
  return null;
}

function rateLimited(key: string, retryAfterSec = 60): never {
  throw new RateLimitedError(key, retryAfterSec);
}

class Run {
  controller: AbortController | undefined;
  reject!: (err: unknown) => void;
  constructor(
    readonly job: Job,
    readonly deadline: number,
    readonly limitMs: number,
    readonly outer: AbortSignal | undefined,
  ) {}

  /** Created on first use: most handlers never look at their signal. */
  get signal(): AbortSignal {
    if (!this.controller) {
      this.controller = new AbortController();
      if (this.outer?.aborted) this.controller.abort(this.outer.reason);
    }
    return this.controller.signal;
  }

  /** Settles the run at once as failed with `reason`, even if the handler ignores its signal. */
  abort(reason: unknown): void {
    this.controller?.abort(reason);
    this.reject(reason);
  }
}

// The functions below are made per job, and a worker makes thousands a second. tsx (which runs
// `npm run worker`) compiles with esbuild's keepNames, which gives every closure bound to a name an
// Object.defineProperty call to keep that name: three per job were 2 µs of a worker's ~25 µs a job.
// So they are built here and handed out unnamed.

function progressFor(db: Db, id: string, clock: () => Date, workerId: string): (step: string) => Promise<void> {
  return (step) => updateJobProgress(db, { id, now: clock(), progress: step.slice(0, 200), workerId }).then(() => {});
}

function outcomeOf(
  job: Job,
  startedAt: number,
  span: Span,
  extra: Partial<JobOutcome> & { outcome: Outcome },
): JobOutcome {
  const o: JobOutcome = {
    id: job.id,
    type: job.type,
    queue: job.queue,
    userId: job.userId,
    payload: job.payload,
    attempt: job.attempts,
    durationMs: Date.now() - startedAt,
    ...extra,
  };
  processMetrics.recordRun(job, o.outcome, o.durationMs);
  endRunSpan(span, o.outcome, o.error);
  return o;
}

/**
 * Runs handlers and writes their outcomes for runBatch and the continuous worker. Successes go through
 * one GroupCommit, so completions that finish together cost one statement; failures and deferrals are
 * rare and written one by one. `flush()` waits for every grouped completion.
 */
export function createExecutor(db: Db, types: JobTypes, opts: ExecutorOptions) {
  const { workerId, clock } = opts;
  const completer = new GroupCommit<Completion, boolean>(async (items) => {
    const done = new Set(await completeJobs(db, { workerId, now: clock(), items }));
    return items.map((i) => done.has(i.id));
  });
  const active = new Set<Run>();
  let ticker: NodeJS.Timeout | undefined;
  let policies: { at: number; byQueue: Promise<Map<string, BackoffPolicy>> } | undefined;
  const policyFor = async (queue: string): Promise<BackoffPolicy> => {
    if (!policies || Date.now() - policies.at > POLICY_TTL_MS) {
      policies = { at: Date.now(), byQueue: listQueues(db).then((qs) => new Map(qs.map((q) => [q.name, q.backoff]))) };
      policies.byQueue.catch(() => {
        policies = undefined;
      });
    }
    return (await policies.byQueue).get(queue) ?? DEFAULT_BACKOFF;
  };

  const tick = () => {
    const now = Date.now();
    for (const run of active) {
      if (run.deadline > now) continue;
      run.abort(new JobTimeoutError(run.limitMs));
    }
    if (active.size === 0) {
      clearInterval(ticker);
      ticker = undefined;
    }
  };
  opts.signal?.addEventListener(
    'abort',
    () => {
      for (const run of active) run.controller?.abort(opts.signal?.reason);
    },
    { once: true },
  );

  /** Stops every start under `key` until it allows again (deferredUntil: the same time a deferred job gets). */
  const coolKey = (key: string, retryAfterSec: number, cause: string, now: Date) =>
    coolDown(db, { key, until: deferredUntil(retryAfterSec, now), cause, now, actor: workerId });

  const settleFailure = async (job: Job, err: unknown): Promise<Partial<JobOutcome> & { outcome: Outcome }> => {
    const now = clock();
    try {
      if (err instanceof RateLimitedError) {
        // The whole key waits, not only this job: the next claim passes the key over until then.
        // rateLimited() from older handlers may name anything; only a name a limit can carry cools down.
        if (isLimitKey(err.provider)) await coolKey(err.provider, err.retryAfterSec, err.message, now);
        const j = await deferJob(db, {
          id: job.id,
          workerId,
          attempt: job.attempts,
          startedAt: job.startedAt,
          provider: err.provider,
          retryAfterSec: err.retryAfterSec,
          now,
        });
        return { outcome: j.status === 'failed' ? 'failed' : 'deferred', error: err.message, nextRunAt: j.runAt };
      }
      const message = err instanceof Error ? err.message : String(err);
      const policy = await policyFor(job.queue);
      const j = await failJob(db, {
        id: job.id,
        workerId,
        attempt: job.attempts,
        startedAt: job.startedAt,
        error: message,
        now,
        policy,
        permanent: err instanceof PermanentJobError,
      });
      return {
        outcome: j.status === 'failed' ? 'failed' : 'retrying',
        error: message,
        nextRunAt: j.status === 'pending' ? j.runAt : undefined,
      };
    } catch (settleErr) {
      if (settleErr instanceof QueueError) return { outcome: 'lost', error: settleErr.message };
      throw settleErr;
    }
  };

  const invoke = (run: Run, def: JobType | undefined): Promise<unknown> => {
    const { job } = run;
    if (!def?.handle) return Promise.reject(new PermanentJobError(`No handler for job type ${job.type}`));
    // Claimed before its key began to cool down (in a batch's lane, or a worker's buffer): it waits
    // with the others instead of spending a request the provider would refuse.
    if (job.limitKey !== null) {
      const key = job.limitKey;
      return coolingUntil(db, key, clock()).then((until) =>
        until
          ? Promise.reject(new RateLimitedError(key, Math.ceil((until.getTime() - clock().getTime()) / 1000)))
          : start(run, def),
      );
    }
    return start(run, def);
  };

  const start = (run: Run, def: JobType): Promise<unknown> => {
    const { job } = run;
    if (!def.handle) return Promise.reject(new PermanentJobError(`No handler for job type ${job.type}`));
    const parsed = def.payloadSchema.safeParse(job.payload);
    if (!parsed.success) {
      return Promise.reject(new PermanentJobError(`Invalid payload: ${parsed.error.issues[0]?.message ?? 'unknown'}`));
    }
    const ctx: HandlerContext<unknown> = {
      job,
      payload: parsed.data,
      db,
      get signal() {
        return run.signal;
      },
      progress: progressFor(db, job.id, clock, workerId),
      rateLimited,
      coolDown: async (key, retryAfterSec) => {
        if (!isLimitKey(key))
          throw new QueueError('invalid_input', `coolDown: "${String(key).slice(0, 60)}" is not a limit key`);
        await coolKey(key, retryAfterSec, `${key} said no request is left`, clock());
      },
    };
    try {
      return Promise.resolve(def.handle(ctx));
    } catch (err) {
      return Promise.reject(err);
    }
  };

  /** `timeoutMs` is the most this run may take: the type's own timeout is applied within it. */
  const execute = (job: Job, timeoutMs: number): Execution => {
    const def = types[job.type];
    const t0 = Date.now();
    const limitMs = Math.max(1, Math.min(def?.timeoutMs ?? 30_000, timeoutMs));
    const run = new Run(job, t0 + limitMs, limitMs, opts.signal);
    const span = startRunSpan(job);
    const handled = new Promise<unknown>((resolve, reject) => {
      run.reject = reject;
      // Only a recording span becomes the handler's context (for its HTTP calls' spans).
      (span.isRecording() ? withSpan(span, () => invoke(run, def)) : invoke(run, def)).then(resolve, reject);
    });
    active.add(run);
    ticker ??= setInterval(tick, TICK_MS);
    const outcome = handled.then(
      async (result) => {
        active.delete(run);
        // Checked alone, before it joins a grouped write that it would otherwise fail for every job in it.
        const unstorable = result == null ? null : unstorableReason(result);
        if (unstorable)
          return outcomeOf(
            job,
            t0,
            span,
            await settleFailure(job, new PermanentJobError(`Result cannot be stored: ${unstorable}`)),
          );
        const ok = await completer.add({
          id: job.id,
          attempt: job.attempts,
          startedAt: job.startedAt,
          result: result ?? null,
        });
        return outcomeOf(
          job,
          t0,
          span,
          ok ? { outcome: 'completed' } : { outcome: 'lost', error: 'Lease lost before completion' },
        );
      },
      async (err: unknown) => {
        active.delete(run);
        return outcomeOf(job, t0, span, await settleFailure(job, err));
      },
    );
    return {
      ran: handled.then(
        () => {},
        () => {},
      ),
      outcome,
      abort: run.abort.bind(run),
    };
  };

  return { execute, flush: () => completer.flush() };
}
