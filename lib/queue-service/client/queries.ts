import { queryOptions } from '@tanstack/react-query';
import { apiFetch } from '@/lib/dashboard/client/api-client';
import type { QueueStatusDto } from './types';

/** While any task is pending or processing, the package's monitor polls about this often. */
export const POLL_TASKS_ACTIVE_MS = 10_000;

export const queueStatusQueryOptions = (userId?: string) =>
  queryOptions({
    queryKey: ['dashboard', 'queue-status', userId ?? null] as const,
    queryFn: ({ signal }) =>
      apiFetch<QueueStatusDto>(`/api/dashboard/queue-status${userId ? `?userId=${encodeURIComponent(userId)}` : ''}`, {
        signal,
      }),
  });
