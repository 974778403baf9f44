import type { JobStatus } from '@/lib/queue/browser';

const LABELS: Record<JobStatus, string> = {
  pending: 'Pending',
  processing: 'Processing',
  completed: 'Completed',
  failed: 'Failed',
  cancelled: 'Cancelled',
  paused: 'Paused',
};

export function StatusBadge({ status }: { status: JobStatus }) {
  return (
    <span className={`badge badge--${status}`} data-status={status}>
      {LABELS[status]}
    </span>
  );
}

export const statusLabel = (s: JobStatus) => LABELS[s];
