import 'server-only';
import { randomUUID } from 'node:crypto';
import { handOutJobs, rescueExpiredLeases, type Db } from '@/lib/queue';
import { listPipelineJobs } from './read';
import type { PollInput } from './schemas';
import { ENGINE_STATUSES, PIPELINE_TYPE, toListItem } from './vocabulary';

export const workerIdFor = (worker: string | undefined) => `pipeline:${worker ?? `http-${randomUUID().slice(0, 8)}`}`;

/**
 * GET /queue/poll. Asking for queued jobs of one stage hands them out (SKIP LOCKED, held for `lease_s`),
 * so two workers polling together never receive the same job. They stay `queued`, as the contract
 * says, and spend no attempt: the worker's `processing` update (or its result) starts them. A hand-out
 * nobody confirms is queued for the next poll once its hold passes. Every other combination, and
 * peek=true, only reads. Expired leases of started jobs are rescued first.
 */
export async function pollJobs(db: Db, input: PollInput & { now: Date }) {
  await rescueExpiredLeases(db, { now: input.now });
  const stage = input.stage === 'any' ? null : input.stage;
  if (input.status === 'queued' && stage && !input.peek) {
    const claimed = await handOutJobs(db, {
      workerId: workerIdFor(input.worker),
      limit: input.limit,
      holdMs: input.lease_s * 1000,
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
