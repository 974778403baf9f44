import 'server-only';
import { z } from 'zod';
import { defineJobType, type JobTypes } from '@/lib/queue';
import { IsoDateSchema } from './dates';
import { PlatformSchema, SYNC_JOB_TYPE, SYNC_QUEUE } from './platforms';

export const SyncPayloadSchema = z.object({
  userId: z.guid(),
  platform: PlatformSchema,
  date: IsoDateSchema,
});
export type SyncPayload = z.infer<typeof SyncPayloadSchema>;

/**
 * The sync type's shape without its handler: enough to validate and enqueue payloads anywhere
 * (routes, scripts) without building platform clients from the environment. The platform is what a
 * task spends: its limits (migration 0015, or as an operator set them) space the tasks out, and a 429
 * cools the whole platform down.
 */
export const syncEnqueueTypes: JobTypes = {
  [SYNC_JOB_TYPE]: defineJobType({
    queue: SYNC_QUEUE,
    payloadSchema: SyncPayloadSchema,
    limitKey: (payload: SyncPayload) => payload.platform,
    // Users take turns: one user's year-long backfill does not hold back another's sync.
    ownerKey: (payload: SyncPayload) => payload.userId.toLowerCase(),
  }),
};
