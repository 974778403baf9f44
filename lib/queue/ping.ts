import { z } from 'zod';
import { defineJobType, type JobTypes } from './registry';

export const PING_TYPE = 'queue.ping';

/**
 * A job that does nothing: enqueue one to check that workers (cron route or continuous worker) pick
 * work up end to end, and to measure the queue's own overhead (the benchmark drains these).
 */
export const pingJobTypes: JobTypes = {
  [PING_TYPE]: defineJobType({
    queue: 'default',
    payloadSchema: z.object({ n: z.number().int().optional() }),
    handle: async () => null,
  }),
};
