import { sql } from 'drizzle-orm';
import { PENDING_LEVELS, rows, ts } from './sql';
import { parseTs } from './rows';
import { JOB_STATUSES, type Db, type JobStatus } from './types';

export type StatusCounts = Record<JobStatus, number>;

export interface QueueStats {
  generatedAt: Date;
  totals: StatusCounts;
  byQueue: Record<string, StatusCounts>;
  byType: Record<string, StatusCounts & { queue: string }>;
  /** One entry per minute of the last hour, oldest first, zero-filled. */
  throughput: { minute: Date; completed: number; failed: number }[];
  durations: { type: string; sample: number; avgMs: number; p95Ms: number }[];
  oldestPendingAgeMs: number;
  completedToday: number;
  failedToday: number;
  pausedQueues: string[];
}

export const emptyCounts = (): StatusCounts => Object.fromEntries(JOB_STATUSES.map((s) => [s, 0])) as StatusCounts;

// Past this many delta rows the counters are folded before the next read.
const COMPACT_THRESHOLD = 2000;

export interface JobCount {
  queue: string;
  type: string;
  status: JobStatus;
  /** May be 0 until the next compaction drops the key. */
  count: number;
}

/**
 * Rows by queue, type and status, from the trigger-maintained deltas. When they have piled up past
 * COMPACT_THRESHOLD, they are folded (compactStats) before the answer is returned.
 */
export async function countJobs(db: Db, opts: { now: Date }): Promise<JobCount[]> {
  const found = await rows(
    db,
    sql`select queue, type, status, sum(n)::bigint as n, count(*)::int as deltas
               from job_counts group by queue, type, status`,
  );
  const deltaRows = found.reduce((sum, r) => sum + Number(r.deltas), 0);
  if (deltaRows > COMPACT_THRESHOLD) await compactStats(db, opts);
  return found.map((r) => ({
    queue: String(r.queue),
    type: String(r.type),
    status: r.status as JobStatus,
    count: Number(r.n),
  }));
}

/**
 * Everything the dashboard shows, without touching more than a bounded slice of `jobs`: counts come
 * from trigger-maintained deltas, throughput from minute buckets, p95 from the newest 500 completions
 * per type (a partial index), and the oldest due job from one index probe per priority level.
 */
export async function getQueueStats(db: Db, opts: { now: Date }): Promise<QueueStats> {
  const now = opts.now;
  const hourAgo = new Date(now.getTime() - 3_600_000);
  const dayStart = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));

  const [counts, minutes, durations, oldest, paused] = await Promise.all([
    countJobs(db, { now }),
    rows(
      db,
      sql`select minute, sum(completed)::int as completed, sum(failed)::int as failed
                 from job_minute_stats where minute >= ${ts(dayStart < hourAgo ? dayStart : hourAgo)}
                 group by minute order by minute`,
    ),
    rows(
      db,
      sql`
      select t.type, count(*)::int as sample, avg(d.duration_ms)::float8 as avg_ms,
             percentile_cont(0.95) within group (order by d.duration_ms)::float8 as p95_ms
      from (select distinct type from job_counts) t
      cross join lateral (
        select duration_ms from jobs
        where status = 'completed' and type = t.type and duration_ms is not null
        order by completed_at desc limit 500) d
      group by t.type order by t.type`,
    ),
    // Skip-scans: priority levels of the jobs without a limit key (jobs_claim_idx), and keys, then levels
    // within each key (jobs_claim_key_idx); each level's first entry in claim order stands for its oldest
    // (exact for jobs without an owner; an owner's turn may put a newer job first).
    rows(
      db,
      sql`
      with recursive ${PENDING_LEVELS}
      select least(
        (select min((select j.run_at from jobs j where j.status = 'pending' and j.limit_key is null and j.priority = l.priority
                     order by coalesce(j.turn_at, j.run_at), j.id limit 1)) from levels l where l.priority is not null),
        (select min((select j.run_at from jobs j where j.status = 'pending' and j.limit_key = kl.k and j.priority = kl.priority
                     order by coalesce(j.turn_at, j.run_at), j.id limit 1)) from key_levels kl)) as oldest`,
    ),
    rows(db, sql`select name from queues where paused order by name`),
  ]);

  const totals = emptyCounts();
  const byQueue: QueueStats['byQueue'] = {};
  const byType: QueueStats['byType'] = {};
  for (const { queue, type, status, count } of counts) {
    totals[status] += count;
    (byQueue[queue] ??= emptyCounts())[status] += count;
    (byType[type] ??= { ...emptyCounts(), queue })[status] += count;
  }

  const perMinute = new Map(minutes.map((m) => [parseTs(m.minute).getTime(), m]));
  const firstMinute = Math.floor(hourAgo.getTime() / 60_000) * 60_000 + 60_000;
  const throughput = Array.from({ length: 60 }, (_, i) => {
    const t = firstMinute + i * 60_000;
    const m = perMinute.get(t);
    return { minute: new Date(t), completed: Number(m?.completed ?? 0), failed: Number(m?.failed ?? 0) };
  });
  let completedToday = 0;
  let failedToday = 0;
  for (const m of minutes) {
    if (parseTs(m.minute) >= dayStart) {
      completedToday += Number(m.completed);
      failedToday += Number(m.failed);
    }
  }
  const oldestRunAt = oldest[0]?.oldest ? parseTs(oldest[0].oldest) : null;

  return {
    generatedAt: now,
    totals,
    byQueue,
    byType,
    throughput,
    durations: durations.map((d) => ({
      type: String(d.type),
      sample: Number(d.sample),
      avgMs: Math.round(Number(d.avg_ms)),
      p95Ms: Math.round(Number(d.p95_ms)),
    })),
    oldestPendingAgeMs: oldestRunAt ? Math.max(0, now.getTime() - oldestRunAt.getTime()) : 0,
    completedToday,
    failedToday,
    pausedQueues: paused.map((p) => String(p.name)),
  };
}

/**
 * Folds counter deltas into one row per key and drops minute buckets older than two days. The advisory
 * lock keeps two compactions from folding the same rows; triggers only insert, so they never wait on it.
 */
export async function compactStats(db: Db, opts: { now: Date }): Promise<boolean> {
  const keep = new Date(opts.now.getTime() - 2 * 86_400_000);
  return db.transaction(async (tx) => {
    const [lock] = await rows(tx, sql`select pg_try_advisory_xact_lock(hashtext('steady.compact_stats')) as ok`);
    if (!lock.ok) return false;
    await rows(
      tx,
      sql`
      with folded as (delete from job_counts returning queue, type, status, n)
      insert into job_counts (queue, type, status, n)
      select queue, type, status, sum(n) from folded group by queue, type, status having sum(n) <> 0`,
    );
    await rows(tx, sql`delete from job_minute_stats where minute < ${ts(keep)}`);
    await rows(
      tx,
      sql`
      with folded as (delete from job_minute_stats returning minute, queue, type, completed, failed, duration_ms_sum)
      insert into job_minute_stats (minute, queue, type, completed, failed, duration_ms_sum)
      select minute, queue, type, sum(completed), sum(failed), sum(duration_ms_sum)
      from folded group by minute, queue, type`,
    );
    return true;
  });
}
