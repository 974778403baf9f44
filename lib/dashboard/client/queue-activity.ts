// The dashboard's live toasts as a pure state machine: which actions are followed (one toast each),
// what their jobs last said, and which are gone. No React, no timers, no sonner: the hook
// (hooks/use-queue-activity.ts) feeds it poll answers and calls, the provider draws what it derives.
import type { JobStatus } from '@/lib/queue/browser';
import { toEngineStatus } from '@/lib/queue-service/client/types';
import { summarizeTasks, type TaskProgress } from './task-progress';
import type { TrackedGroup } from './tracked-groups';
import type { TaskStatusDto } from './types';

/** At most this many job toasts at once; the oldest finished one makes room first. */
export const MAX_TASK_TOASTS = 4;

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

export interface ActivityState {
  groups: readonly TrackedGroup[];
  statuses: Readonly<Record<string, TaskStatusDto>>;
  /** Jobs the poll no longer finds (cleanup deleted them): read as done. */
  missing: ReadonlySet<string>;
}

export const INITIAL_ACTIVITY: ActivityState = { groups: [], statuses: {}, missing: new Set() };

export type ActivityAction =
  /** What sessionStorage held when the dashboard mounted. */
  | { type: 'restored'; groups: readonly TrackedGroup[] }
  /** A toast starts (or restarts) following its jobs. */
  | { type: 'tracked'; group: TrackedGroup; seeded?: JobStatus }
  /** A status poll's answer. */
  | { type: 'polled'; tasks: readonly TaskStatusDto[]; missing: readonly string[] }
  | { type: 'removed'; id: string };

export function activityReducer(state: ActivityState, action: ActivityAction): ActivityState {
  switch (action.type) {
    case 'restored':
      // The same state when nothing was stored (or something is tracked already) leaves the context
      // value alone, so a page still streaming in below the provider hydrates instead of rendering again.
      return action.groups.length === 0 || state.groups.length > 0 ? state : { ...state, groups: action.groups };
    case 'tracked': {
      const { group, seeded } = action;
      // A restarted job must not be read as finished from its previous run's status.
      const statuses = { ...state.statuses };
      for (const jobId of group.jobIds) delete statuses[jobId];
      if (seeded) {
        const at = new Date(group.createdAt).toISOString();
        for (const jobId of group.jobIds) statuses[jobId] = seededStatus(jobId, seeded, at);
      }
      const others = state.groups.filter((g) => g.id !== group.id);
      while (others.length >= MAX_TASK_TOASTS) {
        const finishedIdx = others.findIndex(
          (g) => summarizeTasks(g.jobIds, state.statuses, { missing: state.missing }).final,
        );
        others.splice(finishedIdx === -1 ? 0 : finishedIdx, 1);
      }
      return { ...state, statuses, groups: [...others, group] };
    }
    case 'polled': {
      const statuses = { ...state.statuses };
      for (const t of action.tasks) statuses[t.id] = t;
      const missing = action.missing.length > 0 ? new Set([...state.missing, ...action.missing]) : state.missing;
      return { ...state, statuses, missing };
    }
    case 'removed':
      return state.groups.some((g) => g.id === action.id)
        ? { ...state, groups: state.groups.filter((g) => g.id !== action.id) }
        : state;
  }
}

/** A fresh id for a showToast call that names none. */
export const newToastId = (now: number): string => `task-${now.toString(36)}-${Math.random().toString(36).slice(2, 7)}`;

/**
 * The group a showToast call follows. `repeat` marks the package's `{ id, status, data }` called again
 * for a task already shown: the poll keeps that toast current, so a repeat changes nothing (and cannot
 * make the caller's effect run again).
 */
export function planToast(
  groups: readonly TrackedGroup[],
  input: ShowToastInput,
  now: number,
): { group: TrackedGroup; seeded?: JobStatus; repeat: boolean } {
  const id = input.id ?? newToastId(now);
  const jobIds = [...new Set(input.jobIds ?? (input.id ? [input.id] : []))];
  const shown = groups.find((g) => g.id === id);
  return {
    group: { id, title: titleOf(input), jobIds, createdAt: now },
    seeded: input.jobIds ? undefined : toEngineStatus(input.status),
    repeat: !input.jobIds && !!shown && shown.jobIds.join() === jobIds.join(),
  };
}

function titleOf(input: ShowToastInput): string {
  if (input.title) return input.title;
  const d = input.data as Record<string, unknown> | null | undefined;
  const named =
    d && typeof d === 'object'
      ? [d.title, d.name, d.type].find((v) => typeof v === 'string' && v.length > 0)
      : undefined;
  return (named as string | undefined) ?? 'Task';
}

/** A stand-in for a job's status before the first poll: enough for the toast's steps. */
export function seededStatus(id: string, status: JobStatus, at = new Date().toISOString()): TaskStatusDto {
  return {
    id,
    type: '',
    queue: '',
    status,
    stage: null,
    progress: null,
    attempts: 0,
    maxAttempts: 1,
    lastError: null,
    runAt: at,
    updatedAt: at,
  };
}

const NO_PROGRESS: Record<string, TaskProgress> = {};

/** Each followed group's steps, by group id. */
export function progressOf(state: ActivityState, pausedQueues?: ReadonlySet<string>): Record<string, TaskProgress> {
  if (state.groups.length === 0) return NO_PROGRESS;
  const out: Record<string, TaskProgress> = {};
  for (const g of state.groups)
    out[g.id] = summarizeTasks(g.jobIds, state.statuses, { missing: state.missing, pausedQueues });
  return out;
}

/** The jobs still worth polling: those of toasts not yet final. */
export const activeJobIds = (
  groups: readonly TrackedGroup[],
  progress: Readonly<Record<string, TaskProgress>>,
): string[] => [...new Set(groups.filter((g) => !progress[g.id]?.final).flatMap((g) => g.jobIds))];

/**
 * A poll that cannot run (offline) or fails (server away) says so in the toasts still waiting on it,
 * rather than leaving them spinning; the next good answer takes the note away.
 */
export function pollNote(poll: { fetchStatus: string; error: Error | null }): string | null {
  if (poll.fetchStatus === 'paused') return 'Offline: the jobs are checked again once the connection is back';
  return poll.error ? `Could not check on the jobs: ${poll.error.message}` : null;
}

/** What one toast shows: its steps, with the poll's trouble as the note while it is unfinished. */
export const toastView = (summary: TaskProgress, note: string | null): TaskProgress =>
  !summary.final && note ? { ...summary, note } : summary;

/** Equal signatures draw the same toast, so it is not drawn again. */
export const toastSignature = (p: TaskProgress): string =>
  JSON.stringify([p.phase, p.finished, p.note, p.failed.map((f) => f.lastError)]);
