import { getDb } from '@/lib/db';
import { handle, json, otherMethods, parseOr400, queryObject } from '@/lib/http';
import { requireOperator } from '@/lib/auth/guards';
import { JobListQuery, listJobPage } from '@/lib/dashboard/jobs';

export const dynamic = 'force-dynamic';

export const GET = handle(async (req: Request) => {
  const denied = requireOperator(req);
  if (denied) return denied;
  const query = parseOr400(JobListQuery, queryObject(req), 'query');
  return json(await listJobPage(getDb(), query));
});
export const { POST, PUT, PATCH, DELETE, OPTIONS } = otherMethods(['GET']);
