import { sql } from 'drizzle-orm';
import { rows, sameRun, ts, writeHistory } from './sql';
import { toJob } from './rows';
import { assertJobId, explainMiss } from './guard';
import { MOVES } from './moves';
import type { Db, Job } from './types';

export interface DeferOptions {
  id: string;
  workerId: string;
  attempt: number;
  provider: string;
  retryAfterSec: number;
  now: Date;
  /** The claimed job's startedAt: only that claim's run may write this outcome (see Completion). */
  startedAt?: Date | null;
  /** Deferrals that hand the attempt back; past this, each one spends an attempt like a failure. */
  freeDeferrals?: number;
}

const DEFAULT_RETRY_AFTER_SEC = 60;
const GUARD = MOVES.defer.guard('j.status');

/**
 * When a job deferred for `retryAfterSec` runs again: a Retry-After that did not parse (an HTTP date
 * read as a number is NaN) waits the default, rather than failing the write and leaving the job leased;
 * at most a day.
 */
export function deferredUntil(retryAfterSec: number, now: Date): Date {
  const asked = Number.isFinite(retryAfterSec) ? retryAfterSec : DEFAULT_RETRY_AFTER_SEC;
  return new Date(now.getTime() + Math.min(Math.max(0, asked), 86_400) * 1000);
}

/**
 * A rate limit is not the job's fault: reschedule for when the provider allows and give the attempt
 * back, up to `freeDeferrals` times so a provider that never recovers still ends in `failed`.
 */
export async function deferJob(db: Db, opts: DeferOptions): Promise<Job> {
  assertJobId(opts.id);
  const free = opts.freeDeferrals ?? 20;
  const until = deferredUntil(opts.retryAfterSec, opts.now);
  const retrySec = (until.getTime() - opts.now.getTime()) / 1000;
  const message = `Rate limited by ${opts.provider}; retry after ${Math.round(retrySec)}s`;
  const spent = sql`(j.deferrals >= ${free})`;
  const giveUp = sql`(${spent} and j.attempts >= j.max_attempts)`;
  const [row] = await rows(
    db,
    sql`
    with changed as (
      update jobs j
      set status = case when ${giveUp} then 'failed'::job_status else 'pending'::job_status end,
          run_at = ${ts(until)},
          attempts = case when ${spent} then j.attempts else j.attempts - 1 end,
          deferrals = j.deferrals + 1,
          failed_providers = case when ${opts.provider} = any(j.failed_providers) then j.failed_providers
                                  else array_append(j.failed_providers, ${opts.provider}::text) end,
          completed_at = case when ${giveUp} then ${ts(opts.now)} end,
          last_error = ${message}, locked_by = null, locked_until = null, updated_at = ${ts(opts.now)}
      where j.id = ${opts.id} and ${GUARD} and j.locked_by = ${opts.workerId}
        and j.attempts = ${opts.attempt} ${sameRun(opts.startedAt)}
      returning j.*, 'processing'::job_status as from_status
    ),
    history as (${writeHistory(opts.now, sql`${opts.workerId}`, sql`${message}`)})
    select * from changed`,
  );
  if (!row) throw await explainMiss(db, opts.id, 'pending', opts.workerId);
  return toJob(row);
}
