import 'server-only';
import { getJobStates, type Db } from '@/lib/queue';
import type { TaskStatusDto, TaskStatusesDto } from './client/types';

export const MAX_TASK_IDS = 100;

/** The current state of the jobs a toast follows: one indexed read by primary key, no payloads. */
export async function getTaskStatuses(db: Db, ids: string[]): Promise<TaskStatusesDto> {
  if (ids.length === 0) return { tasks: [], missing: [] };
  const tasks: TaskStatusDto[] = (await getJobStates(db, ids)).map((s) => ({
    ...s,
    runAt: s.runAt.toISOString(),
    updatedAt: s.updatedAt.toISOString(),
  }));
  const seen = new Set(tasks.map((t) => t.id));
  return { tasks, missing: ids.filter((id) => !seen.has(id)) };
}
