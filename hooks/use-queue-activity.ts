'use client';

import { useQuery, useQueryClient } from '@tanstack/react-query';
import { createContext, useCallback, useEffect, useLayoutEffect, useMemo, useReducer, useRef, useState } from 'react';
import { toast } from 'sonner';
import { postJson } from '@/lib/dashboard/client/api-client';
import {
  POLL_TASKS_MS,
  dashboardKeys,
  statsQueryOptions,
  taskStatusesQueryOptions,
} from '@/lib/dashboard/client/queries';
import {
  INITIAL_ACTIVITY,
  activeJobIds,
  activityReducer,
  planToast,
  pollNote,
  progressOf,
  toastSignature,
  toastView,
  type ShowToastInput,
} from '@/lib/dashboard/client/queue-activity';
import type { TaskProgress } from '@/lib/dashboard/client/task-progress';
import { loadGroups, saveGroups, type TrackedGroup } from '@/lib/dashboard/client/tracked-groups';
import type { EnqueuedDto, TaskStatusDto } from '@/lib/dashboard/client/types';

export type { ShowToastInput };

const COMPLETED_TOAST_MS = 4_000;
/** After an action, poll quickly for this long even if the stats have not caught up yet. */
const BOOST_MS = 30_000;

export interface QueueActivity {
  statuses: Readonly<Record<string, TaskStatusDto>>;
  groups: readonly TrackedGroup[];
  progress: Readonly<Record<string, TaskProgress>>;
  boosting: boolean;
  startMonitoring: () => void;
  showToast: (input: ShowToastInput) => string;
  dismissToast: (id: string) => void;
  clearCompletedTasks: () => void;
  getActiveToastIds: () => string[];
}

/** Null outside the dashboard: the hooks that read it then work on their own. */
export const QueueActivityContext = createContext<QueueActivity | null>(null);

/** One toast as it should look now; equal signatures look the same. */
export interface ActivityToast {
  group: TrackedGroup;
  progress: TaskProgress;
  signature: string;
}

/**
 * Follows the jobs that dashboard actions started: the state (a pure reducer,
 * lib/dashboard/client/queue-activity.ts), the status polling, the faster polling after an action,
 * sessionStorage, and the timers that close completed toasts. QueueActivityProvider draws the toasts
 * it lists and passes `activity` down as the context.
 */
