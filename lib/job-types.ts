import 'server-only';
import { pingJobTypes, type JobTypes } from '@/lib/queue';
import { env } from '@/lib/env';
import { createSyncJobTypes } from '@/lib/sync/job-types';
import { createProfileJobTypes } from '@/lib/profile/job-types';
import { pipelineJobTypes } from '@/lib/pipeline/job-types';
import { auditJobTypes, createAuditJobTypes } from '@/lib/audit/job-types';

let cached: JobTypes | undefined;

/** Every job type the app knows; enqueue rejects any other. Built once, from the environment. */
export function getJobTypes(): JobTypes {
  cached ??= {
    // Configured outside-processor types first, so none can replace a built-in type.
    ...createAuditJobTypes(env()),
    ...createSyncJobTypes(env()),
    ...createProfileJobTypes(env()),
    ...pipelineJobTypes,
    ...auditJobTypes,
    ...pingJobTypes,
  };
  return cached;
}
