import { inArray } from 'drizzle-orm';
import { jobs } from '@/drizzle/schema';
import { parseTs, type Db } from '@/lib/queue';
import type { TaskStatusDto, TaskStatusesDto } from './client/types';

export const MAX_TASK_IDS = 100;

/** The current state of the jobs a toast follows: one indexed read by primary key, no payloads. */
export async function getTaskStatuses(db: Db, ids: string[]): Promise<TaskStatusesDto> {
  if (ids.length === 0) return { tasks: [], missing: [] };
  const found = await db
    .select({
      id: jobs.id,
      type: jobs.type,
      queue: jobs.queue,
      status: jobs.status,
      stage: jobs.stage,
      progress: jobs.progress,
      attempts: jobs.attempts,
      maxAttempts: jobs.maxAttempts,
      lastError: jobs.lastError,
      runAt: jobs.runAt,
      updatedAt: jobs.updatedAt,
    })
    .from(jobs)
    .where(inArray(jobs.id, ids));
  const tasks: TaskStatusDto[] = found.map((r) => ({
    ...r,
    runAt: parseTs(r.runAt).toISOString(),
    updatedAt: parseTs(r.updatedAt).toISOString(),
  }));
  const seen = new Set(tasks.map((t) => t.id));
  return { tasks, missing: ids.filter((id) => !seen.has(id)) };
}
