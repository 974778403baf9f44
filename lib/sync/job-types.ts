import type { JobTypes } from '@/lib/queue';
import type { Env } from '@/lib/env';

/** The sync workload's job types, with platform clients configured from `config`. */
export function createSyncJobTypes(_config: Env): JobTypes {
  return {};
}
