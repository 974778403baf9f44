import { env } from '@/lib/env';
import { getDb } from '@/lib/db';
import { handle, json, otherMethods, parseOr400, readJson, requireBearer } from '@/lib/http';
import { getJobTypes } from '@/lib/job-types';
import { addApp } from '@/lib/pipeline/add';
import { AddBody } from '@/lib/pipeline/schemas';

export const dynamic = 'force-dynamic';

export const POST = handle(async (req: Request) => {
  const denied = requireBearer(req, env().QUEUE_API_KEY, 'QUEUE_API_KEY');
  if (denied) return denied;
  const body = parseOr400(AddBody, await readJson(req), 'body');
  return json(await addApp(getDb(), getJobTypes(), { appId: body.app_id, now: new Date() }));
});
export const { GET, PUT, PATCH, DELETE, HEAD, OPTIONS } = otherMethods(['POST']);
