import { canTransition } from './browser';
import { QueueError, type JobStatus } from './types';

// The table and its pure questions are in the browser-safe module; throwing a QueueError stays here.
export { TRANSITIONS, canTransition, sourcesOf, isFinal } from './browser';

export function assertTransition(from: JobStatus, to: JobStatus): void {
  if (!canTransition(from, to)) {
    throw new QueueError('invalid_transition', `A ${from} job cannot become ${to}`, { from, to });
  }
}
