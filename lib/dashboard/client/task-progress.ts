import { isFinal } from '@/lib/queue/browser';
import type { TaskStatusDto } from './types';

// Pure: where a toast's jobs stand, as the four steps a person reads. Unit-tested; the toast only draws it.

export type Phase = 'queued' | 'waiting' | 'processing' | 'completed' | 'failed' | 'cancelled';
export type StepState = 'done' | 'current' | 'upcoming' | 'failed';

export interface Step {
  key: 'added' | 'waiting' | 'processing' | 'finished';
  label: string;
  state: StepState;
}

export interface TaskProgress {
  phase: Phase;
  total: number;
  finished: number;
  completed: number;
  failed: TaskStatusDto[];
  cancelled: number;
  /** "3 of 8 done" for several jobs; null for one. */
  countLabel: string | null;
  steps: Step[];
  /** The job to link to: the first failure, else the first job. */
  focusId: string | null;
  /** Latest progress note or retry reason to show under the steps. */
  note: string | null;
  final: boolean;
}

export function summarizeTasks(
  jobIds: readonly string[],
  statuses: Readonly<Record<string, TaskStatusDto | undefined>>,
  opts: { missing?: ReadonlySet<string>; pausedQueues?: ReadonlySet<string> } = {},
): TaskProgress {
  const missing = opts.missing ?? new Set<string>();
  const known = jobIds.map((id) => statuses[id]).filter((t): t is TaskStatusDto => t !== undefined);
  const total = jobIds.length;
  const completed =
    known.filter((t) => t.status === 'completed').length + jobIds.filter((id) => missing.has(id)).length;
  const failed = known.filter((t) => t.status === 'failed');
  const cancelled = known.filter((t) => t.status === 'cancelled').length;
  const finished = completed + failed.length + cancelled;
  const processing = known.filter((t) => t.status === 'processing');
  const waiting = known.filter((t) => t.status === 'pending' || t.status === 'paused');

  let phase: Phase;
  if (total === 0) phase = 'completed';
  else if (finished === total) phase = failed.length > 0 ? 'failed' : cancelled === total ? 'cancelled' : 'completed';
  else if (processing.length > 0) phase = 'processing';
  else if (waiting.length > 0 || finished > 0) phase = 'waiting';
  else phase = 'queued';

  const final = phase === 'completed' || phase === 'failed' || phase === 'cancelled';
  // "Added to queue" is done once the server has answered with ids; the rest follow the jobs.
  const current = final ? 4 : phase === 'processing' ? 2 : 1;
  const stateOf = (i: number): StepState => (i < current ? 'done' : i === current ? 'current' : 'upcoming');
  const finishedLabel = phase === 'failed' ? 'Failed' : phase === 'cancelled' ? 'Cancelled' : 'Completed';

  const retrying = known.find((t) => !isFinal(t.status) && t.lastError && t.attempts > 0);
  const note =
    processing.find((t) => t.progress)?.progress ??
    (retrying
      ? `Retrying after: ${retrying.lastError} (attempt ${retrying.attempts} of ${retrying.maxAttempts})`
      : null) ??
    pausedNote(waiting, opts.pausedQueues);

  return {
    phase,
    total,
    finished,
    completed,
    failed,
    cancelled,
    countLabel:
      total > 1 ? `${finished} of ${total} done${failed.length > 0 ? `, ${failed.length} failed` : ''}` : null,
    steps: [
      { key: 'added', label: 'Added to queue', state: 'done' },
      { key: 'waiting', label: 'Waiting to start', state: stateOf(1) },
      { key: 'processing', label: 'Processing', state: stateOf(2) },
      {
        key: 'finished',
        label: finishedLabel,
        state: phase === 'failed' ? 'failed' : final ? 'done' : 'upcoming',
      },
    ],
    focusId: failed[0]?.id ?? jobIds[0] ?? null,
    note: final ? null : note,
    final,
  };
}

function pausedNote(waiting: TaskStatusDto[], pausedQueues: ReadonlySet<string> | undefined): string | null {
  const held = waiting.find((t) => pausedQueues?.has(t.queue));
  if (held) return `Queue ${held.queue} is paused; resume it to start`;
  return waiting.some((t) => t.status === 'paused') ? 'Paused' : null;
}
