import { z } from 'zod';
import { wholeNumber } from '@/lib/whole-number';
import { getDb } from '@/lib/db';
import { env } from '@/lib/env';
import { handle, json, otherMethods, parseOr400, readInput, requireBearer } from '@/lib/http';
import { admitDrainCall, refusedDrainCall, runDrainCall, type DrainCallOptions } from '@/lib/drain-call';
import { afterResponse, appDrain } from '@/lib/process-soon';

export const dynamic = 'force-dynamic';
// Keep equal to PROCESS_QUEUE_MAX_DURATION_S and vercel.json: the batch budget is derived from it.
export const maxDuration = 60;

// `limit` is an optional cap; the engine claims at most this many a call in any case.
const MAX_CAP = 1_000_000;

const inputSchema = (maxBudgetMs: number) =>
  z
    .object({
      limit: wholeNumber(1, MAX_CAP).optional(),
      timeBudgetMs: wholeNumber(1_000, maxBudgetMs).optional(),
      // Answer 202 once admitted and work after the response: how one call starts another.
      background: z
        .union([z.boolean(), z.enum(['true', 'false', '1', '0'])], { error: 'must be true or false' })
        .transform((v) => v === true || v === 'true' || v === '1')
        .optional(),
    })
    .strict();

/**
 * Vercel Cron sends GET; people send POST with an optional JSON body. A call works the backlog until
 * it is empty, its budget ends or `limit` is reached, starting further calls (up to
 * PROCESS_QUEUE_MAX_PARALLEL at once) while the backlog outlasts the calls at work.
 */
async function run(req: Request): Promise<Response> {
  const e = env();
  const denied = requireBearer(req, e.CRON_SECRET, 'CRON_SECRET');
  if (denied) return denied;
  const drain = appDrain(e);
  const input = parseOr400(inputSchema(drain.budgetMs), await readInput(req));
  const db = getDb();
  const call = await admitDrainCall(db, drain.limits);
  if (!call.entered) return json(refusedDrainCall(call));
  const opts: DrainCallOptions = {
    limit: input.limit,
    timeBudgetMs: input.timeBudgetMs ?? drain.budgetMs,
    fanOut: drain.fanOut,
  };
  // Outside a request (a handler called directly) there is no after(): the call then runs in the foreground.
  if (input.background && afterResponse('process-queue (background)', () => runDrainCall(db, call, opts))) {
    return json({ accepted: true, callId: call.callId, running: call.running, maxParallel: call.maxParallel }, 202);
  }
  return json(await runDrainCall(db, call, opts));
}

export const GET = handle(run);
export const POST = handle(run);
export const { PUT, PATCH, DELETE, OPTIONS } = otherMethods(['GET', 'POST']);
