import { after } from 'next/server';
import { z } from 'zod';
import { wholeNumber } from '@/lib/whole-number';
import { getDb } from '@/lib/db';
import { env } from '@/lib/env';
import { handle, json, parseOr400, readInput, requireBearer } from '@/lib/http';
import { processQueueBudgetMs } from '@/lib/process-queue';
import { admitDrainCall, refusedDrainCall, runDrainCall, type AdmittedCall, type DrainCallOptions } from '@/lib/drain-call';
import { processQueueFanOut } from '@/lib/fan-out';
import { drainLimits } from '@/lib/process-soon';

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
  const maxBudgetMs = processQueueBudgetMs(e.PROCESS_QUEUE_MAX_DURATION_S);
  const input = parseOr400(inputSchema(maxBudgetMs), await readInput(req));
  const db = getDb();
  const call = await admitDrainCall(db, drainLimits(e));
  if (!call.entered) return json(refusedDrainCall(call));
  const opts: DrainCallOptions = {
    limit: input.limit,
    timeBudgetMs: input.timeBudgetMs ?? maxBudgetMs,
    fanOut: processQueueFanOut(e),
  };
  if (input.background && workAfterResponse(db, call, opts)) {
    return json({ accepted: true, callId: call.callId, running: call.running, maxParallel: call.maxParallel }, 202);
  }
  return json(await runDrainCall(db, call, opts));
}

// Outside a request (a handler called directly) there is no after(): the call then runs in the foreground.
function workAfterResponse(db: ReturnType<typeof getDb>, call: AdmittedCall, opts: DrainCallOptions): boolean {
  try {
    after(async () => {
      try {
        await runDrainCall(db, call, opts);
      } catch (err) {
        console.error('process-queue (background) failed:', err);
      }
    });
    return true;
  } catch {
    return false;
  }
}

export const GET = handle(run);
export const POST = handle(run);
