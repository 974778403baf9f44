import type { JobTypes } from '@/lib/queue';

export const auditJobTypes: JobTypes = {};
