import { defineJobType, type JobTypes } from '@/lib/queue';
import type { Env } from '@/lib/env';
import { SyncPayloadSchema } from './payload';
import { PLATFORM_LABELS, SYNC_JOB_TYPE, SYNC_QUEUE } from './platforms';
import { createPlatformClients, type PlatformClients } from './providers';
import { syncPlatformDay } from './sync-platform';

// A day can take several pages; this bounds the whole task, each request has PLATFORM_TIMEOUT_MS.
const TASK_PAGES_BUDGET = 4;

/** The sync workload's job types, with platform clients configured from `config`. */
export function createSyncJobTypes(config: Env, opts: { clients?: PlatformClients } = {}): JobTypes {
  const clients = opts.clients ?? createPlatformClients(config);
  return {
    [SYNC_JOB_TYPE]: defineJobType({
      queue: SYNC_QUEUE,
      payloadSchema: SyncPayloadSchema,
      timeoutMs: Math.min(config.PLATFORM_TIMEOUT_MS * TASK_PAGES_BUDGET, 55_000),
      handle: async ({ payload, db, signal, progress }) => {
        await progress(`Fetching ${PLATFORM_LABELS[payload.platform]} activity for ${payload.date}`);
        return syncPlatformDay(db, clients, payload, { signal });
      },
    }),
  };
}
