'use client';

import { useContext } from 'react';
import { QueueActivityContext } from '@/components/queue/queue-activity-provider';

/**
 * Toasts that follow an action's jobs through Added to queue → Waiting to start → Processing →
 * Completed (or Failed, with the error, Retry and a link to the job). `showToast` with an id already
 * on screen updates that toast instead of adding another.
 */
export function useQueueTaskToast() {
  const activity = useContext(QueueActivityContext);
  if (!activity) throw new Error('useQueueTaskToast must be used inside <QueueActivityProvider>');
  const { showToast, dismissToast, clearCompletedTasks, getActiveToastIds } = activity;
  return { showToast, dismissToast, clearCompletedTasks, getActiveToastIds };
}
