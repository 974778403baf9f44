import 'server-only';
import { z } from 'zod';
import { wholeNumber } from '@/lib/whole-number';
import { AUDIT_PRIORITIES } from './vocabulary';

const name = z
  .string()
  .trim()
  .min(1)
  .max(100)
  .regex(/^[A-Za-z0-9_.:-]+$/, 'may contain only letters, digits, ".", "_", ":" and "-"');
const traceId = z
  .string()
  .trim()
  .min(1)
  .max(100)
  .regex(/^[A-Za-z0-9_.:-]+$/, 'may contain only letters, digits, ".", "_", ":" and "-"');
const entityId = z.string().trim().min(1).max(200);

/**
 * The reference's CreateQueueJobOptions, accepting both spellings a client may send: `type` or
 * `jobType`, `entity: {name, id}` or `entityName` + `entityId`.
 */
export const CreateJobBody = z
  .object({
    type: name.optional(),
    jobType: name.optional(),
    queueName: name.optional(),
    payload: z.record(z.string(), z.unknown()).default({}),
    correlationId: traceId.optional(),
    userId: z.uuid({ error: 'must be a UUID' }).optional(),
    entity: z.object({ name, id: entityId }).strict().optional(),
    entityName: name.optional(),
    entityId: entityId.optional(),
    priority: z.enum(AUDIT_PRIORITIES, { error: 'must be low, normal, high or critical' }).default('normal'),
    maxAttempts: z.number().int().min(1).max(100).optional(),
    metadata: z
      .record(z.string(), z.unknown())
      .refine((m) => JSON.stringify(m).length <= 8192, 'must be at most 8 KB of JSON')
      .default({}),
    delayMs: z
      .number()
      .int()
      .min(0)
      .max(7 * 86_400_000)
      .optional(),
  })
  .strict()
  .refine((b) => (b.type ?? b.jobType) !== undefined, { message: 'is required', path: ['type'] })
  .refine((b) => !(b.type && b.jobType && b.type !== b.jobType), {
    message: 'type and jobType disagree',
    path: ['jobType'],
  })
  // The reference's own createQueueJob example names the entity before it exists (entityName alone).
  .refine((b) => b.entityId === undefined || b.entityName !== undefined, {
    message: 'entityId needs entityName',
    path: ['entityName'],
  })
  .refine((b) => !(b.entity && b.entityName), {
    message: 'give entity or entityName/entityId, not both',
    path: ['entity'],
  });
export type CreateJobInput = z.infer<typeof CreateJobBody>;

export const ListJobsQuery = z
  .object({
    correlationId: traceId.optional(),
    entityName: name.optional(),
    entityId: entityId.optional(),
    limit: wholeNumber(1, 200).default(50),
    cursor: z.string().max(200).optional(),
  })
  .strict()
  .refine((q) => q.correlationId !== undefined || (q.entityName !== undefined && q.entityId !== undefined), {
    message: 'give correlationId, or entityName with entityId',
    path: ['correlationId'],
  })
  .refine((q) => (q.entityName === undefined) === (q.entityId === undefined), {
    message: 'entityName and entityId go together',
    path: ['entityId'],
  });

export const UpdateStatusBody = z
  .object({
    status: z.enum(['processing', 'completed', 'failed', 'retrying'], {
      error: 'must be processing, completed, failed or retrying',
    }),
    result: z
      .record(z.string(), z.unknown())
      .refine((r) => JSON.stringify(r).length <= 65_536, 'must be at most 64 KB of JSON')
      .optional(),
    error: z.string().max(2000).optional(),
  })
  .strict();
export type UpdateStatusInput = z.infer<typeof UpdateStatusBody>;

export const JobId = z.uuid({ error: 'must be a job id (UUID)' });
