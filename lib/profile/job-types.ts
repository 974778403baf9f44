import 'server-only';
import { defineJobType, type JobTypes } from '@/lib/queue';
import type { Env } from '@/lib/env';
import { createPlatformClients, type PlatformClients } from '@/lib/sync/providers';
import { importProfile } from './import';
import { ProfilePayload } from './schemas';
import { PROFILE_QUEUE, PROFILE_TYPE } from './vocabulary';

/** profile.process, with the sync workload's platform clients configured from `config`. */
export function createProfileJobTypes(config: Env, opts: { clients?: PlatformClients } = {}): JobTypes {
  let clients = opts.clients;
  return {
    [PROFILE_TYPE]: defineJobType({
      queue: PROFILE_QUEUE,
      payloadSchema: ProfilePayload,
      // 30 days × up to four platforms; platforms run side by side, each well inside this.
      timeoutMs: 55_000,
      handle: async ({ job, payload, db, signal, progress }) => {
        clients ??= createPlatformClients(config);
        await progress(`Importing ${payload.username}`);
        return importProfile(db, clients, payload, {
          now: job.startedAt ?? new Date(),
          resumeSince: job.createdAt,
          signal,
          progress,
        });
      },
    }),
  };
}
