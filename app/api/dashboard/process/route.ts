import { getDb } from '@/lib/db';
import { env } from '@/lib/env';
import { handle, json, otherMethods } from '@/lib/http';
import { requireOperator } from '@/lib/auth/guards';
import { admitDrainCall, refusedDrainCall, runDrainCall } from '@/lib/drain-call';
import { appDrain } from '@/lib/process-soon';

export const dynamic = 'force-dynamic';
// Keep equal to PROCESS_QUEUE_MAX_DURATION_S, as the cron route does.
export const maxDuration = 60;

/**
 * "Run queue now": one drain call, the same code the cron route runs, answered when done (at most 20 s);
 * a larger backlog is handed on to process-queue calls.
 */
export const POST = handle(async (req: Request) => {
  const denied = requireOperator(req);
  if (denied) return denied;
  const drain = appDrain(env());
  const db = getDb();
  const call = await admitDrainCall(db, drain.limits);
  if (!call.entered) {
    const { message, claimed, stoppedBy } = refusedDrainCall(call);
    return json({ message, claimed, stoppedBy });
  }
  const r = await runDrainCall(db, call, { timeBudgetMs: drain.shortBudgetMs, fanOut: drain.fanOut });
  const parts = [
    r.counts.completed && `${r.counts.completed} completed`,
    r.counts.failed && `${r.counts.failed} failed`,
    r.counts.retrying && `${r.counts.retrying} will retry`,
    r.counts.deferred && `${r.counts.deferred} deferred`,
  ].filter(Boolean);
  const message =
    r.claimed === 0
      ? 'Nothing was due'
      : `Ran ${r.claimed} job${r.claimed === 1 ? '' : 's'}: ${parts.join(', ') || 'no outcome yet'}`;
  return json({ message, claimed: r.claimed, counts: r.counts, rescued: r.rescued, stoppedBy: r.stoppedBy });
});
export const { GET, PUT, PATCH, DELETE, HEAD, OPTIONS } = otherMethods(['POST']);
