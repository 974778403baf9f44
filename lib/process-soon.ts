import 'server-only';
import { after } from 'next/server';
import type { Db } from '@/lib/queue';
import { env, type Env } from '@/lib/env';
import { admitDrainCall, runDrainCall } from '@/lib/drain-call';
import { processQueueBudgetMs } from '@/lib/process-queue';
import { processQueueFanOut } from '@/lib/fan-out';

// A run a person waits on, or one inside a dashboard route's time; a larger backlog is handed on to
// process-queue calls (fan-out), which have the full budget.
const SHORT_BUDGET_MS = 20_000;

/** What every drain call the app starts shares: how many may work at once, its fan-out, its budgets. */
export function appDrain(e: Env) {
  const budgetMs = processQueueBudgetMs(e.PROCESS_QUEUE_MAX_DURATION_S);
  return {
    limits: { maxParallel: e.PROCESS_QUEUE_MAX_PARALLEL, holdMs: e.PROCESS_QUEUE_MAX_DURATION_S * 1000 },
    fanOut: processQueueFanOut(e),
    budgetMs,
    shortBudgetMs: Math.min(SHORT_BUDGET_MS, budgetMs),
  };
}

/**
 * Runs `work` once the response has gone out (Next's `after()`); what it throws is logged under
 * `label`. Outside a request (tests, scripts) there is no "after the response": returns false.
 */
export function afterResponse(label: string, work: () => Promise<unknown>): boolean {
  try {
    after(async () => {
      try {
        await work();
      } catch (err) {
        console.error(`${label} failed:`, err);
      }
    });
    return true;
  } catch {
    return false;
  }
}

/**
 * Starts a drain call after the response, so work a person just enqueued starts within seconds instead
 * of at the next cron tick, and a large backlog (Sync all) fans out to further calls instead of
 * stopping. Outside a request it returns false and leaves the work to the cron.
 */
export function processSoon(db: Db): boolean {
  return afterResponse('processing after the response', async () => {
    const drain = appDrain(env());
    const call = await admitDrainCall(db, drain.limits);
    // Refused: the calls at work will reach these jobs.
    if (call.entered) await runDrainCall(db, call, { timeBudgetMs: drain.shortBudgetMs, fanOut: drain.fanOut });
  });
}
