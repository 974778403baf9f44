import { sql } from 'drizzle-orm';
import { rows, textArray, ts } from './sql';
import type { Db } from './types';

// Statistics the counters do not keep, each read from a bounded sample per queue: whatever the
// table's size, a call reads at most `limit` rows of each queue asked for (one LIMITed lateral walk
// of jobs_browse_queue_idx, the claim index or the lease index per queue).

/** Completions of `type` since `since`, to the minute, from the counters (never a scan of jobs). */
export async function countCompletedSince(db: Db, q: { type: string; since: Date }): Promise<number> {
  const [r] = await rows(
    db,
    sql`select coalesce(sum(completed), 0)::int as n from job_minute_stats
        where type = ${q.type} and minute >= ${ts(q.since)}`,
  );
  return Number(r.n);
}

const numOrNull = (v: unknown) => (v === null || v === undefined ? null : Number(v));

export interface WaitingSample {
  queue: string;
  /** Waiting (pending or paused) jobs read, at most the limit. */
  sampled: number;
  /** Of those, the ones that ran or were deferred before: waiting for a retry. */
  retrying: number;
}

/** Up to `limit` waiting jobs of each queue, split into first tries and retries. Every queue asked for is answered. */
export async function sampleWaitingJobs(
  db: Db,
  q: { queues: readonly string[]; limit: number },
): Promise<WaitingSample[]> {
  if (q.queues.length === 0) return [];
  const found = await rows(
    db,
    sql`select q.queue, count(s.*)::int as sampled, count(s.*) filter (where s.attempts > 0 or s.deferrals > 0)::int as retrying
        from unnest(${textArray(q.queues)}) as q(queue)
        left join lateral (
          select attempts, deferrals from jobs j
          where j.queue = q.queue and j.status in ('pending', 'paused') limit ${q.limit}) s on true
        group by q.queue`,
  );
  return found.map((r) => ({ queue: String(r.queue), sampled: Number(r.sampled), retrying: Number(r.retrying) }));
}

export interface DurationSample {
  queue: string;
  status: 'completed' | 'failed';
  /** Mean duration_ms of the sample; null when none of its jobs recorded one. */
  avgMs: number | null;
}

/** The mean run time of each queue's newest `limit` completed and newest `limit` failed jobs. Queues with none are left out. */
export async function sampleFinishedDurations(
  db: Db,
  q: { queues: readonly string[]; limit: number },
): Promise<DurationSample[]> {
  if (q.queues.length === 0) return [];
  const found = await rows(
    db,
    sql`select q.queue, st.status, avg(d.duration_ms)::float8 as avg_ms
        from unnest(${textArray(q.queues)}) as q(queue)
        cross join (values ('completed'), ('failed')) as st(status)
        cross join lateral (
          select j.duration_ms from jobs j
          where j.queue = q.queue and j.status = st.status::job_status
          order by j.id desc limit ${q.limit}) d
        group by q.queue, st.status`,
  );
  return found.map((r) => ({
    queue: String(r.queue),
    status: r.status as DurationSample['status'],
    avgMs: numOrNull(r.avg_ms),
  }));
}

export interface RunningSample {
  queue: string;
  /** Mean time the sampled running jobs have run so far at `now`. */
  avgMs: number | null;
}

/** How long up to `limit` running jobs of each queue have been running at `now`. Queues with none are left out. */
export async function sampleRunningTimes(
  db: Db,
  q: { queues: readonly string[]; limit: number; now: Date },
): Promise<RunningSample[]> {
  if (q.queues.length === 0) return [];
  const found = await rows(
    db,
    sql`select q.queue, avg(extract(epoch from (${ts(q.now)} - r.started_at)) * 1000)::float8 as avg_ms
        from unnest(${textArray(q.queues)}) as q(queue)
        cross join lateral (
          select j.started_at from jobs j
          where j.queue = q.queue and j.status = 'processing' limit ${q.limit}) r
        group by q.queue`,
  );
  return found.map((r) => ({ queue: String(r.queue), avgMs: numOrNull(r.avg_ms) }));
}