export function useQueueActivityState() {
  const queryClient = useQueryClient();
  const [state, dispatch] = useReducer(activityReducer, INITIAL_ACTIVITY);
  const { groups, statuses } = state;
  const [boostUntil, setBoostUntil] = useState(0);
  const dismissTimers = useRef(new Map<string, ReturnType<typeof setTimeout>>());

  const loaded = useRef(false);
  useEffect(() => {
    if (loaded.current) return;
    loaded.current = true;
    dispatch({ type: 'restored', groups: loadGroups() });
  }, []);
  useEffect(() => {
    if (loaded.current) saveGroups(groups);
  }, [groups]);

  useEffect(() => {
    if (boostUntil === 0) return;
    const t = setTimeout(() => setBoostUntil(0), Math.max(0, boostUntil - Date.now()));
    return () => clearTimeout(t);
  }, [boostUntil]);

  const pausedQueues = useQuery({
    ...statsQueryOptions(),
    select: (s) => new Set(s.queues.filter((q) => q.paused).map((q) => q.name)),
  }).data;
  const progress = useMemo(() => progressOf(state, pausedQueues), [state, pausedQueues]);
  const activeIds = useMemo(() => activeJobIds(groups, progress), [groups, progress]);
  const tasks = useQuery({ ...taskStatusesQueryOptions(activeIds), refetchInterval: POLL_TASKS_MS });

  useEffect(() => {
    // Placeholder data is the answer for another set of jobs (kept while the new set loads).
    if (!tasks.data || tasks.isPlaceholderData) return;
    dispatch({ type: 'polled', tasks: tasks.data.tasks, missing: tasks.data.missing });
  }, [tasks.data, tasks.isPlaceholderData]);

  const removeGroup = useCallback((id: string) => {
    clearTimeout(dismissTimers.current.get(id));
    dismissTimers.current.delete(id);
    dispatch({ type: 'removed', id });
  }, []);

  const dismissToast = useCallback(
    (id: string) => {
      toast.dismiss(id);
      removeGroup(id);
    },
    [removeGroup],
  );

  // Faster polling for a while. What an action changed, its caller invalidates (each action knows
  // which lists it touched); doing it here as well fetched the same stats and lists twice.
  const startMonitoring = useCallback(() => {
    setBoostUntil(Date.now() + BOOST_MS);
  }, []);

  // Read through a ref so showToast keeps one identity: the queue package calls it from an effect that
  // lists it as a dependency, and a new function on every change would run that effect forever. A
  // layout effect, so the ref is current before any page's own effects call showToast.
  const groupsRef = useRef(groups);
  useLayoutEffect(() => {
    groupsRef.current = groups;
  }, [groups]);

  const showToast = useCallback(
    (input: ShowToastInput) => {
      const { group, seeded, repeat } = planToast(groupsRef.current, input, Date.now());
      if (repeat) return group.id;
      // A cached answer for the same set of jobs holds a restarted job's previous run.
      queryClient.removeQueries({ queryKey: [...dashboardKeys.all, 'tasks'] });
      clearTimeout(dismissTimers.current.get(group.id));
      dismissTimers.current.delete(group.id);
      dispatch({ type: 'tracked', group, seeded });
      startMonitoring();
      return group.id;
    },
    [queryClient, startMonitoring],
  );

  const retryFailed = useCallback(
    async (group: TrackedGroup, failedIds: string[]) => {
      try {
        const res = await postJson<EnqueuedDto>('/api/dashboard/jobs/actions', { action: 'retry', ids: failedIds });
        showToast({ id: group.id, title: group.title, jobIds: group.jobIds });
        void queryClient.invalidateQueries({ queryKey: dashboardKeys.all });
        if (res.jobIds.length === 0) toast.info(res.message);
      } catch (err) {
        toast.error('Retry failed', { description: (err as Error).message });
      }
    },
    [queryClient, showToast],
  );

  /** A toast was drawn final: the lists it touched are stale, and a completed one closes soon. */
  const settle = useCallback(
    (id: string, p: TaskProgress) => {
      void queryClient.invalidateQueries({ queryKey: dashboardKeys.all });
      if (p.phase === 'completed' && !dismissTimers.current.has(id)) {
        dismissTimers.current.set(
          id,
          setTimeout(() => dismissToast(id), COMPLETED_TOAST_MS),
        );
      }
    },
    [queryClient, dismissToast],
  );

  useEffect(() => {
    const timers = dismissTimers.current;
    return () => timers.forEach((t) => clearTimeout(t));
  }, []);

  const note = pollNote({ fetchStatus: tasks.fetchStatus, error: tasks.error });
  const toasts = useMemo<ActivityToast[]>(
    () =>
      groups.map((group) => {
        const p = toastView(progress[group.id], note);
        return { group, progress: p, signature: toastSignature(p) };
      }),
    [groups, progress, note],
  );

  const clearCompletedTasks = useCallback(() => {
    for (const g of groups) if (progress[g.id]?.final) dismissToast(g.id);
  }, [groups, progress, dismissToast]);

  const getActiveToastIds = useCallback(() => groups.map((g) => g.id), [groups]);

  const activity = useMemo<QueueActivity>(
    () => ({
      statuses,
      groups,
      progress,
      // The timer above sets boostUntil back to 0 when the boost ends.
      boosting: boostUntil > 0 || activeIds.length > 0,
      startMonitoring,
      showToast,
      dismissToast,
      clearCompletedTasks,
      getActiveToastIds,
    }),
    [
      statuses,
      groups,
      progress,
      boostUntil,
      activeIds.length,
      startMonitoring,
      showToast,
      dismissToast,
      clearCompletedTasks,
      getActiveToastIds,
    ],
  );

  return { activity, toasts, retryFailed, dismissToast, removeGroup, settle };
}
