import { env } from '@/lib/env';
import { getDb } from '@/lib/db';
import { handle, json, otherMethods, parseOr400, queryObject, requireBearer } from '@/lib/http';
import { pollJobs } from '@/lib/pipeline/poll';
import { PollQuery } from '@/lib/pipeline/schemas';

export const dynamic = 'force-dynamic';

export const GET = handle(async (req: Request) => {
  const denied = requireBearer(req, env().QUEUE_API_KEY, 'QUEUE_API_KEY');
  if (denied) return denied;
  const query = parseOr400(PollQuery, queryObject(req), 'query');
  return json(await pollJobs(getDb(), { ...query, now: new Date() }));
});
export const { POST, PUT, PATCH, DELETE, OPTIONS } = otherMethods(['GET']);
