import { randomUUID } from 'node:crypto';
import { claimJobs, rescueExpiredLeases, type Db } from '@/lib/queue';
import { listPipelineJobs } from './read';
import type { PollInput } from './schemas';
import { ENGINE_STATUSES, PIPELINE_TYPE, toListItem } from './vocabulary';

export const workerIdFor = (worker: string | undefined) => `pipeline:${worker ?? `http-${randomUUID().slice(0, 8)}`}`;

/**
 * GET /queue/poll. Asking for queued jobs of one stage claims them (SKIP LOCKED, leased), so two workers
 * polling together never receive the same job; every other combination, and peek=true, only reads.
 * Expired leases are rescued first, which is how a dead worker's job becomes queued again.
 */
export async function pollJobs(db: Db, input: PollInput & { now: Date }) {
  await rescueExpiredLeases(db, { now: input.now });
  const stage = input.stage === 'any' ? null : input.stage;
  if (input.status === 'queued' && stage && !input.peek) {
    const claimed = await claimJobs(db, {
      workerId: workerIdFor(input.worker),
      limit: input.limit,
      leaseMs: input.lease_s * 1000,
      now: input.now,
      types: [PIPELINE_TYPE],
      stage,
    });
    return claimed.map((job) => ({ ...toListItem(job), lease_expires_at: job.lockedUntil?.toISOString() ?? null }));
  }
  const jobs = await listPipelineJobs(db, {
    statuses: input.status === 'any' ? null : ENGINE_STATUSES[input.status],
    stage,
    limit: input.limit,
  });
  return jobs.map(toListItem);
}
