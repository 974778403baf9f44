import { requireApiKeyOrOperator } from '@/lib/auth/guards';
import { getDb } from '@/lib/db';
import { handle, json, otherMethods } from '@/lib/http';
import { getAuditQueueStats } from '@/lib/audit/stats';
import { externalQueues } from '@/lib/audit/job-types';
import { env } from '@/lib/env';

export const dynamic = 'force-dynamic';

export const GET = handle(async (req: Request) => {
  const denied = requireApiKeyOrOperator(req);
  if (denied) return denied;
  return json(await getAuditQueueStats(getDb(), new Date(), { queues: externalQueues(env()) }));
});
export const { POST, PUT, PATCH, DELETE, OPTIONS } = otherMethods(['GET']);
