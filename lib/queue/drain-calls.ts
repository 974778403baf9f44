import { sql, type SQL } from 'drizzle-orm';
import { PENDING_KEYS, rows, textArray, ts } from './sql';
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
 * Jobs a claim could take now (due, pending, in a queue that is not paused, of these types; a limit key's
 * jobs only as many as its limits let start now), and with `running`, also the ones leased and not yet
 * finished: the work the calls at work still have before them (`ignoreLimits`: every due job, whatever
 * holds it). Counted up to `cap` per part only:
 * enough to tell whether it outlasts them, without walking all of it. Keys are found by skip-scan.
 */
export async function countDueJobs(
  db: Db,
  opts: { now: Date; cap: number; types?: readonly string[]; running?: boolean; ignoreLimits?: boolean },
): Promise<number> {
  const types = opts.types ? textArray(opts.types) : sql`null::text[]`;
  const cap = Math.max(0, Math.floor(opts.cap));
  const now = ts(opts.now);
  const due = (key: SQL) => sql`
    select 1 from jobs j
    where j.status = 'pending' and ${key} and j.run_at <= ${now}
      and j.queue <> all (array(select name from queues where paused))
      and (${types} is null or j.type = any (${types}))
    limit ${cap}`;
  const [r] = await rows(
    db,
    sql`
    with recursive ${PENDING_KEYS},
    keyed as (
      select case when ${opts.ignoreLimits ?? false} then d.n else least(d.n, coalesce(c.room, d.n)) end as n
      from keys
      cross join lateral (select count(*)::int as n from (${due(sql`j.limit_key = keys.k`)}) x) d
      cross join lateral (
        select min(r.cap) as room
        from limits l cross join lateral steady_limit_room(l.key, ${now}, false) r
        where steady_limit_covers(l.key, null, keys.k)) c
      where keys.k is not null
    )
    select (select count(*)::int from (${due(sql`j.limit_key is null`)}) u)
         + (select coalesce(sum(n), 0)::int from keyed)
         + (select count(*)::int from (
              select 1 from jobs where ${opts.running ?? false} and status = 'processing' limit ${cap}) leased) as n`,
  );
  return Math.min(cap, Number(r.n));
}
