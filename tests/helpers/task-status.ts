import type { TaskStatusDto } from '@/lib/dashboard/client/types';
import type { JobStatus } from '@/lib/queue/browser';

/** A task as the dashboard's status endpoint returns it: a sync job in `status`, with `extra` on top. */
export const task = (id: string, status: JobStatus, extra: Partial<TaskStatusDto> = {}): TaskStatusDto => ({
  id,
  type: 'sync.platform',
  queue: 'sync',
  status,
  stage: null,
  progress: null,
  attempts: status === 'pending' ? 0 : 1,
  maxAttempts: 3,
  lastError: null,
  runAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
  ...extra,
});
