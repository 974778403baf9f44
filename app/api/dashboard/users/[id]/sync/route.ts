import { z } from 'zod';
import { getDb } from '@/lib/db';
import { handle, json, otherMethods, parseOr400 } from '@/lib/http';
import { requireOperator } from '@/lib/auth/guards';
import { syncUserNow } from '@/lib/dashboard/sync';
import { processSoon } from '@/lib/process-soon';

export const dynamic = 'force-dynamic';
// The after-response processing runs inside this function's time.
export const maxDuration = 60;

const Params = z.object({ id: z.guid('must be a user id') });

/** "Sync now" on the Users page: today's sync for each of the user's enabled platforms. */
export const POST = handle(async (req: Request, ctx: { params: Promise<{ id: string }> }) => {
  const denied = requireOperator(req);
  if (denied) return denied;
  const { id } = parseOr400(Params, await ctx.params, 'user id');
  const db = getDb();
  const result = await syncUserNow(db, id, { now: new Date() });
  if (result.jobIds.length > 0) processSoon(db);
  return json(result);
});
export const { GET, PUT, PATCH, DELETE, HEAD, OPTIONS } = otherMethods(['POST']);
