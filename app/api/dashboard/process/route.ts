import { getDb } from '@/lib/db';
import { env } from '@/lib/env';
import { handle, json } from '@/lib/http';
import { requireOperator } from '@/lib/auth/guards';
import { processQueue, processQueueBudgetMs } from '@/lib/process-queue';

export const dynamic = 'force-dynamic';
// Keep equal to PROCESS_QUEUE_MAX_DURATION_S, as the cron route does.
export const maxDuration = 60;

/** "Run queue now": one process-queue batch, the same code the cron route runs, answered when done. */
export const POST = handle(async (req: Request) => {
  const denied = requireOperator(req);
  if (denied) return denied;
  const budget = Math.min(20_000, processQueueBudgetMs(env().PROCESS_QUEUE_MAX_DURATION_S));
  const r = await processQueue(getDb(), { limit: 50, timeBudgetMs: budget });
  const parts = [
    r.counts.completed && `${r.counts.completed} completed`,
    r.counts.failed && `${r.counts.failed} failed`,
    r.counts.retrying && `${r.counts.retrying} will retry`,
    r.counts.deferred && `${r.counts.deferred} deferred`,
  ].filter(Boolean);
  const message = r.claimed === 0 ? 'Nothing was due' : `Ran ${r.claimed} job${r.claimed === 1 ? '' : 's'}: ${parts.join(', ') || 'no outcome yet'}`;
  return json({ message, claimed: r.claimed, counts: r.counts, rescued: r.rescued, stoppedBy: r.stoppedBy });
});
