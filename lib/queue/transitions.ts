import { FINISHED, JOB_STATUSES, QueueError, type JobStatus } from './types';

// The one table every status change obeys; SQL guards are derived from it (sourcesOf), so a statement
// can only move rows along an edge listed here.
export const TRANSITIONS: Readonly<Record<JobStatus, readonly JobStatus[]>> = {
  pending: ['processing', 'cancelled', 'paused'],
  processing: ['completed', 'failed', 'pending', 'cancelled'],
  paused: ['pending', 'cancelled'],
  failed: ['pending'],
  cancelled: ['pending'],
  completed: [],
};

export function canTransition(from: JobStatus, to: JobStatus): boolean {
  return TRANSITIONS[from].includes(to);
}

export function assertTransition(from: JobStatus, to: JobStatus): void {
  if (!canTransition(from, to)) {
    throw new QueueError('invalid_transition', `A ${from} job cannot become ${to}`, { from, to });
  }
}

export function sourcesOf(to: JobStatus): JobStatus[] {
  return JOB_STATUSES.filter((from) => TRANSITIONS[from].includes(to));
}

export const isFinal = (s: JobStatus) => FINISHED.includes(s);
