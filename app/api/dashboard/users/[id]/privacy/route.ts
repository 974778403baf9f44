import { z } from 'zod';
import { getDb } from '@/lib/db';
import { handle, json, otherMethods, parseOr400, readJson } from '@/lib/http';
import { requireOperator } from '@/lib/auth/guards';
import { PlatformSchema } from '@/lib/sync/platforms';
import { setPlatformPrivacy } from '@/lib/dashboard/users';

export const dynamic = 'force-dynamic';

const Params = z.object({ id: z.guid('must be a user id') });
const Body = z.object({ platform: PlatformSchema, private: z.boolean() }).strict();

export const POST = handle(async (req: Request, ctx: { params: Promise<{ id: string }> }) => {
  const denied = requireOperator(req);
  if (denied) return denied;
  const { id } = parseOr400(Params, await ctx.params, 'user id');
  const body = parseOr400(Body, await readJson(req), 'body');
  const privacy = await setPlatformPrivacy(getDb(), { userId: id, ...body, now: new Date() });
  return json({ privacy });
});
export const { GET, PUT, PATCH, DELETE, HEAD, OPTIONS } = otherMethods(['POST']);
