import { env } from '@/lib/env';
import { getDb } from '@/lib/db';
import { handle, json, otherMethods, requireBearer } from '@/lib/http';
import { pipelineOverview } from '@/lib/pipeline/views';

export const dynamic = 'force-dynamic';

export const GET = handle(async (req: Request) => {
  const denied = requireBearer(req, env().QUEUE_API_KEY, 'QUEUE_API_KEY');
  if (denied) return denied;
  return json(await pipelineOverview(getDb(), new Date()));
});
export const { POST, PUT, PATCH, DELETE, OPTIONS } = otherMethods(['GET']);
