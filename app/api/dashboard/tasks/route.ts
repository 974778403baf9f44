import { z } from 'zod';
import { getDb } from '@/lib/db';
import { handle, json, otherMethods, parseOr400, queryObject } from '@/lib/http';
import { requireOperator } from '@/lib/auth/guards';
import { MAX_TASK_IDS, getTaskStatuses } from '@/lib/dashboard/tasks';

export const dynamic = 'force-dynamic';

// `?ids=a,b,c` or repeated `?ids=a&ids=b`.
const Query = z.object({
  ids: z
    .union([z.string(), z.array(z.string())])
    .transform((v) => [...new Set((Array.isArray(v) ? v : [v]).flatMap((s) => s.split(',')).filter(Boolean))])
    .pipe(z.array(z.guid('must be a job id')).min(1, 'is required').max(MAX_TASK_IDS)),
});

/** The current status of the jobs the dashboard's toasts are following. */
export const GET = handle(async (req: Request) => {
  const denied = requireOperator(req);
  if (denied) return denied;
  const { ids } = parseOr400(Query, queryObject(req), 'query');
  return json(await getTaskStatuses(getDb(), ids));
});
export const { POST, PUT, PATCH, DELETE, OPTIONS } = otherMethods(['GET']);
