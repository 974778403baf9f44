import 'server-only';
import {
  emptyCounts,
  getQueueStats,
  listQueues,
  sampleFinishedDurations,
  sampleRunningTimes,
  sampleWaitingJobs,
  type Db,
} from '@/lib/queue';
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
export async function getAuditQueueStats(
  db: Db,
  now: Date,
  opts: { queues?: string[] } = {},
): Promise<AuditQueueStats> {
  const [engine, configured] = await Promise.all([getQueueStats(db, { now }), listQueues(db)]);
  // Configured queues (the engine's, and the outside processors' from AUDIT_EXTERNAL_JOB_TYPES) appear
  // even while empty, as the reference lists each of its queues.
  const queues = [
    ...new Set([...configured.map((q) => q.name), ...(opts.queues ?? []), ...Object.keys(engine.byQueue)]),
  ].sort();
  const [waiting, durations, running] = await Promise.all([
    sampleWaitingJobs(db, { queues, limit: WAITING_SAMPLE }),
    sampleFinishedDurations(db, { queues, limit: DURATION_SAMPLE }),
    sampleRunningTimes(db, { queues, limit: RUNNING_SAMPLE, now }),
  ]);
  const avg = (ms: number | null | undefined) => (ms === null || ms === undefined ? null : Math.round(ms));
  const database: Record<string, QueueStatusStats> = {};
  const estimated: string[] = [];
  for (const queue of queues) {
    const c = engine.byQueue[queue] ?? emptyCounts();
    const waitingTotal = c.pending + c.paused;
    const w = waiting.find((r) => r.queue === queue);
    const sampled = w?.sampled ?? 0;
    const retryingSampled = w?.retrying ?? 0;
    const retrying =
      sampled >= waitingTotal ? retryingSampled : Math.round((retryingSampled / Math.max(sampled, 1)) * waitingTotal);
    if (sampled < waitingTotal) estimated.push(queue);
    const dur = (status: 'completed' | 'failed') =>
      avg(durations.find((r) => r.queue === queue && r.status === status)?.avgMs);
    const entry = Object.fromEntries(
      AUDIT_STATUSES.map((s) => [s, { count: 0, avgDurationMs: null }]),
    ) as QueueStatusStats;
    entry.queued = { count: waitingTotal - retrying, avgDurationMs: null };
    entry.retrying = { count: retrying, avgDurationMs: null };
    entry.processing = { count: c.processing, avgDurationMs: avg(running.find((r) => r.queue === queue)?.avgMs) };
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
