import { z } from 'zod';
import { getDb } from '@/lib/db';
import { env } from '@/lib/env';
import { handle, json, otherMethods, parseOr400, readInput, requireBearer } from '@/lib/http';
import { IsoDateSchema } from '@/lib/sync/dates';
import { defaultSyncDates, enqueueAllUsersSync } from '@/lib/sync/enqueue';
import { processSoon } from '@/lib/process-soon';

export const dynamic = 'force-dynamic';
export const maxDuration = 60;

// In a query string a list arrives as "a,b" or as repeated keys.
const list = (v: unknown) =>
  typeof v === 'string'
    ? v
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
    : v;

const Input = z
  .object({
    date: IsoDateSchema.optional(),
    userIds: z
      .preprocess(
        list,
        z
          .array(z.guid({ error: 'must be a UUID' }))
          .min(1)
          .max(10_000),
      )
      .optional(),
  })
  .strict();

/**
 * Vercel Cron sends GET (every 6 hours on Pro, once a day on Hobby); people send POST with an optional
 * JSON body. New tasks start right after the response and fan out from there, so a once-a-day
 * schedule needs no process-queue cron of its own to work them off.
 */
async function syncAll(req: Request): Promise<Response> {
  const denied = requireBearer(req, env().CRON_SECRET, 'CRON_SECRET');
  if (denied) return denied;
  const input = parseOr400(Input, await readInput(req));
  const now = new Date();
  const db = getDb();
  const result = await enqueueAllUsersSync(db, {
    date: input.date ?? defaultSyncDates(now),
    userIds: input.userIds,
    now,
  });
  if (result.created > 0) processSoon(db);
  return json(result);
}

export const GET = handle(syncAll);
export const POST = handle(syncAll);
export const { PUT, PATCH, DELETE, OPTIONS } = otherMethods(['GET', 'POST']);
