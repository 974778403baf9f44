import 'server-only';
import type { JobTypes } from '@/lib/queue';
import { QueueService as EngineQueueService, type QueueServiceOptions } from './service';
import type { Db } from '@/lib/queue';
import { getJobTypes } from '@/lib/job-types';
import { PIPELINE_TYPE } from '@/lib/pipeline/vocabulary';
import { PROFILE_TYPE } from '@/lib/profile/vocabulary';
import { SYNC_JOB_TYPE } from '@/lib/sync/platforms';
import { registeredWorkers } from './workers';

export { registerWorker, unregisterWorker, type QueueWorker } from './workers';
export { toTask, toTaskStatus, type QueueStatus, type QueueTask, type AddOptions, type RetryReport } from './service';

/**
 * Types whose jobs only their own workload's routes make (they carry a stage, a request id, a user and
 * a day the routes set up); the service reads them but does not add them.
 */
export const WORKLOAD_OWNED_TYPES: readonly string[] = [PIPELINE_TYPE, PROFILE_TYPE, SYNC_JOB_TYPE];

/**
 * The app's types (less the workload-owned ones) and the registered workers, looked up at each call,
 * so a worker registered after the service was made is still found. A registered worker never
 * replaces an app type.
 */
export function appQueueTypes(): JobTypes {
  const current = (): JobTypes => {
    const app = { ...getJobTypes() };
    for (const t of WORKLOAD_OWNED_TYPES) delete app[t];
    return { ...registeredWorkers(), ...app };
  };
  return new Proxy({} as JobTypes, {
    get: (_, key) => (typeof key === 'string' ? current()[key] : undefined),
    has: (_, key) => typeof key === 'string' && key in current(),
    ownKeys: () => Object.keys(current()),
    getOwnPropertyDescriptor: (_, key) =>
      typeof key === 'string' && key in current()
        ? { value: current()[key], enumerable: true, configurable: true, writable: false }
        : undefined,
  });
}

/**
 * The queue package's `QueueService` as its Quick Start writes it: `new QueueService(db)` runs the
 * app's registered types and the workers given to registerWorker(); `new QueueService(db, jobTypes)`
 * runs exactly those types.
 */
export class QueueService extends EngineQueueService {
  constructor(db: Db, jobTypes?: JobTypes, opts?: QueueServiceOptions) {
    super(db, jobTypes ?? appQueueTypes(), opts);
  }
}
