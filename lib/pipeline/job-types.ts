import type { JobTypes } from '@/lib/queue';

export const pipelineJobTypes: JobTypes = {};
