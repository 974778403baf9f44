'use client';

import { useQuery } from '@tanstack/react-query';
import { useCallback, useContext, useMemo } from 'react';
import { QueueActivityContext } from './use-queue-activity';
import { POLL_ACTIVE_MS, statsQueryOptions } from '@/lib/dashboard/client/queries';
import type { StatsDto, StatusCountsDto } from '@/lib/dashboard/client/types';
import { POLL_TASKS_ACTIVE_MS, queueStatusQueryOptions } from '@/lib/queue-service/client/queries';
import { toQueueStatus, type QueueStatus, type QueueTaskDto } from '@/lib/queue-service/client/types';

const isBusy = (s: StatsDto | undefined) => !!s && s.totals.pending + s.totals.processing > 0;
const NO_TASKS: QueueTaskDto[] = [];

export interface QueueMonitorOptions {
  initialStats?: StatsDto;
  /** Only this user's tasks in the package's task lists (the package's per-session getQueueStatus). */
  userId?: string;
  /**
   * How often to poll while nothing is pending or processing. Default false: stop, as the queue package
   * does, until startMonitoring() or a dashboard action. The dashboard passes 20 s, so work that
   * cron starts still shows up.
   */
  idlePollMs?: number | false;
  /** Fetch the package's task lists (default true); dashboard views that only draw the stats skip them. */
  tasks?: boolean;
}

/**
 * Live queue state, in the queue package's words and shapes (useQueueMonitor of queue-package.md):
 * `processingTasks`, `completedTasks`, `failedTasks` (and `pendingTasks`) are QueueTasks with the
 * package's statuses, `data` and priority (higher runs first); `taskStatuses` maps a task id to its
 * status. Polls about every 10 s while tasks are pending or processing (every 2 s while the dashboard's
 * toasts follow unfinished jobs), stops when none are (startMonitoring() asks again), and not at all while the tab is hidden. Steady adds the
 * queue-wide `stats` and `counts`. Works inside the dashboard's QueueActivityProvider or without it.
 */
export function useQueueMonitor(opts: QueueMonitorOptions = {}) {
  const activity = useContext(QueueActivityContext);
  // Just after a dashboard action (the provider's toasts are following unfinished jobs): poll fast.
  const boosting = activity?.boosting ?? false;
  const idle = opts.idlePollMs ?? false;
  const wantTasks = opts.tasks !== false;
  // The dashboard's stats views (tasks: false) refresh every 2 s while work is in progress; the package's
  // monitor about every 10 s.
  const activeMs = wantTasks ? POLL_TASKS_ACTIVE_MS : POLL_ACTIVE_MS;

  const stats = useQuery({
    ...statsQueryOptions(),
    initialData: opts.initialStats,
    // Server-rendered numbers are fresh; refetch on the normal schedule, not at once.
    initialDataUpdatedAt: opts.initialStats ? Date.parse(opts.initialStats.generatedAt) : undefined,
    refetchInterval: (q) => (boosting ? POLL_ACTIVE_MS : isBusy(q.state.data) ? activeMs : idle),
  });
  const lists = useQuery({
    ...queueStatusQueryOptions(opts.userId),
    enabled: wantTasks,
    refetchInterval: (q) => {
      const d = q.state.data;
      const active = !!d && d.pendingTasks.length + d.processingTasks.length > 0;
      return boosting ? POLL_ACTIVE_MS : active ? POLL_TASKS_ACTIVE_MS : false;
    },
  });

  // Asks now; the answer decides whether polling goes on (tasks active) or stops (none).
  const { refetch: refetchLists } = lists;
  const { refetch: refetchStats } = stats;
  const startMonitoring = useCallback(() => {
    if (wantTasks) void refetchLists();
    void refetchStats();
  }, [wantTasks, refetchLists, refetchStats]);

  const data = stats.data;
  const l = lists.data;
  const pendingTasks = l?.pendingTasks ?? NO_TASKS;
  const processingTasks = l?.processingTasks ?? NO_TASKS;
  const completedTasks = l?.completedTasks ?? NO_TASKS;
  const failedTasks = l?.failedTasks ?? NO_TASKS;
  const followed = activity?.statuses;
  const taskStatuses = useMemo(() => {
    const out: Record<string, QueueStatus> = {};
    for (const t of Object.values(followed ?? {})) out[t.id] = toQueueStatus(t);
    for (const list of [pendingTasks, processingTasks, completedTasks, failedTasks])
      for (const t of list) out[t.id] = t.status;
    return out;
  }, [followed, pendingTasks, processingTasks, completedTasks, failedTasks]);

  const processingCount = wantTasks && (l || opts.userId) ? processingTasks.length : (data?.totals.processing ?? 0);
  return {
    // The package's names
    hasProcessingTasks: processingCount > 0,
    processingCount,
    processingTasks,
    completedTasks,
    failedTasks,
    pendingTasks,
    startMonitoring,
    taskStatuses,
    // Steady's additions
    stats: data,
    counts: data?.totals as StatusCountsDto | undefined,
    isActive: boosting || isBusy(data) || pendingTasks.length + processingTasks.length > 0,
    isLoading: stats.isPending,
    isFetching: stats.isFetching || lists.isFetching,
    error: stats.error ?? lists.error,
    refetch: stats.refetch,
  };
}
