import { completeJob } from './complete';
import { deferJob } from './defer';
import { failJob } from './fail';
import { updateJobProgress } from './progress';
import type { BackoffPolicy } from './backoff';
import { JobTimeoutError, PermanentJobError, RateLimitedError, type JobType } from './registry';
import { QueueError, type Db, type Job } from './types';

/**
 * Runs one job that `workerId` has just claimed and writes its outcome with the engine's guarded
 * statements — the same steps as runBatch's per-job path (payload check, timeout inside the lease,
 * rate limits deferred, PermanentJobError failing at once), for QueueService.processJob, which runs
 * one named job rather than a batch. A guard that misses (lease lost, cancelled meanwhile) is not an
 * error of the handler: the row already says what happened.
 */
export async function guardedRun(
  db: Db,
  job: Job,
  def: JobType,
  opts: { workerId: string; leaseMs: number; clock: () => Date; policy: BackoffPolicy },
): Promise<void> {
  const { workerId, clock } = opts;
  const holder = { id: job.id, workerId, attempt: job.attempts };
  const timeoutMs = Math.max(250, Math.min(def.timeoutMs ?? 30_000, opts.leaseMs - 1_000));
  const ac = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  let result: unknown;
  try {
    if (!def.handle) throw new PermanentJobError(`No handler for job type ${job.type}`);
    const parsed = def.payloadSchema.safeParse(job.payload);
    if (!parsed.success) throw new PermanentJobError(`Invalid payload: ${parsed.error.issues[0]?.message ?? 'unknown'}`);
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const err = new JobTimeoutError(timeoutMs);
        ac.abort(err);
        reject(err);
      }, timeoutMs);
    });
    result = await Promise.race([
      def.handle({
        job,
        payload: parsed.data,
        db,
        signal: ac.signal,
        progress: async (step) => {
          await updateJobProgress(db, { id: job.id, now: clock(), progress: step.slice(0, 200), workerId });
        },
        rateLimited: (provider, retryAfterSec = 60) => {
          throw new RateLimitedError(provider, retryAfterSec);
        },
      }),
      timedOut,
    ]);
  } catch (err) {
    clearTimeout(timer);
    await settle(err).catch(lostGuard);
    return;
  }
  clearTimeout(timer);
  await completeJob(db, { ...holder, now: clock(), result: result ?? null }).catch(lostGuard);

  async function settle(err: unknown): Promise<void> {
    if (err instanceof RateLimitedError) {
      await deferJob(db, { ...holder, provider: err.provider, retryAfterSec: err.retryAfterSec, now: clock() });
      return;
    }
    await failJob(db, {
      ...holder,
      error: err instanceof Error ? err.message : String(err),
      now: clock(),
      policy: opts.policy,
      permanent: err instanceof PermanentJobError,
    });
  }
}

function lostGuard(err: unknown): void {
  if (!(err instanceof QueueError)) throw err;
}
