import { getDb } from '@/lib/db';
import { errorJson, handle, json, otherMethods, parseOr400 } from '@/lib/http';
import { latestProfileJob } from '@/lib/profile/request';
import { Username } from '@/lib/profile/schemas';
import { toProfileStatus } from '@/lib/profile/vocabulary';

export const dynamic = 'force-dynamic';

/** Public: the latest request's status fields and nothing more. */
export const GET = handle(async (_req: Request, { params }: { params: Promise<{ username: string }> }) => {
  const username = parseOr400(Username, (await params).username, 'username');
  const job = await latestProfileJob(getDb(), username);
  if (!job) return errorJson(404, `No profile request for ${username}`);
  return json(toProfileStatus(job));
});
export const { POST, PUT, PATCH, DELETE, OPTIONS } = otherMethods(['GET']);
