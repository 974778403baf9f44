import { sql } from 'drizzle-orm';
import { rows } from './sql';
import { canTransition } from './transitions';
import { isUuid, QueueError, type Db, type JobStatus } from './types';

export function assertJobId(id: string): void {
  if (!isUuid(id)) throw new QueueError('not_found', `Job ${JSON.stringify(id.slice(0, 80))} not found`);
}

/** Why a guarded statement changed no row: the job is gone, in the wrong state, or no longer ours. */
export async function explainMiss(db: Db, id: string, to: JobStatus, workerId?: string): Promise<QueueError> {
  const [row] = await rows(db, sql`select status, locked_by from jobs where id = ${id}`);
  if (!row) return new QueueError('not_found', `Job ${id} not found`);
  const status = row.status as JobStatus;
  if (status === 'processing' && workerId !== undefined && row.locked_by !== workerId) {
    return new QueueError('conflict', `Job ${id} is no longer held by ${workerId}`, { status });
  }
  if (!canTransition(status, to)) {
    return new QueueError('invalid_transition', `A ${status} job cannot become ${to}`, { from: status, to });
  }
  return new QueueError('conflict', `Job ${id} changed while it was being updated`, { status });
}
