'use client';

// queue-package.md's "Implementation Example", as it is written there: only the import paths differ
// (Steady's files are kebab-case). It is a page of the dashboard so the end-to-end suite can hold the
// package's own hook usage to its promises in Chromium (tests/e2e/queue-package.spec.ts).
import { useEffect } from 'react';
import { useQueueMonitor } from '@/hooks/use-queue-monitor';
import { useQueueTaskToast } from '@/hooks/use-queue-task-toast';

export function QueueMonitorComponent() {
  const { processingTasks, completedTasks, startMonitoring } = useQueueMonitor();

  const { showToast } = useQueueTaskToast();

  useEffect(() => {
    startMonitoring();
  }, [startMonitoring]);

  // Monitor and show toasts for tasks
  useEffect(() => {
    processingTasks.forEach((task) => {
      showToast({
        id: task.id,
        status: task.status,
        data: task.data,
      });
    });
  }, [processingTasks, showToast]);

  return (
    <div>
      <h2>Active Tasks: {processingTasks.length}</h2>
      <h2>Completed: {completedTasks.length}</h2>
      {/* Render task list */}
      <ul aria-label="Active tasks">
        {processingTasks.map((task) => (
          <li key={task.id} data-task-id={task.id} data-status={task.status} data-priority={task.priority}>
            {task.type} · {task.status}
          </li>
        ))}
      </ul>
    </div>
  );
}
