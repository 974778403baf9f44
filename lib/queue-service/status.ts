import 'server-only';
import { listJobs, type Db, type JobStatus } from '@/lib/queue';
import { toTask } from './service';
import type { QueueStatusDto, QueueTaskDto } from './client/types';

/** Each list is the newest this many tasks. */
export const STATUS_LIST_LIMIT = 50;

const toDto = (t: ReturnType<typeof toTask>): QueueTaskDto =>
  ({
    ...t,
    scheduledFor: t.scheduledFor?.toISOString() ?? null,
    processedAt: t.processedAt?.toISOString() ?? null,
    createdAt: t.createdAt.toISOString(),
    updatedAt: t.updatedAt.toISOString(),
    errorPatterns: undefined,
  }) as QueueTaskDto;

/**
 * The reference's getQueueStatus: one user's active tasks (pending and processing), recently
 * completed and failed ones, newest first, in the queue package's words. Without `userId`, everyone's.
 * FAILED tasks waiting for their retry are listed as failed, as the package's status says.
 */
export async function getQueueStatus(db: Db, opts: { userId?: string; limit?: number } = {}): Promise<QueueStatusDto> {
  const limit = opts.limit ?? STATUS_LIST_LIMIT;
  const read = async (statuses: JobStatus[]) =>
    (await listJobs(db, { statuses, userId: opts.userId }, { limit })).items.map((j) => toDto(toTask(j)));
  const [waiting, processingTasks, completedTasks, failed] = await Promise.all([
    read(['pending', 'paused']),
    read(['processing']),
    read(['completed']),
    read(['failed', 'cancelled']),
  ]);
  return {
    pendingTasks: waiting.filter((t) => t.status === 'PENDING'),
    processingTasks,
    completedTasks,
    failedTasks: [...waiting.filter((t) => t.status !== 'PENDING'), ...failed],
  };
}
