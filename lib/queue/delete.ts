import { sql } from 'drizzle-orm';
import { rows } from './sql';
import { assertJobId } from './guard';
import { QueueError, type Db } from './types';

/** Removes a job and its history in one statement. A running job must be cancelled first. */
export async function deleteJob(db: Db, id: string): Promise<void> {
  assertJobId(id);
  const [row] = await rows(
    db,
    sql`
    with target as (select id, status from jobs where id = ${id} for update),
    removed as (delete from jobs j using target where j.id = target.id and target.status <> 'processing' returning j.id),
    history as (delete from job_events e using removed where e.job_id = removed.id)
    select target.status, (select count(*) from removed)::int as removed from target`,
  );
  if (!row) throw new QueueError('not_found', `Job ${id} not found`);
  if (Number(row.removed) === 0) {
    throw new QueueError('invalid_transition', 'A processing job cannot be deleted; cancel it first');
  }
}
