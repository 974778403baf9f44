import { getDb } from '@/lib/db';
import { handle, json, otherMethods } from '@/lib/http';
import { requireOperator } from '@/lib/auth/guards';
import { syncAllNow } from '@/lib/dashboard/sync';
import { processSoon } from '@/lib/process-soon';

export const dynamic = 'force-dynamic';
export const maxDuration = 60;

/** "Sync all": the same enqueue as the sync-all cron, then processing right after the response. */
export const POST = handle(async (req: Request) => {
  const denied = requireOperator(req);
  if (denied) return denied;
  const db = getDb();
  const result = await syncAllNow(db, { now: new Date() });
  if (result.jobIds.length > 0) processSoon(db);
  return json(result);
});
export const { GET, PUT, PATCH, DELETE, HEAD, OPTIONS } = otherMethods(['POST']);
