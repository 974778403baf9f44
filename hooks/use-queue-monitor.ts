'use client';

import { useQuery } from '@tanstack/react-query';
import { useContext } from 'react';
import { QueueActivityContext } from '@/components/queue/queue-activity-provider';
import { POLL_ACTIVE_MS, POLL_IDLE_MS, statsQueryOptions } from '@/lib/dashboard/queries';
import type { StatsDto, StatusCountsDto } from '@/lib/dashboard/types';

const isBusy = (s: StatsDto | undefined) => !!s && s.totals.pending + s.totals.processing > 0;

/**
 * Live queue state for any dashboard component. Polls about every 2 s while anything is pending or
 * processing (or an action was just taken), every 20 s when the queue is idle, and not at all while the
 * tab is hidden (TanStack Query skips interval refetches in the background). Every caller shares one
 * cached query, so several components on a page cost one request per tick.
 */
export function useQueueMonitor(opts: { initialStats?: StatsDto } = {}) {
  const activity = useContext(QueueActivityContext);
  if (!activity) throw new Error('useQueueMonitor must be used inside <QueueActivityProvider>');
  const boosting = activity.boosting;
  const stats = useQuery({
    ...statsQueryOptions(),
    initialData: opts.initialStats,
    // Server-rendered numbers are fresh; refetch on the normal schedule, not at once.
    initialDataUpdatedAt: opts.initialStats ? Date.parse(opts.initialStats.generatedAt) : undefined,
    refetchInterval: (q) => (boosting || isBusy(q.state.data) ? POLL_ACTIVE_MS : POLL_IDLE_MS),
  });
  const data = stats.data;
  const processingTasks = data?.processing ?? [];
  return {
    stats: data,
    counts: data?.totals as StatusCountsDto | undefined,
    processingTasks,
    completedTasks: data?.recentCompleted ?? [],
    failedTasks: data?.recentFailed ?? [],
    hasProcessingTasks: (data?.totals.processing ?? 0) > 0,
    processingCount: data?.totals.processing ?? 0,
    isActive: boosting || isBusy(data),
    taskStatuses: activity.statuses,
    startMonitoring: activity.startMonitoring,
    isLoading: stats.isPending,
    isFetching: stats.isFetching,
    error: stats.error,
    refetch: stats.refetch,
  };
}
