import type { JobTypes } from '@/lib/queue';
import { syncJobTypes } from '@/lib/sync/job-types';
import { profileJobTypes } from '@/lib/profile/job-types';
import { pipelineJobTypes } from '@/lib/pipeline/job-types';
import { auditJobTypes } from '@/lib/audit/job-types';

/** Every job type the app knows; enqueue rejects any other. One entry per workload. */
export const jobTypes: JobTypes = {
  ...syncJobTypes,
  ...profileJobTypes,
  ...pipelineJobTypes,
  ...auditJobTypes,
};
