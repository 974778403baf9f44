import 'server-only';
import { defineJobType, type JobTypes } from '@/lib/queue';
import type { Env } from '@/lib/env';
import { SyncPayloadSchema, syncEnqueueTypes } from './payload';
import { PLATFORM_LABELS, SYNC_JOB_TYPE } from './platforms';
import { createPlatformClients, type PlatformClients } from './providers';
import { syncPlatformDay } from './sync-platform';

// A day can take several pages; this bounds the whole task, each request has PLATFORM_TIMEOUT_MS.
const TASK_PAGES_BUDGET = 4;
const WRITE_MARGIN_MS = 500;

/** The sync workload's job types, with platform clients configured from `config`. */
export function createSyncJobTypes(config: Env, opts: { clients?: PlatformClients } = {}): JobTypes {
  const clients = opts.clients ?? createPlatformClients(config);
  const timeoutMs = Math.min(config.PLATFORM_TIMEOUT_MS * TASK_PAGES_BUDGET, 55_000);
  return {
    [SYNC_JOB_TYPE]: defineJobType({
      ...syncEnqueueTypes[SYNC_JOB_TYPE],
      payloadSchema: SyncPayloadSchema,
      timeoutMs,
      handle: async ({ payload, db, signal, progress, coolDown }) => {
        // A slow platform ends the day's walk with what it has (stored as truncated) before the task's
        // timeout would throw all of it away; the time left for writing it is kept back.
        const deadline = Date.now() + timeoutMs - WRITE_MARGIN_MS;
        await progress(`Fetching ${PLATFORM_LABELS[payload.platform]} activity for ${payload.date}`);
        return syncPlatformDay(db, clients, payload, { signal, deadline, coolDown });
      },
    }),
  };
}
