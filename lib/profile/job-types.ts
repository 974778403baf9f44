import type { JobTypes } from '@/lib/queue';

export const profileJobTypes: JobTypes = {};
