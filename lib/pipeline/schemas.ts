import 'server-only';
import { z } from 'zod';
import { wholeNumber } from '@/lib/whole-number';
import { STAGES, STATUSES, WORK_STAGES } from './vocabulary';

// Store ids look like com.spotify.music (Android) or 324684580 (iOS): letters, digits, dots, dashes, underscores.
export const AppId = z
  .string()
  .trim()
  .min(1, 'is required')
  .max(200)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'may contain only letters, digits, ".", "_" and "-"');

export const AddBody = z.object({ app_id: AppId });

const bool = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');

export const PollQuery = z.object({
  stage: z.enum([...WORK_STAGES, 'any'], { error: 'must be scraper, nlp or any' }),
  status: z.enum([...STATUSES, 'any'], { error: 'must be queued, processing, completed, error or any' }),
  limit: wholeNumber(1, 100).default(1),
  peek: bool.default(false),
  /** Names the claimer; an update carrying the same name only acts while that worker holds the job. */
  worker: z
    .string()
    .regex(/^[A-Za-z0-9._:-]{1,64}$/, 'may contain only letters, digits, ".", "_", ":" and "-"')
    .optional(),
  lease_s: wholeNumber(10, 3600).default(600),
});
export type PollInput = z.infer<typeof PollQuery>;

export const UpdateBody = z.object({
  status: z.enum(STATUSES, { error: 'must be queued, processing, completed or error' }),
  stage: z.enum(STAGES, { error: 'must be scraper, nlp or done' }),
  error_message: z.string().max(2000).optional(),
  result: z
    .record(z.string(), z.unknown())
    .refine((r) => JSON.stringify(r).length <= 16_384, 'must be at most 16 KB of JSON')
    .optional(),
  worker: PollQuery.shape.worker,
  lease_s: PollQuery.shape.lease_s,
});
export type UpdateInput = z.infer<typeof UpdateBody>;

export const JobIdParam = z.string().min(1).max(100);
