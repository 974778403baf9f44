import { getQueueStats, listJobs, listQueues, type Db } from '@/lib/queue';
import { toJobSummaryDto, toStatsDto } from './dto';
import type { StatsDto } from './types';

/** One read for the overview and the live monitor: engine stats plus the queues and a few recent jobs. */
export async function loadDashboardStats(db: Db, opts: { now: Date }): Promise<StatsDto> {
  const [stats, queues, processing, completed, failed] = await Promise.all([
    getQueueStats(db, opts),
    listQueues(db),
    listJobs(db, { statuses: ['processing'] }, { limit: 20 }),
    listJobs(db, { statuses: ['completed'] }, { limit: 10 }),
    listJobs(db, { statuses: ['failed'] }, { limit: 10 }),
  ]);
  return toStatsDto(stats, {
    queues: queues.map((q) => ({ name: q.name, paused: q.paused })),
    processing: processing.items.map(toJobSummaryDto),
    recentCompleted: completed.items.map(toJobSummaryDto),
    recentFailed: failed.items.map(toJobSummaryDto),
  });
}
