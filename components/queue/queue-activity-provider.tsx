'use client';

import { useEffect, useRef } from 'react';
import { toast, Toaster } from 'sonner';
import { QueueActivityContext, useQueueActivityState } from '@/hooks/use-queue-activity';
import type { TrackedGroup } from '@/lib/dashboard/client/tracked-groups';
import { TaskToast } from './task-toast';

/**
 * Keeps one toast per dashboard action in step with its jobs. It sits in the dashboard layout, above
 * the pages, so moving between dashboard pages keeps every toast alive; the tracked ids are also kept
 * in sessionStorage, so a reload, or coming back from a page outside the dashboard, picks them up
 * again. The following itself is useQueueActivityState's; this draws what it lists.
 */
export function QueueActivityProvider({ children }: { children: React.ReactNode }) {
  const { activity, toasts, retryFailed, dismissToast, removeGroup, settle } = useQueueActivityState();
  // What each toast was last drawn for: sonner replaces a toast with the same id, so only a change
  // (or a group started again under the same id) is drawn again.
  const drawn = useRef(new Map<string, { group: TrackedGroup; signature: string }>());

  useEffect(() => {
    const live = new Set<string>();
    for (const { group: g, progress: p, signature } of toasts) {
      live.add(g.id);
      const last = drawn.current.get(g.id);
      if (last?.group === g && last.signature === signature) continue;
      drawn.current.set(g.id, { group: g, signature });
      toast.custom(
        () => (
          <TaskToast
            title={g.title}
            progress={p}
            onDismiss={() => dismissToast(g.id)}
            onRetry={
              p.failed.length > 0
                ? () =>
                    retryFailed(
                      g,
                      p.failed.map((f) => f.id),
                    )
                : undefined
            }
          />
        ),
        { id: g.id, duration: Number.POSITIVE_INFINITY, onDismiss: () => removeGroup(g.id) },
      );
      if (p.final) settle(g.id, p);
    }
    // A toast no longer followed (closed, or pushed out by a newer one past MAX_TASK_TOASTS) leaves.
    for (const id of [...drawn.current.keys()]) {
      if (live.has(id)) continue;
      toast.dismiss(id);
      drawn.current.delete(id);
    }
  }, [toasts, dismissToast, removeGroup, retryFailed, settle]);

  // The toasts live and die with the provider that keeps them current: a page outside the dashboard
  // (a user's public page) would otherwise show them frozen mid-step. The tracked jobs stay in
  // sessionStorage, so coming back draws them again as they are by then.
  return (
    <QueueActivityContext.Provider value={activity}>
      {children}
      <Toaster position="bottom-right" visibleToasts={5} expand closeButton richColors />
    </QueueActivityContext.Provider>
  );
}
