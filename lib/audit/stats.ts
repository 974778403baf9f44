import { sql } from 'drizzle-orm';
import { emptyCounts, getQueueStats, listQueues, type Db } from '@/lib/queue';
import { rows, textArray, ts } from '@/lib/queue/sql';
import { AUDIT_STATUSES, type AuditStatus } from './vocabulary';

// Per-queue sample sizes. Counts come from the engine's counters and are exact; these bound the reads
// that split waiting jobs into queued/retrying and average durations, whatever the table's size.
const WAITING_SAMPLE = 10_000;
const DURATION_SAMPLE = 500;
const RUNNING_SAMPLE = 1_000;

export interface StatusStats {
  count: number;
  avgDurationMs: number | null;
}
export type QueueStatusStats = Record<AuditStatus, StatusStats>;

export interface AuditQueueStats {
  generatedAt: string;
  /** The reference's Bull-side counters, from the same engine counts. */
  bull: { waiting: number; active: number; completed: number; failed: number };
  database: Record<string, QueueStatusStats>;
  /** Queues whose queued/retrying split was estimated from a sample (more waiting jobs than it holds). */
  estimated: string[];
}

/**
 * getQueueStats() in the reference's shape. avgDurationMs: completed and failed from duration_ms recorded
 * when the job finished (newest DURATION_SAMPLE per queue, by creation); processing is the time its
 * running jobs have taken so far; waiting jobs have none.
 */
export async function getAuditQueueStats(db: Db, now: Date, opts: { queues?: string[] } = {}): Promise<AuditQueueStats> {
  const [engine, configured] = await Promise.all([getQueueStats(db, { now }), listQueues(db)]);
  // Configured queues (the engine's, and the outside processors' from AUDIT_EXTERNAL_JOB_TYPES) appear
  // even while empty, as the reference lists each of its queues.
  const queues = [...new Set([...configured.map((q) => q.name), ...(opts.queues ?? []), ...Object.keys(engine.byQueue)])].sort();
  const [waiting, durations, running] = queues.length === 0 ? [[], [], []] : await Promise.all([
    rows(db, sql`
      select q.queue, count(s.*)::int as sampled, count(s.*) filter (where s.attempts > 0 or s.deferrals > 0)::int as retrying
      from unnest(${textArray(queues)}) as q(queue)
      left join lateral (
        select attempts, deferrals from jobs j
        where j.queue = q.queue and j.status in ('pending', 'paused') limit ${WAITING_SAMPLE}) s on true
      group by q.queue`),
    rows(db, sql`
      select q.queue, st.status, avg(d.duration_ms)::float8 as avg_ms
      from unnest(${textArray(queues)}) as q(queue)
      cross join (values ('completed'), ('failed')) as st(status)
      cross join lateral (
        select j.duration_ms from jobs j
        where j.queue = q.queue and j.status = st.status::job_status
        order by j.id desc limit ${DURATION_SAMPLE}) d
      group by q.queue, st.status`),
    rows(db, sql`
      select q.queue, avg(extract(epoch from (${ts(now)} - r.started_at)) * 1000)::float8 as avg_ms
      from unnest(${textArray(queues)}) as q(queue)
      cross join lateral (
        select j.started_at from jobs j
        where j.queue = q.queue and j.status = 'processing' limit ${RUNNING_SAMPLE}) r
      group by q.queue`),
  ]);
  const avg = (v: unknown) => (v === null || v === undefined ? null : Math.round(Number(v)));
  const database: Record<string, QueueStatusStats> = {};
  const estimated: string[] = [];
  for (const queue of queues) {
    const c = engine.byQueue[queue] ?? emptyCounts();
    const waitingTotal = c.pending + c.paused;
    const w = waiting.find((r) => r.queue === queue);
    const sampled = Number(w?.sampled ?? 0);
    const retryingSampled = Number(w?.retrying ?? 0);
    const retrying = sampled >= waitingTotal ? retryingSampled : Math.round((retryingSampled / Math.max(sampled, 1)) * waitingTotal);
    if (sampled < waitingTotal) estimated.push(queue);
    const dur = (status: string) => avg(durations.find((r) => r.queue === queue && r.status === status)?.avg_ms);
    const entry = Object.fromEntries(AUDIT_STATUSES.map((s) => [s, { count: 0, avgDurationMs: null }])) as QueueStatusStats;
    entry.queued = { count: waitingTotal - retrying, avgDurationMs: null };
    entry.retrying = { count: retrying, avgDurationMs: null };
    entry.processing = { count: c.processing, avgDurationMs: avg(running.find((r) => r.queue === queue)?.avg_ms) };
    entry.completed = { count: c.completed, avgDurationMs: dur('completed') };
    entry.failed = { count: c.failed + c.cancelled, avgDurationMs: dur('failed') };
    database[queue] = entry;
  }
  return {
    generatedAt: now.toISOString(),
    bull: {
      waiting: engine.totals.pending + engine.totals.paused,
      active: engine.totals.processing,
      completed: engine.totals.completed,
      failed: engine.totals.failed + engine.totals.cancelled,
    },
    database,
    estimated,
  };
}
