import 'server-only';
import { z } from 'zod';
import { defineJobType, type JobTypes } from '@/lib/queue';
import { AppId } from './schemas';
import { PIPELINE_QUEUE, PIPELINE_TYPE } from './vocabulary';

/** Worked by external scraper and NLP processes over /queue/*, so it has no in-app handler. */
export const pipelineJobTypes: JobTypes = {
  [PIPELINE_TYPE]: defineJobType({
    queue: PIPELINE_QUEUE,
    payloadSchema: z.object({ app_id: AppId }),
  }),
};
