import { env } from '@/lib/env';
import { getDb } from '@/lib/db';
import { handle, json, otherMethods, parseOr400, requireBearer } from '@/lib/http';
import { JobIdParam } from '@/lib/pipeline/schemas';
import { pipelineHistory } from '@/lib/pipeline/views';

export const dynamic = 'force-dynamic';

export const GET = handle(async (req: Request, { params }: { params: Promise<{ job_id: string }> }) => {
  const denied = requireBearer(req, env().QUEUE_API_KEY, 'QUEUE_API_KEY');
  if (denied) return denied;
  const jobId = parseOr400(JobIdParam, (await params).job_id, 'job id');
  return json(await pipelineHistory(getDb(), jobId));
});
export const { POST, PUT, PATCH, DELETE, OPTIONS } = otherMethods(['GET']);
