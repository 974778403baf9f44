import { processQueueAfterResponse } from '@/lib/process-queue';
import type { Db } from '@/lib/queue';

// Enough for a user's sync or a retried selection to finish while the person watches the toast, and
// well inside the routes' maxDuration; larger backlogs continue on the cron's minute tick.
const AFTER_RESPONSE = { limit: 100, timeBudgetMs: 20_000 };

/** Starts working the queue once the response has gone out, so dashboard actions move in seconds. */
export function processSoon(db: Db): void {
  processQueueAfterResponse(db, AFTER_RESPONSE);
}
