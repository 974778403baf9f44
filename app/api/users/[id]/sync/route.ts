import { z } from 'zod';
import { requireOperator } from '@/lib/auth/guards';
import { getDb } from '@/lib/db';
import { env } from '@/lib/env';
import { handle, json, otherMethods, parseOr400, readJson, requireBearer } from '@/lib/http';
import { processSoon } from '@/lib/process-soon';
import { IsoDateSchema } from '@/lib/sync/dates';
import { enqueueUserSync } from '@/lib/sync/enqueue';
import { PlatformSchema } from '@/lib/sync/platforms';

export const dynamic = 'force-dynamic';
export const maxDuration = 60;

const Params = z.object({ id: z.guid({ error: 'must be a UUID' }) });
const Body = z
  .object({
    date: IsoDateSchema.optional(),
    platforms: z.array(PlatformSchema).min(1).max(4).optional(),
  })
  .strict();

/**
 * Who may call it: the dashboard from the browser (its session cookie), or a script with
 * `Authorization: Bearer $CRON_SECRET`. A request carrying an Authorization header is judged by the
 * bearer alone, so a wrong token is refused even in the open development dashboard.
 */
function authorize(req: Request): Response | null {
  return req.headers.get('authorization') ? requireBearer(req, env().CRON_SECRET, 'CRON_SECRET') : requireOperator(req);
}

export const POST = handle(async (req: Request, { params }: { params: Promise<{ id: string }> }) => {
  const denied = authorize(req);
  if (denied) return denied;
  const { id } = parseOr400(Params, await params, 'user id');
  const input = parseOr400(Body, await readJson(req));
  const db = getDb();
  const result = await enqueueUserSync(db, id, { ...input, now: new Date() });
  const processing = result.jobs.length > 0 && processSoon(db) ? 'after-response' : 'next-cron';
  return json({ ...result, processing }, result.created > 0 ? 201 : 200);
});
export const { GET, PUT, PATCH, DELETE, HEAD, OPTIONS } = otherMethods(['POST']);
