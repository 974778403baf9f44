import { z } from 'zod';
import { getDb } from '@/lib/db';
import { handle, json, otherMethods, parseOr400 } from '@/lib/http';
import { requireOperator } from '@/lib/auth/guards';
import { getJobDetail } from '@/lib/dashboard/jobs';

export const dynamic = 'force-dynamic';

const Params = z.object({ id: z.guid('must be a job id') });

export const GET = handle(async (req: Request, ctx: { params: Promise<{ id: string }> }) => {
  const denied = requireOperator(req);
  if (denied) return denied;
  const { id } = parseOr400(Params, await ctx.params, 'job id');
  return json(await getJobDetail(getDb(), id));
});
export const { POST, PUT, PATCH, DELETE, OPTIONS } = otherMethods(['GET']);
