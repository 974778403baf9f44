import 'server-only';
import { getDueBacklog, getQueueLatency, getQueueStats, listJobs, listQueues, type Db } from '@/lib/queue';
import { toJobSummaryDto, toStatsDto } from './dto';
import type { StatsDto } from './client/types';

/** One read for the overview and the live monitor: engine stats plus the queues and a few recent jobs. */
export async function loadDashboardStats(db: Db, opts: { now: Date }): Promise<StatsDto> {
  const [stats, queues, processing, completed, failed, backlog, latency] = await Promise.all([
    getQueueStats(db, opts),
    listQueues(db),
    listJobs(db, { statuses: ['processing'] }, { limit: 20 }),
    listJobs(db, { statuses: ['completed'] }, { limit: 10 }),
    listJobs(db, { statuses: ['failed'] }, { limit: 10 }),
    getDueBacklog(db, opts),
    getQueueLatency(db),
  ]);
  const names = [...new Set([...backlog.byQueue.map((q) => q.queue), ...latency.map((l) => l.queue)])].sort();
  return toStatsDto(stats, {
    queues: queues.map((q) => ({ name: q.name, paused: q.paused })),
    processing: processing.items.map(toJobSummaryDto),
    recentCompleted: completed.items.map(toJobSummaryDto),
    recentFailed: failed.items.map(toJobSummaryDto),
    latency: names.map((queue) => {
      const due = backlog.byQueue.find((q) => q.queue === queue);
      const l = latency.find((x) => x.queue === queue);
      return {
        queue,
        oldestDueAgeMs: due ? Math.max(0, opts.now.getTime() - due.oldestDueAt.getTime()) : 0,
        pickupP50Ms: l ? l.pickupP50Ms : null,
        pickupP95Ms: l ? l.pickupP95Ms : null,
      };
    }),
  });
}
