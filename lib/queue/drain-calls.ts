import { sql } from 'drizzle-orm';
import { rows, textArray, ts } from './sql';
import type { Db } from './types';

// Any fixed 64-bit key: the lock only orders drain-call admissions among themselves.
const ADMISSION_LOCK = sql`7531902468013579`;

export interface DrainCallAdmission {
  entered: boolean;
  /** Calls at work once this one entered (or, refused, the calls that filled every place). */
  running: number;
}

/**
 * Admits one drain call while fewer than `maxParallel` are at work, across every instance.
 * Exact under concurrency: a transaction-scoped advisory lock orders admissions, and the count runs
 * in a statement after the lock is held, so it sees every admission committed before it (a single
 * statement would count from a snapshot taken before it waited). Transaction-scoped, so it works
 * through a transaction-mode pooler. A call that never leaves (killed) counts until `holdMs` passes.
 */
export async function enterDrainCall(
  db: Db,
  opts: { callId: string; maxParallel: number; holdMs: number; now: Date },
): Promise<DrainCallAdmission> {
  const until = new Date(opts.now.getTime() + opts.holdMs);
  return db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(${ADMISSION_LOCK})`);
    const [r] = await rows(
      tx,
      sql`
      with gone as (delete from drain_calls where held_until <= ${ts(opts.now)} returning id),
      live as (select count(*)::int as n from drain_calls where held_until > ${ts(opts.now)}),
      added as (
        insert into drain_calls (id, started_at, held_until)
        select ${opts.callId}, ${ts(opts.now)}, ${ts(until)} from live where live.n < ${opts.maxParallel}
        returning id)
      select (select n from live) as running, (select count(*)::int from added) as entered`,
    );
    const entered = Number(r.entered) === 1;
    return { entered, running: Number(r.running) + (entered ? 1 : 0) };
  });
}

/** Gives the call's place back. */
export async function leaveDrainCall(db: Db, opts: { callId: string }): Promise<void> {
  await db.execute(sql`delete from drain_calls where id = ${opts.callId}`);
}

/** Drain calls at work now. */
export async function countDrainCalls(db: Db, opts: { now: Date }): Promise<number> {
  const [r] = await rows(db, sql`select count(*)::int as n from drain_calls where held_until > ${ts(opts.now)}`);
  return Number(r.n);
}

/**
 * Jobs a claim could take now (due, pending, in a queue that is not paused, of these types), and with
 * `running`, also the ones leased and not yet finished: the work the calls at work still have before
 * them. Counted up to `cap` only: enough to tell whether it outlasts them, without walking all of it.
 */
export async function countDueJobs(
  db: Db,
  opts: { now: Date; cap: number; types?: readonly string[]; running?: boolean },
): Promise<number> {
  const types = opts.types ? textArray(opts.types) : sql`null::text[]`;
  const cap = Math.max(0, Math.floor(opts.cap));
  const [r] = await rows(
    db,
    sql`
    select (select count(*)::int from (
              select 1 from jobs
              where status = 'pending' and run_at <= ${ts(opts.now)}
                and queue <> all (array(select name from queues where paused))
                and (${types} is null or type = any (${types}))
              limit ${cap}) due)
         + (select count(*)::int from (
              select 1 from jobs where ${opts.running ?? false} and status = 'processing' limit ${cap}) leased) as n`,
  );
  return Math.min(cap, Number(r.n));
}
