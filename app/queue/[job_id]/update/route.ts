import { env } from '@/lib/env';
import { getDb } from '@/lib/db';
import { handle, json, otherMethods, parseOr400, readJson, requireBearer } from '@/lib/http';
import { JobIdParam, UpdateBody } from '@/lib/pipeline/schemas';
import { updatePipelineJob } from '@/lib/pipeline/update';

export const dynamic = 'force-dynamic';

export const POST = handle(async (req: Request, { params }: { params: Promise<{ job_id: string }> }) => {
  const denied = requireBearer(req, env().QUEUE_API_KEY, 'QUEUE_API_KEY');
  if (denied) return denied;
  const jobId = parseOr400(JobIdParam, (await params).job_id, 'job id');
  const body = parseOr400(UpdateBody, await readJson(req), 'body');
  return json(await updatePipelineJob(getDb(), { ...body, jobId, now: new Date() }));
});
export const { GET, PUT, PATCH, DELETE, HEAD, OPTIONS } = otherMethods(['POST']);
