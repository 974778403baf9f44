import type { JobTypes } from '@/lib/queue';

export const syncJobTypes: JobTypes = {};
