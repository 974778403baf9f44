import { sql } from 'drizzle-orm';
import { rows, ts, uuidArray, writeHistory } from './sql';
import { toJob } from './rows';
import { assertJobId, explainMiss } from './guard';
import { sourcesOf } from './transitions';
import { QueueError, type Db, type Job, type JobStatus } from './types';

const inList = (statuses: JobStatus[]) => sql.raw(statuses.map((s) => `'${s}'`).join(', '));

/**
 * Moves one job along an edge of the transition table, writing history. The sources come from the
 * table, so an edge it does not list can never be taken here.
 */
async function moveJob(
  db: Db,
  opts: { id: string; to: JobStatus; now: Date; message?: string; actor?: string; only?: JobStatus[]; lastError?: string },
): Promise<Job> {
  assertJobId(opts.id);
  const from = sourcesOf(opts.to).filter((s) => !opts.only || opts.only.includes(s));
  const finishing = opts.to === 'cancelled';
  const [row] = await rows(
    db,
    sql`
    with target as (
      select id, status as from_status from jobs
      where id = ${opts.id} and status in (${inList(from)})
      for update
    ),
    changed as (
      update jobs j
      set status = ${opts.to}::job_status,
          locked_by = null, locked_until = null,
          completed_at = ${finishing ? ts(opts.now) : sql`null`},
          run_at = case when ${opts.to === 'pending'} then ${ts(opts.now)} else j.run_at end,
          last_error = ${opts.lastError === undefined ? sql`j.last_error` : sql`${opts.lastError}`},
          updated_at = ${ts(opts.now)}
      from target where j.id = target.id
      returning j.*, target.from_status
    ),
    history as (${writeHistory(opts.now, sql`${opts.actor ?? null}`, sql`${opts.message ?? null}`)})
    select * from changed`,
  );
  if (!row) throw await explainMiss(db, opts.id, opts.to);
  return toJob(row);
}

/**
 * A cancelled processing job keeps running in its worker, but its completion will be refused.
 * `reason` (at most 2,000 characters kept) becomes the job's lastError and the history message.
 */
export const cancelJob = (db: Db, opts: { id: string; now: Date; actor?: string; reason?: string }) =>
  moveJob(db, {
    id: opts.id, now: opts.now, actor: opts.actor, to: 'cancelled',
    message: opts.reason?.slice(0, 2000) ?? 'Cancelled', lastError: opts.reason?.slice(0, 2000),
  });

export const pauseJob = (db: Db, opts: { id: string; now: Date; actor?: string }) =>
  moveJob(db, { ...opts, to: 'paused', message: 'Paused' });

export async function resumeJob(db: Db, opts: { id: string; now: Date; actor?: string }): Promise<Job> {
  assertJobId(opts.id);
  const [current] = await rows(db, sql`select status from jobs where id = ${opts.id}`);
  if (current && current.status !== 'paused') {
    throw new QueueError('invalid_transition', `A ${String(current.status)} job is not paused`, { from: current.status });
  }
  // The read above words the usual refusal; `only` is the guarantee: a resume racing a claim (or a
  // cancel) must not take a running job's lease or revive a cancelled one.
  return moveJob(db, { ...opts, to: 'pending', message: 'Resumed', only: ['paused'] });
}

export async function cancelJobs(
  db: Db,
  opts: { ids: string[]; now: Date; actor?: string },
): Promise<string[]> {
  if (opts.ids.length === 0) return [];
  const done = await rows(
    db,
    sql`
    with target as (
      select id, status as from_status from jobs
      where id = any(${uuidArray(opts.ids)}) and status in (${inList(sourcesOf('cancelled'))})
      for update skip locked
    ),
    changed as (
      update jobs j set status = 'cancelled', locked_by = null, locked_until = null,
             completed_at = ${ts(opts.now)}, updated_at = ${ts(opts.now)}
      from target where j.id = target.id
      returning j.*, target.from_status
    ),
    history as (${writeHistory(opts.now, sql`${opts.actor ?? null}`, sql`'Cancelled'`)})
    select id from changed`,
  );
  return done.map((r) => String(r.id));
}

