import { z } from 'zod';
import { wholeNumber } from '@/lib/whole-number';
import { getDb } from '@/lib/db';
import { env } from '@/lib/env';
import { handle, json, otherMethods, parseOr400, readInput, requireBearer } from '@/lib/http';
import { cleanupOldJobs } from '@/lib/queue';

export const dynamic = 'force-dynamic';
export const maxDuration = 60;

const DAY_MS = 86_400_000;

const Input = z.object({ olderThanDays: wholeNumber(1, 365).default(7) }).strict();

/** Daily: finished jobs (and their history) older than a week go, 1,000 per statement. */
async function cleanup(req: Request): Promise<Response> {
  const denied = requireBearer(req, env().CRON_SECRET, 'CRON_SECRET');
  if (denied) return denied;
  const input = parseOr400(Input, await readInput(req));
  const now = new Date();
  const olderThan = new Date(now.getTime() - input.olderThanDays * DAY_MS);
  const result = await cleanupOldJobs(getDb(), { olderThan, now, batchSize: 1_000, maxBatches: 50 });
  return json({ olderThan: olderThan.toISOString(), ...result });
}

export const GET = handle(cleanup);
export const POST = handle(cleanup);
export const { PUT, PATCH, DELETE, OPTIONS } = otherMethods(['GET', 'POST']);
