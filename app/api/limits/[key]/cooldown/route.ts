import { getDb } from '@/lib/db';
import { handle, json, otherMethods, parseOr400, readJson } from '@/lib/http';
import { coolDown, endCoolDown, listLimits } from '@/lib/queue';
import { CooldownBody, LimitKeyParam, authorizeLimits } from '@/lib/limits-input';

export const dynamic = 'force-dynamic';

type Ctx = { params: Promise<{ key: string }> };

const current = async (key: string, now: Date) =>
  (await listLimits(getDb(), { now })).find((l) => l.key === key) ?? null;

/** Holds every job of the key for `seconds` (as a provider's Retry-After would); a later end wins. */
export const POST = handle(async (req: Request, { params }: Ctx) => {
  const auth = authorizeLimits(req);
  if ('denied' in auth) return auth.denied;
  const { key } = parseOr400(LimitKeyParam, await params, 'limit key');
  const { seconds } = parseOr400(CooldownBody, await readJson(req), 'body');
  const now = new Date();
  await coolDown(getDb(), {
    key,
    until: new Date(now.getTime() + seconds * 1000),
    cause: `set by ${auth.actor}`,
    now,
    actor: auth.actor,
  });
  return json(await current(key, now));
});

/** Ends the key's cool-down now. */
export const DELETE = handle(async (req: Request, { params }: Ctx) => {
  const auth = authorizeLimits(req);
  if ('denied' in auth) return auth.denied;
  const { key } = parseOr400(LimitKeyParam, await params, 'limit key');
  const now = new Date();
  await endCoolDown(getDb(), { key, now, actor: auth.actor });
  return json(await current(key, now));
});
export const { GET, PUT, PATCH, HEAD, OPTIONS } = otherMethods(['POST', 'DELETE']);
