import { queryOptions } from '@tanstack/react-query';
import { apiFetch } from '@/lib/dashboard/client/api-client';
import { dashboardKeys } from '@/lib/dashboard/client/queries';
import type { QueueStatusDto } from './types';

/** While any task is pending or processing, the package's monitor polls about this often. */
export const POLL_TASKS_ACTIVE_MS = 10_000;

export const queueStatusQueryOptions = (userId?: string) =>
  queryOptions({
    // Under the dashboard's root key, so an action's invalidation of dashboardKeys.all reaches it.
    queryKey: [...dashboardKeys.all, 'queue-status', userId ?? null] as const,
    queryFn: ({ signal }) =>
      apiFetch<QueueStatusDto>(`/api/dashboard/queue-status${userId ? `?userId=${encodeURIComponent(userId)}` : ''}`, {
        signal,
      }),
  });
