import { after } from 'next/server';
import type { Db } from '@/lib/queue';
import { env, type Env } from '@/lib/env';
import { admitDrainCall, runDrainCall, type DrainLimits } from '@/lib/drain-call';
import { processQueueBudgetMs } from '@/lib/process-queue';
import { processQueueFanOut } from '@/lib/fan-out';

export const drainLimits = (e: Env): DrainLimits => ({
  maxParallel: e.PROCESS_QUEUE_MAX_PARALLEL,
  holdMs: e.PROCESS_QUEUE_MAX_DURATION_S * 1000,
});

// Inside whatever maxDuration the calling route has; a backlog larger than this run hands on to
// process-queue calls (fan-out), which have the full budget.
const AFTER_RESPONSE_BUDGET_MS = 20_000;

/**
 * Starts a drain call once the response has gone out (Next's `after()`), so work a person just
 * enqueued starts within seconds instead of at the next cron tick, and a large backlog (Sync all)
 * fans out to further calls instead of stopping. Outside a request (tests, scripts) there is no
 * "after the response": returns false and leaves the work to the cron.
 */
export function processSoon(db: Db): boolean {
  try {
    after(async () => {
      try {
        const e = env();
        const call = await admitDrainCall(db, drainLimits(e));
        if (!call.entered) return; // the calls at work will reach these jobs
        const timeBudgetMs = Math.min(AFTER_RESPONSE_BUDGET_MS, processQueueBudgetMs(e.PROCESS_QUEUE_MAX_DURATION_S));
        await runDrainCall(db, call, { timeBudgetMs, fanOut: processQueueFanOut(e) });
      } catch (err) {
        console.error('processing after the response failed:', err);
      }
    });
    return true;
  } catch {
    return false;
  }
}
