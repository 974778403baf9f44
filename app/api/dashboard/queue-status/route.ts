import { z } from 'zod';
import { getDb } from '@/lib/db';
import { handle, json, otherMethods, parseOr400, queryObject } from '@/lib/http';
import { requireOperator } from '@/lib/auth/guards';
import { getQueueStatus } from '@/lib/queue-service/status';

export const dynamic = 'force-dynamic';

const Query = z.object({ userId: z.guid('must be a user id').optional() });

/**
 * The queue package's getQueueStatus (its session-protected tRPC query) for the dashboard's hooks.
 * `?userId=` narrows it to one user's tasks, as the package's per-session query does.
 */
export const GET = handle(async (req: Request) => {
  const denied = requireOperator(req);
  if (denied) return denied;
  const { userId } = parseOr400(Query, queryObject(req), 'query');
  return json(await getQueueStatus(getDb(), { userId }));
});
export const { POST, PUT, PATCH, DELETE, OPTIONS } = otherMethods(['GET']);
