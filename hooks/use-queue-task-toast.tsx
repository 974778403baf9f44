'use client';

import { useContext } from 'react';
import { toast } from 'sonner';
import { QueueActivityContext } from './use-queue-activity';
import { newToastId, seededStatus, type ShowToastInput } from '@/lib/dashboard/client/queue-activity';
import { summarizeTasks } from '@/lib/dashboard/client/task-progress';
import { toEngineStatus } from '@/lib/queue-service/client/types';

export type { ShowToastInput };

/**
 * Toasts that follow an action's jobs through Added to queue → Waiting to start → Processing →
 * Completed (or Failed, with the error, Retry and a link to the job). `showToast` with an id already
 * on screen updates that toast instead of adding another. The queue package's call,
 * `showToast({ id, status, data })`, follows the task whose id is `id`.
 *
 * Inside the dashboard (its QueueActivityProvider) the toasts poll their jobs themselves. Elsewhere the
 * hook still works, as the package's does: each call draws the status it is given (the caller calls
 * again when the status changes), in the page's own sonner <Toaster />. There it draws sonner's own
 * toasts (the current step as the description): a hook draws no component, and the dashboard's
 * TaskToast is one.
 */
export function useQueueTaskToast() {
  const activity = useContext(QueueActivityContext);
  if (!activity) return standalone;
  const { showToast, dismissToast, clearCompletedTasks, getActiveToastIds } = activity;
  return { showToast, dismissToast, clearCompletedTasks, getActiveToastIds };
}

// Without a provider: one module-level record of what is on screen, so every caller shares it and the
// functions keep one identity (safe as effect dependencies).
const shown = new Map<string, { signature: string; final: boolean }>();

const standalone = {
  showToast(input: ShowToastInput): string {
    const id = input.id ?? newToastId(Date.now());
    const jobIds = [...new Set(input.jobIds ?? [id])];
    const status = toEngineStatus(input.status) ?? 'pending';
    const progress = summarizeTasks(jobIds, Object.fromEntries(jobIds.map((j) => [j, seededStatus(j, status)])));
    const signature = `${input.title ?? ''}|${progress.phase}`;
    if (shown.get(id)?.signature === signature) return id;
    shown.set(id, { signature, final: progress.final });
    const title = input.title ?? 'Task';
    const step = progress.final ? progress.steps[3] : progress.steps.find((s) => s.state === 'current');
    const options = {
      id,
      description: step?.label,
      duration: progress.phase === 'completed' ? 4_000 : Number.POSITIVE_INFINITY,
      onDismiss: () => shown.delete(id),
      onAutoClose: () => shown.delete(id),
    };
    if (progress.phase === 'completed') toast.success(title, options);
    else if (progress.final) toast.error(title, options);
    else toast.loading(title, options);
    return id;
  },
  dismissToast(id: string): void {
    shown.delete(id);
    toast.dismiss(id);
  },
  clearCompletedTasks(): void {
    for (const [id, s] of shown) if (s.final) standalone.dismissToast(id);
  },
  getActiveToastIds(): string[] {
    return [...shown.keys()];
  },
};
