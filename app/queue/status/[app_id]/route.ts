import { env } from '@/lib/env';
import { getDb } from '@/lib/db';
import { handle, json, otherMethods, parseOr400, requireBearer } from '@/lib/http';
import { AppId } from '@/lib/pipeline/schemas';
import { appStatus } from '@/lib/pipeline/views';

export const dynamic = 'force-dynamic';

export const GET = handle(async (req: Request, { params }: { params: Promise<{ app_id: string }> }) => {
  const denied = requireBearer(req, env().QUEUE_API_KEY, 'QUEUE_API_KEY');
  if (denied) return denied;
  const appId = parseOr400(AppId, (await params).app_id, 'app id');
  return json(await appStatus(getDb(), appId));
});
export const { POST, PUT, PATCH, DELETE, OPTIONS } = otherMethods(['GET']);
