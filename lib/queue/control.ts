import { sql } from 'drizzle-orm';
import { rows, ts, uuidArray, writeHistory } from './sql';
import { toJob } from './rows';
import { assertJobId, explainMiss } from './guard';
import { MOVES, type Move } from './moves';
import { QueueError, type Db, type Job } from './types';

/**
 * Moves one job along an edge of the transition table, writing history. The sources come from the
 * table (moves.ts), so an edge it does not list can never be taken here.
 */
async function moveJob(
  db: Db,
  opts: { id: string; move: Move; now: Date; message?: string; actor?: string; lastError?: string },
): Promise<Job> {
  assertJobId(opts.id);
  const to = opts.move.to[0];
  const finishing = to === 'cancelled';
  const [row] = await rows(
    db,
    sql`
    with target as (
      select id, status as from_status from jobs
      where id = ${opts.id} and ${opts.move.guard('status')}
      for update
    ),
    changed as (
      update jobs j
      set status = ${to}::job_status,
          locked_by = null, locked_until = null,
          completed_at = ${finishing ? ts(opts.now) : sql`null`},
          run_at = case when ${to === 'pending'} then ${ts(opts.now)} else j.run_at end,
          last_error = ${opts.lastError === undefined ? sql`j.last_error` : sql`${opts.lastError}`},
          updated_at = ${ts(opts.now)}
      from target where j.id = target.id
      returning j.*, target.from_status
    ),
    history as (${writeHistory(opts.now, sql`${opts.actor ?? null}`, sql`${opts.message ?? null}`)})
    select * from changed`,
  );
  if (!row) throw await explainMiss(db, opts.id, to);
  return toJob(row);
}

/**
 * A cancelled processing job keeps running in its worker, but its completion will be refused.
 * `reason` (at most 2,000 characters kept) becomes the job's lastError and the history message.
 */
export const cancelJob = (db: Db, opts: { id: string; now: Date; actor?: string; reason?: string }) =>
  moveJob(db, {
    id: opts.id,
    now: opts.now,
    actor: opts.actor,
    move: MOVES.cancel,
    message: opts.reason?.slice(0, 2000) ?? 'Cancelled',
    lastError: opts.reason?.slice(0, 2000),
  });

export const pauseJob = (db: Db, opts: { id: string; now: Date; actor?: string }) =>
  moveJob(db, { ...opts, move: MOVES.pause, message: 'Paused' });

export async function resumeJob(db: Db, opts: { id: string; now: Date; actor?: string }): Promise<Job> {
  assertJobId(opts.id);
  const [current] = await rows(db, sql`select status from jobs where id = ${opts.id}`);
  if (current && current.status !== 'paused') {
    throw new QueueError('invalid_transition', `A ${String(current.status)} job is not paused`, {
      from: current.status,
    });
  }
  // The read above words the usual refusal; the move's guard (paused only) is the guarantee: a resume
  // racing a claim (or a cancel) must not take a running job's lease or revive a cancelled one.
  return moveJob(db, { ...opts, move: MOVES.resume, message: 'Resumed' });
}

export async function cancelJobs(db: Db, opts: { ids: string[]; now: Date; actor?: string }): Promise<string[]> {
  if (opts.ids.length === 0) return [];
  const done = await rows(
    db,
    sql`
    with target as (
      select id, status as from_status from jobs
      where id = any(${uuidArray(opts.ids)}) and ${MOVES.cancel.guard('status')}
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
