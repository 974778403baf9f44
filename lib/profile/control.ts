import 'server-only';
import { pauseJob, QueueError, resumeJob, type Db } from '@/lib/queue';
import { latestProfileJob } from './request';
import { toProfileStatus } from './vocabulary';

/**
 * PAUSED is the engine's paused: a waiting request is held out of claims until resumed. Only the
 * username's latest request is addressed, as the status endpoint shows it.
 */
export async function setProfilePaused(db: Db, opts: { username: string; paused: boolean; now: Date; actor?: string }) {
  const job = await latestProfileJob(db, opts.username);
  if (!job) throw new QueueError('not_found', `No profile request for ${opts.username}`);
  const moved = opts.paused
    ? await pauseJob(db, { id: job.id, now: opts.now, actor: opts.actor })
    : await resumeJob(db, { id: job.id, now: opts.now, actor: opts.actor });
  return toProfileStatus(moved);
}
