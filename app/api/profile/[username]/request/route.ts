import { requireApiKeyOrOperator } from '@/lib/auth/guards';
import { getDb } from '@/lib/db';
import { handle, json, otherMethods, parseOr400, readJson } from '@/lib/http';
import { getJobTypes } from '@/lib/job-types';
import { processSoon } from '@/lib/process-soon';
import { requestProfile, toRequestResponse } from '@/lib/profile/request';
import { RequestBody, Username } from '@/lib/profile/schemas';

export const dynamic = 'force-dynamic';

export const POST = handle(async (req: Request, { params }: { params: Promise<{ username: string }> }) => {
  const denied = requireApiKeyOrOperator(req);
  if (denied) return denied;
  const username = parseOr400(Username, (await params).username, 'username');
  const body = parseOr400(RequestBody, await readJson(req), 'body');
  const db = getDb();
  const result = await requestProfile(db, getJobTypes(), { ...body, username, now: new Date() });
  // A new request starts within seconds instead of at the next cron minute.
  if (result.created) processSoon(db);
  return json(toRequestResponse(result, username), result.created ? 202 : 200);
});
export const { GET, PUT, PATCH, DELETE, HEAD, OPTIONS } = otherMethods(['POST']);
