import { z } from 'zod';
import { getDb } from '@/lib/db';
import { handle, json, otherMethods, parseOr400, readJson } from '@/lib/http';
import { requireOperator } from '@/lib/auth/guards';
import { JobFilterInput } from '@/lib/dashboard/client/filters';
import { MAX_BULK, cancelTarget, retryTarget } from '@/lib/dashboard/jobs';
import { processSoon } from '@/lib/process-soon';
import type { EnqueuedDto } from '@/lib/dashboard/client/types';

export const dynamic = 'force-dynamic';

const Body = z
  .object({
    action: z.enum(['retry', 'cancel']),
    ids: z.array(z.guid('must be a job id')).min(1).max(MAX_BULK).optional(),
    filter: JobFilterInput.optional(),
  })
  .strict()
  .refine((b) => (b.ids === undefined) !== (b.filter === undefined), {
    message: 'give either ids or filter, not both',
    path: ['ids'],
  });

/** Retry or cancel one job, a selection, or everything matching the jobs table's filter. */
export const POST = handle(async (req: Request) => {
  const denied = requireOperator(req);
  if (denied) return denied;
  const body = parseOr400(Body, await readJson(req), 'body');
  const target = body.ids ? { ids: [...new Set(body.ids)] } : { filter: body.filter! };
  const opts = { now: new Date(), actor: 'dashboard' };
  const db = getDb();
  if (body.action === 'retry') {
    const jobIds = await retryTarget(db, target, opts);
    if (jobIds.length > 0) processSoon(db);
    return json({
      jobIds,
      message: describe(jobIds.length, 'Retried', 'No failed or cancelled jobs to retry'),
    } satisfies EnqueuedDto);
  }
  const jobIds = await cancelTarget(db, target, opts);
  return json({
    jobIds,
    message: describe(jobIds.length, 'Cancelled', 'No unfinished jobs to cancel'),
  } satisfies EnqueuedDto);
});

const describe = (n: number, verb: string, none: string) => (n === 0 ? none : `${verb} ${n} job${n === 1 ? '' : 's'}`);
export const { GET, PUT, PATCH, DELETE, HEAD, OPTIONS } = otherMethods(['POST']);
