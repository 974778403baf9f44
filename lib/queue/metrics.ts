import { sql } from 'drizzle-orm';
import { PENDING_LEVELS, rows, ts } from './sql';
import { parseTs } from './rows';
import { countJobs } from './stats';
import { listLimits, type Limit } from './limits';
import { listQueues } from './queues';
import type { Db, JobStatus } from './types';

/**
 * What monitoring reads from the database: the same answer from every instance, whichever one runs
 * the jobs. Each read is bounded (counters, minute buckets, index walks of fixed length), so a scrape
 * every few seconds costs milliseconds at millions of rows.
 */
export interface QueueMetrics {
  generatedAt: Date;
  /** Rows by queue, type and status, from the trigger-maintained counters. */
  jobs: { queue: string; type: string; status: JobStatus; count: number }[];
  queues: { name: string; paused: boolean }[];
  due: DueBacklog;
  /** Completions and final failures since `since` (00:00 UTC of `now`): they reset there each day. */
  today: {
    since: Date;
    byType: { queue: string; type: string; completed: number; failed: number; durationMsSum: number }[];
  };
  latency: QueueLatency[];
  limits: LimitGauge[];
}

export interface DueBacklog {
  /** Due pending jobs' oldest run_at overall (see getDueBacklog), or null when nothing is due. */
  oldestDueAt: Date | null;
  /** Per queue: its oldest due job, where that job is among the first DUE_WALK due jobs of its level. */
  byQueue: { queue: string; oldestDueAt: Date }[];
}

/** Pickup (due → started) and run time of the newest completions per type, by queue. */
export interface QueueLatency {
  queue: string;
  sample: number;
  pickupP50Ms: number;
  pickupP95Ms: number;
  runP50Ms: number;
  runP95Ms: number;
}

/** A limit as monitoring reads it: listLimits without the count of waiting jobs. */
export type LimitGauge = Omit<Limit, 'waiting'>;

// How far the per-queue walk reads into each priority level (and each limit key's level) in due order.
// The overall oldest is exact whatever this is; a queue whose due jobs all wait behind this many older
// jobs of other queues at the same level is left out of byQueue (it is no older than those).
const DUE_WALK = 100;
// Newest completions per type that pickup and run percentiles are taken over (jobs_completed_idx).
const LATENCY_SAMPLE = 200;

/**
 * The oldest due pending job, overall and per queue. Priority levels (and limit keys, then their levels)
 * are found by skip-scan as in getQueueStats; within each, the claim index is read in its own order
 * (coalesce(turn_at, run_at): due time, or an owner's turn) for at most DUE_WALK rows, so a backlog of
 * any size costs the same. Jobs without an owner are in due order there, so for them the answer is
 * exact; owners' jobs are interleaved by turn, and the oldest of the first DUE_WALK turns is taken.
 */
export async function getDueBacklog(db: Db, opts: { now: Date }): Promise<DueBacklog> {
  const now = ts(opts.now);
  const found = await rows(
    db,
    sql`
    with recursive ${PENDING_LEVELS},
    heads as (
      select w.queue, w.run_at from levels l cross join lateral (
        select j.queue, j.run_at from jobs j
        where j.status = 'pending' and j.limit_key is null and j.priority = l.priority and coalesce(j.turn_at, j.run_at) <= ${now} and j.run_at <= ${now}
        order by coalesce(j.turn_at, j.run_at), j.id limit ${DUE_WALK}) w
      where l.priority is not null
      union all
      select w.queue, w.run_at from key_levels kl cross join lateral (
        select j.queue, j.run_at from jobs j
        where j.status = 'pending' and j.limit_key = kl.k and j.priority = kl.priority and coalesce(j.turn_at, j.run_at) <= ${now} and j.run_at <= ${now}
        order by coalesce(j.turn_at, j.run_at), j.id limit ${DUE_WALK}) w
    )
    select queue, min(run_at) as oldest from heads group by queue order by queue`,
  );
  const byQueue = found.map((r) => ({ queue: String(r.queue), oldestDueAt: parseTs(r.oldest) }));
  const oldest = byQueue.reduce<Date | null>((a, q) => (a === null || q.oldestDueAt < a ? q.oldestDueAt : a), null);
  return { oldestDueAt: oldest, byQueue };
}

/** Seconds since `at` became due, at `now` (0 when nothing is due). */
export const dueAgeSeconds = (at: Date | null, now: Date): number =>
  at === null ? 0 : Math.max(0, (now.getTime() - at.getTime()) / 1000);

/**
 * Pickup latency (started_at − run_at: how long a due job waited for a worker, for its last attempt)
 * and run time, p50 and p95 per queue over the newest LATENCY_SAMPLE completions of each type.
 */
export async function getQueueLatency(db: Db): Promise<QueueLatency[]> {
  const found = await rows(
    db,
    sql`
    select d.queue, count(*)::int as sample,
           percentile_cont(0.5) within group (order by d.pickup_ms)::float8 as pickup_p50,
           percentile_cont(0.95) within group (order by d.pickup_ms)::float8 as pickup_p95,
           percentile_cont(0.5) within group (order by d.duration_ms)::float8 as run_p50,
           percentile_cont(0.95) within group (order by d.duration_ms)::float8 as run_p95
    from (select distinct type from job_counts) t
    cross join lateral (
      select j.queue, greatest(0, extract(epoch from (j.started_at - j.run_at)) * 1000) as pickup_ms, j.duration_ms
      from jobs j
      where j.status = 'completed' and j.type = t.type and j.started_at is not null
      order by j.completed_at desc limit ${LATENCY_SAMPLE}) d
    group by d.queue order by d.queue`,
  );
  const ms = (v: unknown) => (v === null ? 0 : Math.round(Number(v)));
  return found.map((r) => ({
    queue: String(r.queue),
    sample: Number(r.sample),
    pickupP50Ms: ms(r.pickup_p50),
    pickupP95Ms: ms(r.pickup_p95),
    runP50Ms: ms(r.run_p50),
    runP95Ms: ms(r.run_p95),
  }));
}

/** Every limit with its cap, running jobs, tokens and cool-down now, as the Limits page reads them. */
export async function getLimitGauges(db: Db, opts: { now: Date }): Promise<LimitGauge[]> {
  return (await listLimits(db, { now: opts.now, waiting: false })).map(({ waiting: _, ...gauge }) => gauge);
}

/** Everything /api/metrics shows from the database, in six bounded reads run side by side. */
export async function getQueueMetrics(db: Db, opts: { now: Date }): Promise<QueueMetrics> {
  const now = opts.now;
  const since = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
  const [counts, queues, today, due, latency, limits] = await Promise.all([
    countJobs(db, { now }),
    listQueues(db),
    rows(
      db,
      sql`select queue, type, sum(completed)::bigint as completed, sum(failed)::bigint as failed,
                        sum(duration_ms_sum)::bigint as duration_ms_sum
                 from job_minute_stats where minute >= ${ts(since)} group by queue, type order by queue, type`,
    ),
    getDueBacklog(db, { now }),
    getQueueLatency(db),
    getLimitGauges(db, { now }),
  ]);
  return {
    generatedAt: now,
    jobs: counts.filter((c) => c.count !== 0),
    queues: queues.map((q) => ({ name: q.name, paused: q.paused })),
    due,
    today: {
      since,
      byType: today.map((r) => ({
        queue: String(r.queue),
        type: String(r.type),
        completed: Number(r.completed),
        failed: Number(r.failed),
        durationMsSum: Number(r.duration_ms_sum),
      })),
    },
    latency,
    limits,
  };
}
