import { z } from 'zod';
import { wholeNumber } from '@/lib/whole-number';
import { getDb } from '@/lib/db';
import { env } from '@/lib/env';
import { handle, json, parseOr400, readInput, requireBearer } from '@/lib/http';
import { processQueue, processQueueBudgetMs } from '@/lib/process-queue';

export const dynamic = 'force-dynamic';
// Keep equal to PROCESS_QUEUE_MAX_DURATION_S and vercel.json: the batch budget is derived from it.
export const maxDuration = 60;

const inputSchema = (maxBudgetMs: number) =>
  z
    .object({
      limit: wholeNumber(1, 100).default(5),
      timeBudgetMs: wholeNumber(1_000, maxBudgetMs).optional(),
    })
    .strict();

/** Vercel Cron sends GET every minute; people send POST with an optional JSON body. */
async function run(req: Request): Promise<Response> {
  const e = env();
  const denied = requireBearer(req, e.CRON_SECRET, 'CRON_SECRET');
  if (denied) return denied;
  const maxBudgetMs = processQueueBudgetMs(e.PROCESS_QUEUE_MAX_DURATION_S);
  const input = parseOr400(inputSchema(maxBudgetMs), await readInput(req));
  const result = await processQueue(getDb(), { limit: input.limit, timeBudgetMs: input.timeBudgetMs ?? maxBudgetMs });
  return json(result);
}

export const GET = handle(run);
export const POST = handle(run);
