'use client';

import { useQuery, useQueryClient } from '@tanstack/react-query';
import { createContext, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { toast, Toaster } from 'sonner';
import { postJson } from '@/lib/dashboard/client/api-client';
import { POLL_TASKS_MS, dashboardKeys, statsQueryOptions, taskStatusesQueryOptions } from '@/lib/dashboard/client/queries';
import { summarizeTasks, type TaskProgress } from '@/lib/dashboard/client/task-progress';
import type { EnqueuedDto, TaskStatusDto } from '@/lib/dashboard/client/types';
import type { JobStatus } from '@/lib/queue/browser';
import { toEngineStatus } from '@/lib/queue-service/client/types';
import { TaskToast } from './task-toast';
import { loadGroups, saveGroups, type TrackedGroup } from './tracked-groups';

/** At most this many job toasts at once; the oldest finished one makes room first. */
export const MAX_TASK_TOASTS = 4;
const COMPLETED_TOAST_MS = 4_000;
/** After an action, poll quickly for this long even if the stats have not caught up yet. */
const BOOST_MS = 30_000;

export interface ShowToastInput {
  /** Same id → the same toast, updated in place. Defaults to a fresh id. */
  id?: string;
  title?: string;
  /** The jobs this toast follows. Absent, as the queue package calls it: the job whose id is `id`. */
  jobIds?: readonly string[];
  /** The queue package's status (PENDING, PROCESSING…) when the caller knows it: drawn until the first poll answers. */
  status?: string;
  /** The task's data, as the package passes it; a `title`, `name` or `type` in it names the toast. */
  data?: unknown;
}

function titleOf(input: ShowToastInput): string {
  if (input.title) return input.title;
  const d = input.data as Record<string, unknown> | null | undefined;
  const named = d && typeof d === 'object' ? [d.title, d.name, d.type].find((v) => typeof v === 'string' && v.length > 0) : undefined;
  return (named as string | undefined) ?? 'Task';
}

/** A stand-in for a job's status before the first poll: enough for the toast's steps. */
export function seededStatus(id: string, status: JobStatus): TaskStatusDto {
  const at = new Date().toISOString();
  return { id, type: '', queue: '', status, stage: null, progress: null, attempts: 0, maxAttempts: 1, lastError: null, runAt: at, updatedAt: at };
}

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

export const QueueActivityContext = createContext<QueueActivity | null>(null);

const NO_PROGRESS: Record<string, TaskProgress> = {};

/**
 * Follows the jobs that dashboard actions started and keeps one toast per action in step with them.
 * It sits in the dashboard layout, above the pages, so moving between dashboard pages keeps every toast
 * alive; the tracked ids are also kept in sessionStorage, so a reload, or coming back from a page
 * outside the dashboard, picks them up again.
 */
export function QueueActivityProvider({ children }: { children: React.ReactNode }) {
  const queryClient = useQueryClient();
  const [groups, setGroups] = useState<TrackedGroup[]>([]);
  const [statuses, setStatuses] = useState<Record<string, TaskStatusDto>>({});
  const [missing, setMissing] = useState<ReadonlySet<string>>(new Set());
  const [boostUntil, setBoostUntil] = useState(0);
  const rendered = useRef(new Map<string, string>());
  const dismissTimers = useRef(new Map<string, ReturnType<typeof setTimeout>>());

  const loaded = useRef(false);
  useEffect(() => {
    if (loaded.current) return;
    loaded.current = true;
    const stored = loadGroups();
    // Keeping the same array when nothing was stored leaves the context value alone, so a page still
    // streaming in below this provider hydrates instead of being rendered again on the client.
    if (stored.length > 0) setGroups((current) => (current.length > 0 ? current : stored));
  }, []);
  useEffect(() => {
    if (loaded.current) saveGroups(groups);
  }, [groups]);

  useEffect(() => {
    if (boostUntil <= Date.now()) return;
    const t = setTimeout(() => setBoostUntil(0), boostUntil - Date.now());
    return () => clearTimeout(t);
  }, [boostUntil]);

  const pausedQueues = useQuery({ ...statsQueryOptions(), select: (s) => new Set(s.queues.filter((q) => q.paused).map((q) => q.name)) }).data;

  const progress = useMemo(() => {
    if (groups.length === 0) return NO_PROGRESS;
    const out: Record<string, TaskProgress> = {};
    for (const g of groups) out[g.id] = summarizeTasks(g.jobIds, statuses, { missing, pausedQueues });
    return out;
  }, [groups, statuses, missing, pausedQueues]);

  const activeIds = useMemo(
    () => [...new Set(groups.filter((g) => !progress[g.id]?.final).flatMap((g) => g.jobIds))],
    [groups, progress],
  );
  const tasks = useQuery({ ...taskStatusesQueryOptions(activeIds), refetchInterval: POLL_TASKS_MS });

  useEffect(() => {
    // Placeholder data is the answer for another set of jobs (kept while the new set loads).
    if (!tasks.data || tasks.isPlaceholderData) return;
    const { tasks: found, missing: gone } = tasks.data;
    setStatuses((prev) => {
      const next = { ...prev };
      for (const t of found) next[t.id] = t;
      return next;
    });
    if (gone.length > 0) setMissing((prev) => new Set([...prev, ...gone]));
  }, [tasks.data, tasks.isPlaceholderData]);

  const removeGroup = useCallback((id: string) => {
    clearTimeout(dismissTimers.current.get(id));
    dismissTimers.current.delete(id);
    rendered.current.delete(id);
    setGroups((prev) => prev.filter((g) => g.id !== id));
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

  // Read through refs so showToast keeps one identity: the queue package calls it from an effect that
  // lists it as a dependency, and a new function on every progress change would run that effect forever.
  const progressRef = useRef(progress);
  progressRef.current = progress;
  const groupsRef = useRef(groups);
  groupsRef.current = groups;

  const showToast = useCallback(
    (input: ShowToastInput) => {
      const id = input.id ?? `task-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 7)}`;
      const jobIds = [...new Set(input.jobIds ?? (input.id ? [input.id] : []))];
      // The package's call, { id, status, data }, repeated for a task already shown: the poll keeps that
      // toast current, so a repeat changes nothing (and cannot make the caller's effect run again).
      const shown = groupsRef.current.find((g) => g.id === id);
      if (!input.jobIds && shown && shown.jobIds.join() === jobIds.join()) return id;
      const group: TrackedGroup = { id, title: titleOf(input), jobIds, createdAt: Date.now() };
      const seeded = input.jobIds ? undefined : toEngineStatus(input.status);
      // A restarted job must not be read as finished from its previous run's status, whether held here
      // or in a cached answer for the same set of jobs.
      queryClient.removeQueries({ queryKey: [...dashboardKeys.all, 'tasks'] });
      setStatuses((prev) => {
        const next = { ...prev };
        for (const jobId of group.jobIds) delete next[jobId];
        if (seeded) for (const jobId of group.jobIds) next[jobId] = seededStatus(jobId, seeded);
        return next;
      });
      clearTimeout(dismissTimers.current.get(id));
      dismissTimers.current.delete(id);
      rendered.current.delete(id);
      setGroups((prev) => {
        const others = prev.filter((g) => g.id !== id);
        while (others.length >= MAX_TASK_TOASTS) {
          const finishedIdx = others.findIndex((g) => progressRef.current[g.id]?.final);
          const [dropped] = others.splice(finishedIdx === -1 ? 0 : finishedIdx, 1);
          toast.dismiss(dropped.id);
          rendered.current.delete(dropped.id);
        }
        return [...others, group];
      });
      startMonitoring();
      return id;
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

  // A poll that cannot run (offline) or fails (server away) says so in the toasts still waiting on it,
  // rather than leaving them spinning; the next good answer takes the note away.
  const pollNote =
    tasks.fetchStatus === 'paused'
      ? 'Offline: the jobs are checked again once the connection is back'
      : tasks.error
        ? `Could not check on the jobs: ${tasks.error.message}`
        : null;

  // Draws each group's toast when what it shows has changed; sonner replaces a toast with the same id.
  useEffect(() => {
    for (const g of groups) {
      const summary = progress[g.id];
      const p = !summary.final && pollNote ? { ...summary, note: pollNote } : summary;
      const signature = JSON.stringify([p.phase, p.finished, p.note, p.failed.map((f) => f.lastError)]);
      if (rendered.current.get(g.id) === signature) continue;
      rendered.current.set(g.id, signature);
      toast.custom(
        () => (
          <TaskToast
            title={g.title}
            progress={p}
            onDismiss={() => dismissToast(g.id)}
            onRetry={p.failed.length > 0 ? () => retryFailed(g, p.failed.map((f) => f.id)) : undefined}
          />
        ),
        { id: g.id, duration: Number.POSITIVE_INFINITY, onDismiss: () => removeGroup(g.id) },
      );
      if (p.final) {
        void queryClient.invalidateQueries({ queryKey: dashboardKeys.all });
        if (p.phase === 'completed' && !dismissTimers.current.has(g.id)) {
          dismissTimers.current.set(g.id, setTimeout(() => dismissToast(g.id), COMPLETED_TOAST_MS));
        }
      }
    }
  }, [groups, progress, pollNote, dismissToast, removeGroup, retryFailed, queryClient]);

  useEffect(() => {
    const timers = dismissTimers.current;
    return () => timers.forEach((t) => clearTimeout(t));
  }, []);

  const clearCompletedTasks = useCallback(() => {
    for (const g of groups) if (progress[g.id]?.final) dismissToast(g.id);
  }, [groups, progress, dismissToast]);

  const getActiveToastIds = useCallback(() => groups.map((g) => g.id), [groups]);

  const value = useMemo<QueueActivity>(
    () => ({
      statuses,
      groups,
      progress,
      boosting: boostUntil > Date.now() || activeIds.length > 0,
      startMonitoring,
      showToast,
      dismissToast,
      clearCompletedTasks,
      getActiveToastIds,
    }),
    [statuses, groups, progress, boostUntil, activeIds.length, startMonitoring, showToast, dismissToast, clearCompletedTasks, getActiveToastIds],
  );
  // The toasts live and die with the provider that keeps them current: a page outside the dashboard
  // (a user's public page) would otherwise show them frozen mid-step. The tracked jobs stay in
  // sessionStorage, so coming back draws them again as they are by then.
  return (
    <QueueActivityContext.Provider value={value}>
      {children}
      <Toaster position="bottom-right" visibleToasts={5} expand closeButton richColors />
    </QueueActivityContext.Provider>
  );
}
